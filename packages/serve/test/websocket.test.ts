/**
 * The WebSocket extension (spec 20) on node:http (@tsgi/node, the `ws` package), Bun and Deno
 * (@tsgi/serve): one table of cases (_ws-cases.ts) with the `ws` client against the same app
 * (fixtures/ws-app.mjs) on each runtime.
 */
import { fileURLToPath } from 'node:url';
import { type RuntimeServer, requireRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { type ServerHandle, serve } from '@tsgi/node';
import { afterAll, beforeAll, describe } from 'vitest';
import { websocketCases } from './_ws-cases.js';
// @ts-expect-error: a plain JavaScript fixture, shared with Bun and Deno
import { app } from './fixtures/ws-app.mjs';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));

describe('WebSocket on node:http (ADP-NODE-WS)', () => {
  let handle: ServerHandle;
  beforeAll(async () => {
    handle = await serve(app, { port: 0, errors: () => {}, signals: [] });
  });
  afterAll(() => handle?.close({ timeout: 500 }));
  websocketCases(() => ({ url: handle.url }));
});

for (const name of ['bun', 'deno'] as const) {
  const binary = requireRuntime(name, `WebSocket on ${name}`);
  describe.skipIf(binary === undefined)(`WebSocket on ${name} (ADP-FETCH-WS)`, () => {
    let server: RuntimeServer;
    beforeAll(async () => {
      server = await startRuntimeScript(name, `${FIXTURES}ws-serve.mjs`);
    });
    afterAll(() => server?.stop());
    websocketCases(() => ({ url: server.url, deflate: false }));
  });
}
