/**
 * The server authors' guide's example (examples/server-author/, issue 24) through the suite, with
 * the guide's own commands (examples/server-author/commands.sh, shown on the page as it is):
 * `npx tsx host-probe.ts 8000 &` then `npx tsgi-conformance server --url ... --json report.json`,
 * on a free port instead of 8000. Every case must pass, except those the http profile itself
 * exempts, each printed with its reason: `n/a` (another profile's rule) and `skip` (an optional
 * extension the server does not offer, EXT-07).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort, tempDir, waitForPort } from '@tsgi/harness';
import { afterAll, expect, it } from 'vitest';
import type { SuiteReport } from '../src/server/runner.js';

const DIR = fileURLToPath(new URL('../../examples/server-author/', import.meta.url));
const tmp = tempDir('tsgi-server-author-');
let server: ChildProcess | undefined;
let output = '';

afterAll(() => {
  // npx → tsx → node: the server runs in its own process group, stopped as a whole.
  if (server?.pid !== undefined && server.exitCode === null) process.kill(-server.pid, 'SIGTERM');
  tmp.remove();
});

it("CONF-04: the example server passes every case of the http profile, run with the guide's commands", async () => {
  const port = String(await freePort());
  const lines = readFileSync(join(DIR, 'commands.sh'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.replaceAll('8000', port).replace('report.json', join(tmp.path, 'report.json')));
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(/ &$/);
  server = spawn('sh', ['-c', `exec ${lines[0]!.replace(/ &$/, '')}`], {
    cwd: DIR,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout!.on('data', (d: Buffer) => (output += d));
  server.stderr!.on('data', (d: Buffer) => (output += d));
  await waitForPort(Number(port), '127.0.0.1', 20_000);
  const run = await promisify(execFile)('sh', ['-c', lines[1]!], { cwd: DIR }).catch(
    (err: { stdout: string; code: number }) => err,
  );
  const report = JSON.parse(readFileSync(join(tmp.path, 'report.json'), 'utf8')) as SuiteReport;
  const exempt = report.cases.filter((c) => c.status === 'n/a' || c.status === 'skip');
  for (const c of exempt) console.log(`${c.status} ${c.id}: ${c.message}`);
  const others = report.cases.filter((c) => c.status !== 'pass' && !exempt.includes(c));
  expect(others.map((c) => `${c.status} ${c.id}: ${c.message} ${c.actual ?? ''}`)).toEqual([]);
  expect(report.target).toMatchObject({ profile: 'http', missing: [] });
  expect(report.cases.filter((c) => c.status === 'pass').length).toBeGreaterThanOrEqual(90);
  // n/a only for the node profile's cases, skips only for the optional extensions (the
  // EXT-02..04 keys, and tsgix.websocket: spec 20, WS-01).
  expect(exempt.filter((c) => !/^(node|extensions|websocket)\//.test(c.id))).toEqual([]);
  expect('code' in run ? run.code : 0, `${run.stdout}\n${output}`).toBe(0);
}, 120_000);
