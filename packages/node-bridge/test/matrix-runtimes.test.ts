/**
 * The framework matrix's Bun and Deno columns (issue 19): the apps of test/apps, imported
 * unmodified, under `serve` from '@tsgi/serve' (Bun.serve, Deno.serve) answer the matrix script
 * as they do in memory on Node.js. Express, Koa and Fastify run through `fromNodeHandler` on the
 * runtime's own node:http classes; h3 and Elysia through `fromFetch`.
 */
import { fileURLToPath } from 'node:url';
import { type Application, mount } from '@tsgi/core';
import {
  type RuntimeName,
  type RuntimeServer,
  requireRuntime,
  startRuntimeScript,
} from '@tsgi/harness/runtimes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender } from '../../../examples/decoupling.js';
import elysia from './apps/elysia.js';
import express from './apps/express.js';
import fastify from './apps/fastify.js';
import h3 from './apps/h3.js';
import koa from './apps/koa.js';
import { differences, memory, runAll } from './matrix.js';

const apps: Record<string, Application> = { express, koa, fastify, h3, elysia };
/**
 * Bun findings, not the bridge's: Bun (1.4.5) keeps the implicit `text/plain;charset=utf-8` of a
 * string body out of `response.headers` (the finding examples/native/test/decoupling-runtimes
 * pins for Hono), so h3's and Elysia's text responses carry no type through `fromFetch`; and
 * Elysia picks its Bun adapter under Bun, whose JSON responses say `application/json;
 * charset=utf-8`. Under Bun these two may differ in the media type only.
 */
const BUN_TYPE_ONLY = new Set(['h3', 'elysia']);
const SCRIPT = fileURLToPath(new URL('./fixtures/serve-all.mjs', import.meta.url));

for (const runtime of ['bun', 'deno'] as RuntimeName[]) {
  const binary = requireRuntime(runtime, `the framework matrix on ${runtime}`);
  describe.skipIf(binary === undefined)(`issue 19 matrix on ${runtime} (@tsgi/serve)`, () => {
    let server: RuntimeServer;
    beforeAll(async () => {
      server = await startRuntimeScript(runtime, SCRIPT);
    });
    afterAll(async () => {
      await server?.stop();
    });

    for (const [framework, app] of Object.entries(apps)) {
      it(`${framework}: the same responses as in memory on Node.js (SR-03, ENV-04, ADP-FETCH-01)`, async () => {
        const prefix = `/${framework}`;
        const expected = await runAll(memory(mount(prefix, app), prefix));
        const result = await runAll(httpSender(`${server.url}${prefix}`));
        if (runtime === 'bun' && BUN_TYPE_ONLY.has(framework)) {
          for (const [name, r] of Object.entries(result)) {
            const e = expected[name];
            if (e !== undefined && r.contentType !== e.contentType)
              result[name] = { ...r, contentType: e.contentType };
          }
        }
        expect(differences(expected, result), server.output()).toEqual([]);
        expect(result['GET /cookies']?.setCookie).toHaveLength(2);
      });
    }
  });
}
