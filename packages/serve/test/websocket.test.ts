/**
 * The WebSocket extension (spec 20) on node:http (@tsgi/node, the `ws` package), Bun and Deno
 * (@tsgi/serve): one table of cases (_ws-cases.ts) with the `ws` client against the same app
 * (fixtures/ws-app.mjs) on each runtime.
 */
import { fileURLToPath } from 'node:url';
import { runServerSuite } from '@tsgi/conformance';
import { type RuntimeServer, requireRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { type ServerHandle, serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { websocketCases } from './_ws-cases.js';
// @ts-expect-error: a plain JavaScript fixture, shared with Bun and Deno
import { app } from './fixtures/ws-app.mjs';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('WebSocket on node:http (ADP-NODE-20..18)', () => {
  let handle: ServerHandle;
  beforeAll(async () => {
    handle = await serve(app, { port: 0, errors: () => {}, signals: [] });
    (globalThis as { tsgiTestStop?: () => Promise<void> }).tsgiTestStop = () => handle.close();
  });
  afterAll(() => handle?.close({ timeout: 500 }));
  websocketCases(() => ({ url: handle.url }));
});

for (const name of ['bun', 'deno'] as const) {
  const binary = requireRuntime(name, `WebSocket on ${name}`);
  describe.skipIf(binary === undefined)(`WebSocket on ${name} (ADP-FETCH-11..13)`, () => {
    let server: RuntimeServer;
    beforeAll(async () => {
      server = await startRuntimeScript(name, `${FIXTURES}ws-serve.mjs`);
    });
    afterAll(() => server?.stop());
    websocketCases(() => ({ url: server.url, deflate: false }));

    it('WS-01..WS-15: the conformance cases of spec 20 pass against the probe', async () => {
      const probe = await startRuntimeScript(name, `${FIXTURES}probe.mjs`);
      try {
        const report = await runServerSuite({
          url: probe.url,
          mount: '/app',
          profile: name,
          only: ['websocket/'],
        });
        const bad = report.cases.filter((c) => c.status !== 'pass' && c.status !== 'relaxed');
        expect(
          bad.map((c) => `${c.id}: ${c.status} ${c.message}`),
          probe.output(),
        ).toEqual([]);
        expect(report.cases.length).toBe(5);
      } finally {
        await probe.stop();
      }
    });
  });
}
