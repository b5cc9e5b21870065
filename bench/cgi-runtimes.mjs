#!/usr/bin/env node
// CGI start-up per runtime (issue 18): `tsgi cgi APP` run once per request by Node.js, Bun and
// Deno, against each runtime's bare start (an empty script), spawned directly with a CGI
// environment, interleaved, timed from spawn to exit; medians of N runs.
//
//   node bench/cgi-runtimes.mjs [--runs N]
//
// Writes results/cgi-runtimes.{json,md}. Needs `pnpm build` first.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRuntime } from '@tsgi/harness/runtimes';
import { median, percentile, rotate, round } from './lib/stats.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TSGI_BIN = join(HERE, '../packages/cli/bin/tsgi.cjs');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 30;

const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-runtimes-'));
const app = join(dir, 'app.mjs');
writeFileSync(
  app,
  `const body = new TextEncoder().encode('Hello, World!');
export default function hello(_environ, startResponse) {
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [body];
}
`,
);
const empty = join(dir, 'empty.mjs');
writeFileSync(empty, '');

const bun = findRuntime('bun');
const deno = findRuntime('deno');
const runtimes = [
  { id: 'node', name: 'Node.js', argv: [process.execPath] },
  ...(bun ? [{ id: 'bun', name: 'Bun', argv: [bun] }] : []),
  ...(deno ? [{ id: 'deno', name: 'Deno', argv: [deno, 'run', '-A'] }] : []),
];
const subjects = runtimes.flatMap((r) => [
  { id: `${r.id}-bare`, name: `${r.name}: empty script`, runtime: r, args: [empty] },
  {
    id: `${r.id}-tsgi`,
    name: `${r.name}: tsgi cgi app.mjs`,
    runtime: r,
    args: [TSGI_BIN, 'cgi', app],
  },
]);
const ENV = {
  PATH: '/usr/bin:/bin',
  HOME: dir,
  GATEWAY_INTERFACE: 'CGI/1.1',
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: '/cgi-bin/app',
  PATH_INFO: '/',
  QUERY_STRING: '',
  SERVER_NAME: '127.0.0.1',
  SERVER_PORT: '80',
  SERVER_PROTOCOL: 'HTTP/1.1',
  SERVER_SOFTWARE: 'bench',
  REMOTE_ADDR: '127.0.0.1',
};

function once(s) {
  const t = process.hrtime.bigint();
  const r = spawnSync(s.runtime.argv[0], [...s.runtime.argv.slice(1), ...s.args], { env: ENV });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const out = r.stdout.toString('latin1');
  if (s.id.endsWith('-tsgi') && !out.endsWith('Hello, World!'))
    throw new Error(
      `${s.name}: unexpected output ${JSON.stringify(out.slice(0, 200))} ${r.stderr}`,
    );
  return ms;
}

const samples = new Map(subjects.map((s) => [s.id, []]));
for (const s of subjects) for (let i = 0; i < 3; i++) once(s); // warm the page cache
for (let i = 0; i < RUNS; i++) for (const s of rotate(subjects, i)) samples.get(s.id).push(once(s));
rmSync(dir, { recursive: true, force: true });

const nodeBare = median(samples.get('node-bare'));
const rows = subjects.map((s) => {
  const xs = samples.get(s.id);
  return {
    subject: s.name,
    median_ms: round(median(xs), 1),
    p90_ms: round(percentile(xs, 90), 1),
    vs_bare_node: round(median(xs) / nodeBare, 2),
    runs: xs.length,
  };
});
const md = [
  '| subject | median ms | p90 ms | × bare node |',
  '| --- | ---: | ---: | ---: |',
  ...rows.map((r) => `| ${r.subject} | ${r.median_ms} | ${r.p90_ms} | ${r.vs_bare_node} |`),
].join('\n');
mkdirSync(join(HERE, 'results'), { recursive: true });
const when = new Date().toISOString();
writeFileSync(
  join(HERE, 'results/cgi-runtimes.json'),
  `${JSON.stringify({ when, rows }, null, 2)}\n`,
);
writeFileSync(
  join(HERE, 'results/cgi-runtimes.md'),
  `# CGI start-up per runtime\n\n${when}, ${RUNS} interleaved runs each, spawned directly with a CGI environment (2 shared cores).\n\n${md}\n`,
);
console.log(md);
