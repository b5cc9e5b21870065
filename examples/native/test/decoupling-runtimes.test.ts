/**
 * The decoupling proof on the other runtimes (issue 18): the three example apps, imported
 * unmodified, answer the request script of examples/decoupling.ts under `serve` from
 * '@tsgi/serve' on Bun (Bun.serve), Deno (Deno.serve) and workerd the same way as in memory.
 * What a fetch runtime may change is what the normaliser already leaves to the server (Date,
 * framing, field case and order); ADP-FETCH-08..10 list what each runtime breaks beyond that,
 * none of which the script touches.
 */
import { fileURLToPath } from 'node:url';
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import {
  type RuntimeName,
  type RuntimeServer,
  requireRuntime,
  startRuntimeScript,
} from '@tsgi/harness/runtimes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compare, httpSender, memorySender, runScript } from '../../decoupling.js';
import hono from '../../hono/app.js';
import itty from '../../itty/app.js';
import native from '../app.js';

const apps: Record<string, Application> = { hono, itty, native };
/** The script's requests whose Hono handler returns `c.text(...)` without its own headers. */
const BUN_UNTYPED = ['GET /', 'HEAD /'];
const SCRIPT = fileURLToPath(new URL('./fixtures/serve-all.mjs', import.meta.url));

for (const runtime of ['bun', 'deno', 'workerd'] as RuntimeName[]) {
  const binary = requireRuntime(runtime, `the decoupling proof on ${runtime}`);
  describe.skipIf(binary === undefined)(`decoupling proof on ${runtime} (@tsgi/serve)`, () => {
    let server: RuntimeServer;
    beforeAll(async () => {
      server = await startRuntimeScript(runtime, SCRIPT);
    });
    afterAll(async () => {
      await server?.stop();
    });

    for (const [framework, app] of Object.entries(apps)) {
      it(`${framework}: the same responses as in memory (SR-03, BODY-10, ENV-04, ADP-FETCH-01, ADP-FETCH-06)`, async () => {
        const expected = await runScript(memorySender(app, request));
        const result = await runScript(httpSender(`${server.url}/${framework}`));
        // A Bun finding, not the bridge's: Hono's c.text() builds `new Response(text)` and leaves
        // the type to the runtime, and Bun (1.4.5) keeps the implicit `text/plain;charset=utf-8`
        // of a string body out of `response.headers` (Fetch's "extract a body" puts it there),
        // so fromFetch cannot see it, even in memory under Bun. Everything else must agree.
        if (runtime === 'bun' && framework === 'hono') {
          for (const name of BUN_UNTYPED) {
            expect(result[name]?.contentType).toBeNull();
            result[name] = { ...result[name]!, contentType: expected[name]!.contentType };
          }
        }
        expect(compare(expected, result), server.output()).toEqual([]);
        expect(result['GET /cookies']?.setCookie).toHaveLength(2);
      });
    }
  });
}
