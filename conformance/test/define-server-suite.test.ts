/**
 * The library form: `defineServerSuite` declares one vitest test per case. Here it checks
 * @tsgi/node with the probe mounted below a SCRIPT_NAME, with observations kept in a
 * directory as a run-once server (CGI) needs them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { serve } from '@tsgi/node';
import { afterAll, expect, it } from 'vitest';
import { createProbe } from '../src/probe/index.js';
import { defineServerSuite } from '../src/vitest.js';
import { KNOWN_CORE_FAILURES } from './_known-failures.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

defineServerSuite({
  name: '@tsgi/node mounted at /app/v1 (defineServerSuite)',
  mount: '/app/v1',
  only: ['environ/', 'response/', 'body/release', 'input/content-length'],
  expectedFailures: KNOWN_CORE_FAILURES,
  async start(_app, { mount }) {
    // A probe with a directory store, as `TSGI_CONFORMANCE_DIR` gives a CGI deployment.
    const s = await serve(createProbe({ dir }), { port: 0, scriptName: mount, errors: () => {} });
    return { url: s.url, close: () => s.close({ timeout: 100 }) };
  },
});

it('the directory store wrote one observation file per observed request', () => {
  expect(readdirSync(dir).filter((f) => f.endsWith('.json')).length).toBeGreaterThan(20);
});

// Stateless, as on an isolate runtime, with a capability declared missing: the cases that need
// the store or raw header lines are skipped as unobservable, the timed holds still run.
let hosted: Application | undefined;
defineServerSuite({
  name: '@tsgi/node hosting a stateless probe, without rawHeaders (defineServerSuite)',
  stateless: true,
  without: ['rawHeaders'],
  only: ['environ/raw-headers', 'body/release-normal', 'response/deferred-headers', 'write/late'],
  async start(app) {
    hosted = app;
    const s = await serve(app, { port: 0, errors: () => {} });
    return { url: s.url, close: () => s.close({ timeout: 100 }) };
  },
});

it('defineServerSuite({ stateless: true }) hosts a stateless probe', async () => {
  expect((await request(hosted!, { path: '/__tsgi/gate/x' })).status).toBe(404);
});
