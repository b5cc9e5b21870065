/**
 * The library form: `defineServerSuite` declares one vitest test per case. Here it checks
 * @tsgi/node with the probe mounted below a SCRIPT_NAME, with observations kept in a
 * directory as a run-once server (CGI) needs them.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
