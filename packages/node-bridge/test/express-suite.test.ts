/**
 * Express's own tests (the CI subset in test/express-suite, copied from expressjs/express) pass
 * through `fromNodeHandler` on `@tsgi/node` as on plain node:http, but for the differences
 * scripts/express-suite.mjs lists as KNOWN, each with the TSGI rule behind it. The whole suite:
 * `node packages/node-bridge/scripts/express-suite.mjs EXPRESS_CHECKOUT` (see the README).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

it("issue 19: Express's own tests pass through fromNodeHandler as on node:http (but the listed SR-02, SR-06, ENV-34 exceptions)", () => {
  const script = fileURLToPath(new URL('../scripts/express-suite.mjs', import.meta.url));
  const suite = fileURLToPath(new URL('./express-suite', import.meta.url));
  const json = join(mkdtempSync(join(tmpdir(), 'express-suite-')), 'result.json');
  const r = spawnSync(process.execPath, [script, suite, '--json', json], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  const result = JSON.parse(readFileSync(json, 'utf8')) as {
    plain: { passes: number; failures: number };
    bridge: { passes: number; failures: number };
    differences: Array<{ title: string; known?: string }>;
  };
  expect(result.plain.failures).toBe(0);
  expect(result.plain.passes).toBeGreaterThan(250);
  expect(result.bridge.passes + result.differences.length).toBe(result.plain.passes);
  expect(result.differences.filter((d) => d.known === undefined)).toEqual([]);
}, 120_000);
