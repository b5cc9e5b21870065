#!/usr/bin/env node
/**
 * TSGI benchmarks: every scenario side by side in one run, rounds interleaved, then a table of
 * medians and ratios, results/latest.json and results/latest.md. See README.md.
 *
 *   pnpm bench                       full run (about 30 minutes on 2 cores: a fresh, warmed-up process per subject and round)
 *   pnpm bench --quick               short rounds and small counts (about a minute)
 *   pnpm bench --only node,fastcgi   some groups only (node, fastcgi, scgi, cgi, memory, express)
 *   options: --rounds N  --seconds N (per wrk measurement)  --no-install
 *   pnpm bench --render              re-evaluate the targets and rewrite results/latest.md from
 *                                    results/latest.json (after a change to the report code)
 *
 * A full run writes results/latest.{json,md}; --quick writes results/quick.{json,md}.tmp and
 * --only results/partial.{json,md}.tmp (git ignores *.tmp), so that only a full run replaces
 * the published results.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { beforeInfo } from './lib/before.mjs';
import {
  buildResults,
  machineInfo,
  renderConsole,
  renderMarkdown,
  validateResults,
} from './lib/report.mjs';
import { evaluateTargets } from './lib/targets.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(BENCH, '..');
const GROUPS = {
  node: './scenarios/node-http.mjs',
  fastcgi: './scenarios/fastcgi.mjs',
  scgi: './scenarios/scgi.mjs',
  cgi: './scenarios/cgi.mjs',
  memory: './scenarios/memory.mjs',
  express: './scenarios/express.mjs',
};

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    'no-install': { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
  },
});

if (values.render) {
  // No measurement: the last full run's rows, with the current targets and tables.
  const dir = join(BENCH, 'results');
  const old = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8'));
  const results = buildResults({ ...old, targets: evaluateTargets(old.scenarios) });
  writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(dir, 'latest.md'), renderMarkdown(results));
  console.log(renderConsole(results));
  process.exit(validateResults(results).length > 0 ? 1 : 0);
}
const quick = values.quick;
const only = values.only?.split(',').map((s) => s.trim()) ?? Object.keys(GROUPS);
for (const g of only) {
  if (!(g in GROUPS)) {
    console.error(`unknown group ${g}; groups: ${Object.keys(GROUPS).join(', ')}`);
    process.exit(2);
  }
}
const ctx = {
  quick,
  // Short rounds, many of them: see README, Method (slow phases of a shared VM).
  rounds: Number(values.rounds ?? (quick ? 2 : 8)),
  seconds: Number(values.seconds ?? (quick ? 1 : 2)),
  log: (msg) => console.log(msg),
};

// 1. System tools: wrk, php-fpm and php-cgi (plus what the tests need) from Debian when missing.
if (!values['no-install']) {
  const deps = spawnSync(
    process.execPath,
    [
      join(ROOT, 'scripts/ensure-system-deps.mjs'),
      'wrk=wrk',
      'php-fpm8.2=php-fpm',
      'php-cgi=php-cgi',
    ],
    { stdio: 'inherit' },
  );
  if (deps.status !== 0) process.exit(deps.status ?? 1);
  // Debian may start its own php-fpm on install; keep the machine quiet.
  spawnSync('service', ['php8.2-fpm', 'stop'], { stdio: 'ignore' });
}
if (spawnSync('wrk', ['--version']).error) {
  console.error('wrk not found: apt-get install wrk (or run without --no-install)');
  process.exit(1);
}

// 2. The packages under test must be built.
const missing = ['core', 'node', 'fastcgi', 'cgi', 'harness'].filter(
  (p) => !existsSync(join(ROOT, 'packages', p, 'dist/index.js')),
);
if (missing.length > 0) {
  console.error(
    `not built: ${missing.map((p) => `packages/${p}`).join(', ')}; run pnpm build first`,
  );
  process.exit(1);
}

// 3. Run the groups, one after the other (each interleaves its own subjects).
const machine = machineInfo();
const date = new Date().toISOString();
const t0 = performance.now();
console.log(
  `TSGI benchmarks${quick ? ' (--quick)' : ''}: ${only.join(', ')}; ${ctx.rounds} rounds of ${ctx.seconds} s`,
);
console.log(
  `machine: ${machine.cpus} × ${machine.model}, ${machine.os}, Node ${machine.node}, load ${machine.load_avg.join(' ')}`,
);
const rows = [];
for (const g of only) {
  const mod = await import(GROUPS[g]);
  console.log(`\n== ${mod.group}`);
  const t = performance.now();
  rows.push(...(await mod.run(ctx)));
  console.log(`   (${((performance.now() - t) / 1000).toFixed(1)} s)`);
}

// 4. Results.
const results = buildResults({
  machine,
  date,
  quick,
  elapsed_s: Math.round((performance.now() - t0) / 1000),
  scenarios: rows,
  targets: evaluateTargets(rows),
  versions: versions(),
  before: beforeInfo(),
});
const problems = validateResults(results);
if (problems.length > 0) console.error(`results shape problems:\n  ${problems.join('\n  ')}`);
console.log(renderConsole(results));
const dir = join(BENCH, 'results');
mkdirSync(dir, { recursive: true });
const complete = only.length === Object.keys(GROUPS).length;
const [json, md] = !complete
  ? ['partial.json.tmp', 'partial.md.tmp']
  : quick
    ? ['quick.json.tmp', 'quick.md.tmp']
    : ['latest.json', 'latest.md'];
writeFileSync(join(dir, json), `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(join(dir, md), renderMarkdown(results));
console.log(`wrote bench/results/${json} and bench/results/${md} (${results.elapsed_s} s)`);
process.exitCode = problems.length > 0 ? 1 : 0;

/** Versions of the software compared. */
function versions() {
  const first = (cmd, args) => {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    return r.error ? null : `${r.stdout}${r.stderr}`.split('\n')[0].trim();
  };
  const pkg = (name) => {
    try {
      const p = join(BENCH, 'node_modules', name, 'package.json');
      return JSON.parse(readFileSync(p, 'utf8')).version;
    } catch {
      return null;
    }
  };
  return {
    wrk: first('wrk', ['--version']),
    nginx: first('nginx', ['-v']),
    apache: first('apache2', ['-v']),
    'php-fpm': first('php-fpm8.2', ['-v']),
    'php-cgi': first('php-cgi', ['-v']),
    srvx: pkg('srvx'),
    '@hono/node-server': pkg('@hono/node-server'),
    hono: pkg('hono'),
    fastify: pkg('fastify'),
    'node-fastcgi': pkg('node-fastcgi'),
  };
}
