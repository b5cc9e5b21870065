/**
 * The decoupling proof, node:http leg: every example app (Hono and itty-router through
 * fromFetch, and the TSGI-native router) answers the request script over node:http exactly as it
 * does in memory. It lives with the native example because that package has no framework
 * dependency; the FastCGI and CGI legs reuse `httpSender(baseUrl)` against their front ends.
 * The framework-by-server table is written to .tmp/decoupling (or $TSGI_DECOUPLING_OUT).
 */
import { fileURLToPath } from 'node:url';
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { serve } from '@tsgi/node';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compare,
  httpSender,
  memorySender,
  type Run,
  renderMarkdown,
  runScript,
  writeReport,
} from '../../decoupling.js';
import hono from '../../hono/app.js';
import itty from '../../itty/app.js';
import native from '../app.js';

const apps: Record<string, Application> = { hono, itty, native };
const out =
  process.env.TSGI_DECOUPLING_OUT ??
  fileURLToPath(new URL('../../../.tmp/decoupling', import.meta.url));

describe('decoupling proof: one script, in memory and over node:http', () => {
  const runs: Run[] = [];

  for (const [framework, app] of Object.entries(apps)) {
    it(`${framework}: node:http gives the same responses as in memory`, async () => {
      const memory = await runScript(memorySender(app, request));
      const server = await serve(app, { host: '127.0.0.1', port: 0, errors: () => {} });
      let node: Awaited<ReturnType<typeof runScript>>;
      try {
        node = await runScript(httpSender(server.url));
      } finally {
        await server.close();
      }
      runs.push(
        { framework, server: 'memory', result: memory },
        { framework, server: 'node:http', result: node },
      );
      expect(compare(memory, node)).toEqual([]);
      expect(node['GET /cookies']?.setCookie).toHaveLength(2);
    });
  }

  afterAll(() => {
    const cells = writeReport(runs, out);
    expect(renderMarkdown(cells)).toContain('| framework | memory | node:http |');
  });
});
