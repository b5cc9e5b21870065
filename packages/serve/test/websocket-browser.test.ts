/**
 * A real browser as the WebSocket client (spec 20): headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core as docs/test/site.test.ts does) opens a page from
 * the TSGI app and talks to it over `new WebSocket()`, on node:http, Bun and Deno. Without
 * Chromium the file skips with a printed reason, except under CI=true where it fails.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inCI } from '@tsgi/harness';
import { findRuntime, type RuntimeServer, startRuntimeScript } from '@tsgi/harness/runtimes';
import { type ServerHandle, serve } from '@tsgi/node';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript fixture, shared with Bun and Deno
import { app } from './fixtures/ws-app.mjs';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCI) console.warn(`SKIP websocket-browser: ${CHROMIUM} not found`);
const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

/** What the page reports after its exchange with the server. */
interface PageResult {
  protocol: string;
  text: string;
  binary: number[];
  large: number;
  close: { code: number; reason: string; wasClean: boolean };
  refused: { code: number };
}

// Runs in the page: echo text, binary and 1 MiB; the app's own close (4000); a refused handshake.
const PAGE_SCRIPT = async (): Promise<PageResult> => {
  // The test's tsconfig has no DOM library: the page's globals are typed where used.
  type CloseEvent = Event & { code: number; reason: string; wasClean: boolean };
  const { origin } = (globalThis as unknown as { location: { origin: string } }).location;
  const base = origin.replace('http', 'ws');
  const once = <T>(ws: WebSocket, type: string) =>
    new Promise<T>((resolve) => ws.addEventListener(type, (e) => resolve(e as T), { once: true }));
  const ws = new WebSocket(`${base}/echo`, ['chat']);
  ws.binaryType = 'arraybuffer';
  await once(ws, 'open');
  ws.send('hello from chromium ✓');
  const text = (await once<MessageEvent>(ws, 'message')).data as string;
  ws.send(new Uint8Array([1, 2, 3, 255]));
  const binary = [...new Uint8Array((await once<MessageEvent>(ws, 'message')).data)];
  ws.send(new Uint8Array(1024 * 1024).fill(7));
  const large = ((await once<MessageEvent>(ws, 'message')).data as ArrayBuffer).byteLength;
  ws.send('close-me');
  const c = await once<CloseEvent>(ws, 'close');
  const refused = new WebSocket(`${base}/refuse`);
  const r = await once<CloseEvent>(refused, 'close');
  return {
    protocol: ws.protocol,
    text,
    binary,
    large,
    close: { code: c.code, reason: c.reason, wasClean: c.wasClean },
    refused: { code: r.code },
  };
};

describe.skipIf(!haveChromium && !inCI)('WebSocket from headless Chromium', () => {
  let context: BrowserContext;
  let profile: string;
  let node: ServerHandle;
  const runtimes: Array<[string, RuntimeServer]> = [];

  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI: ${CHROMIUM} not found; ensure-system-deps installs it`);
    node = await serve(app, { port: 0, errors: () => {}, signals: [] });
    for (const name of ['bun', 'deno'] as const) {
      if (findRuntime(name) === undefined) {
        if (inCI) throw new Error(`CI: ${name} not found`);
        continue;
      }
      runtimes.push([name, await startRuntimeScript(name, `${FIXTURES}ws-serve.mjs`)]);
    }
    profile = mkdtempSync(join(tmpdir(), 'tsgi-ws-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await node?.close({ timeout: 500 });
    await Promise.all(runtimes.map(([, s]) => s.stop()));
    if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
  });

  const targets = (): Array<[string, string]> => [
    ['node', node.url],
    ...runtimes.map(([name, s]): [string, string] => [name, s.url]),
  ];

  it('WS-05, WS-09, WS-10, WS-13, WS-04: echo, binary, 1 MiB, the close code and reason, a 403 refusal', async () => {
    expect(targets().length).toBeGreaterThan(0);
    for (const [name, url] of targets()) {
      const page = await context.newPage();
      try {
        await page.goto(`${url}/plain`);
        const result = await page.evaluate(PAGE_SCRIPT);
        expect(result, name).toEqual({
          protocol: 'chat',
          text: 'hello from chromium ✓',
          binary: [1, 2, 3, 255],
          large: 1024 * 1024,
          close: { code: 4000, reason: 'bye from app', wasClean: true },
          refused: { code: 1006 }, // a handshake answered 403 fails as 1006 in the browser
        });
      } finally {
        await page.close();
      }
    }
  }, 60_000);
});
