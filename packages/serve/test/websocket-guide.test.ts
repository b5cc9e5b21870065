/**
 * The WebSocket guide's chat server (docs/guides/05-websockets.md, its first `ts` sample) run as
 * written on @tsgi/node with two `ws` clients: what the guide shows is what works.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Application } from '@tsgi/core';
import { type ServerHandle, serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const GUIDE = fileURLToPath(new URL('../../../docs/guides/05-websockets.md', import.meta.url));

let handle: ServerHandle;
let dir: string;
beforeAll(async () => {
  const sample = /^```ts\n([\s\S]*?)^```$/m.exec(readFileSync(GUIDE, 'utf8'))?.[1];
  if (sample === undefined) throw new Error('the guide has no ts sample');
  dir = mkdtempSync(join(tmpdir(), 'tsgi-ws-guide-'));
  writeFileSync(join(dir, 'chat.ts'), sample);
  const { app } = (await import(join(dir, 'chat.ts'))) as { app: Application };
  handle = await serve(app, { port: 0, errors: () => {}, signals: [] });
});
afterAll(async () => {
  await handle?.close({ timeout: 500 });
  rmSync(dir, { recursive: true, force: true });
});

function member(): Promise<{ ws: WebSocket; received: string[] }> {
  const ws = new WebSocket(`${handle.url.replace('http', 'ws')}/chat`, ['chat.v1']);
  const received: string[] = [];
  ws.on('message', (d: Buffer) => received.push(d.toString()));
  return new Promise((r, j) => ws.once('open', () => r({ ws, received })).once('error', j));
}

describe("the guide's chat server", () => {
  it('WS-05, WS-09, WS-11: a message reaches every member; the protocol is chat.v1', async () => {
    const a = await member();
    const b = await member();
    expect(a.ws.protocol).toBe('chat.v1');
    a.ws.send('hello room');
    await expect.poll(() => [a.received, b.received]).toEqual([['hello room'], ['hello room']]);
    a.ws.close();
    b.ws.close();
  });

  it('WS-04: a plain GET of /chat gets 426 with upgrade; a banned cookie 403', async () => {
    const res = await fetch(`${handle.url}/chat`);
    expect([res.status, res.headers.get('upgrade')]).toEqual([426, 'websocket']);
    const ws = new WebSocket(`${handle.url.replace('http', 'ws')}/chat`, {
      headers: { cookie: 'banned=1' },
    });
    const err = await new Promise<Error>((r) => ws.once('error', r));
    expect(String(err)).toMatch(/Unexpected server response: 403/);
    expect(await (await fetch(handle.url)).text()).toBe('connect to /chat\n');
  });
});
