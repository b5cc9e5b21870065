#!/usr/bin/env node
/**
 * Express's own test suite (mocha + supertest, from github.com/expressjs/express), run twice in
 * one go: on plain node:http, and with every app served through `fromNodeHandler` on
 * `@tsgi/node`'s request listener (scripts/express-suite-hook.mjs). Prints both pass counts and
 * every test whose outcome differs. Issue 19.
 *
 *   node packages/node-bridge/scripts/express-suite.mjs [EXPRESS_DIR] [--only FILE ...] [--json OUT]
 *
 * EXPRESS_DIR is a checkout of expressjs/express with its devDependencies installed (`npm
 * install`); default `.tmp/express-suite`. Without its own mocha (test/express-suite, the CI
 * subset), this package's mocha runs it. `--only` runs some test files (paths relative to
 * EXPRESS_DIR, e.g. test/res.send.js) instead of `test/` and `test/acceptance/`.
 *
 * The exit code is 1 when a test's outcome differs and the difference is not in KNOWN below.
 */

/** Tests that pass on plain node:http and fail through TSGI, each for a reason TSGI states. */
export const KNOWN = [
  {
    match:
      /^res \.status\(code\) accept valid ranges should set the response status code to (101|700|800|900)$/,
    reason:
      "SR-02: a TSGI status is 200-599 (1xx are the server's, IN-07); node:http writes any 3 digits. The engine refuses it and the server answers 500.",
  },
  {
    match: /^res when Transfer-Encoding header is present should not add Content-Length header/,
    reason:
      "SR-06: Transfer-Encoding is the server's (hop-by-hop): the app's is dropped and the body framed by the server; an empty body gets Content-Length: 0 (BODY-10).",
  },
  {
    match:
      /^res(\.redirect\(url\))? when accepting (html|text) should (escape|encode) the url$|prevent XSS/,
    reason:
      'ENV-34/SRV-15: the test sends `Host: http://example.com`, which is not a valid Host; the TSGI server answers 400 before any app runs, node:http passes it on.',
  },
];

import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const only = [];
let jsonOut;
let dir = resolve(here, '../../../.tmp/express-suite');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only.push(args[++i]);
  else if (args[i] === '--json') jsonOut = args[++i];
  else dir = resolve(args[i]);
}
let mocha = join(dir, 'node_modules/mocha/bin/mocha.js');
if (!existsSync(mocha)) mocha = createRequire(import.meta.url).resolve('mocha/bin/mocha.js');
if (!existsSync(join(dir, 'test/support/env.js'))) {
  console.error(`express-suite: no Express test suite at ${dir}`);
  process.exit(2);
}
const files =
  only.length > 0
    ? only
    : ['test/', 'test/acceptance/'].filter(
        (d) => existsSync(join(dir, d)) && readdirSync(join(dir, d)).length > 0,
      );

// mocha's JSON reports: outside the suite, so a run leaves the checkout as it was.
const reports = mkdtempSync(join(tmpdir(), 'express-suite-'));

/** Runs the suite once; `hook` is a module for `node --import`, or none for plain node:http. */
function run(label, hook) {
  const out = join(reports, `mocha-${label}.json`);
  const node = hook === undefined ? [] : ['--import', hook];
  const r = spawnSync(
    process.execPath,
    [
      ...node,
      mocha,
      '--require',
      'test/support/env',
      '--check-leaks',
      '--reporter',
      'json',
      '--reporter-option',
      `output=${out}`,
      ...files,
    ],
    { cwd: dir, encoding: 'utf8', timeout: 600_000, env: { ...process.env, NODE_ENV: 'test' } },
  );
  if (!existsSync(out)) {
    console.error(r.stdout, r.stderr);
    throw new Error(`express-suite: mocha (${label}) wrote no report`);
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const outcome = new Map();
  for (const t of report.passes) outcome.set(t.fullTitle, { ok: true });
  for (const t of report.failures)
    outcome.set(t.fullTitle, { ok: false, error: String(t.err?.message ?? '').split('\n')[0] });
  for (const t of report.pending) outcome.set(t.fullTitle, { ok: null });
  return { stats: report.stats, outcome };
}

const plain = run('plain');
const bridged = run('bridge', join(here, 'express-suite-hook.mjs'));
const diffs = [];
for (const [title, p] of plain.outcome) {
  const b = bridged.outcome.get(title);
  if (b === undefined || b.ok !== p.ok)
    diffs.push({ title, plain: p, bridge: b ?? { ok: false, error: 'not run' } });
}
for (const d of diffs) d.known = KNOWN.find((k) => k.match.test(d.title))?.reason;
const line = (label, s) =>
  `${label}: ${s.passes} passed, ${s.failures} failed, ${s.pending} pending of ${s.tests}`;
console.log(line('plain node:http      ', plain.stats));
console.log(line('fromNodeHandler+tsgi ', bridged.stats));
for (const d of diffs)
  console.log(
    `  ${d.known === undefined ? 'DIFFERS' : 'known'}: ${d.title}\n    plain: ${d.plain.ok ? 'pass' : `fail ${d.plain.error ?? ''}`}; bridge: ${d.bridge.ok ? 'pass' : `fail ${d.bridge.error ?? ''}`}${d.known === undefined ? '' : `\n    why: ${d.known}`}`,
  );
if (jsonOut !== undefined) {
  mkdirSync(dirname(resolve(jsonOut)), { recursive: true });
  writeFileSync(
    jsonOut,
    `${JSON.stringify({ files, plain: plain.stats, bridge: bridged.stats, differences: diffs }, null, 2)}\n`,
  );
}
rmSync(reports, { recursive: true, force: true });
process.exitCode = diffs.every((d) => d.known !== undefined) ? 0 : 1;
