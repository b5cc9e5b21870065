#!/usr/bin/env node
/**
 * TSGI over HTTP/2 against raw node:http2 in the same run (issue 20), loaded by h2load (Debian's
 * nghttp2-client), over TLS on loopback.
 *
 *   pnpm build && node bench/http2.mjs [--rounds 5] [--requests 40000] [--workloads hello,stream]
 *
 * Subjects, one process each: node:http2's compat API `(req, res) => res.end(...)` (the API the
 * node frameworks use, the baseline of the ratios), node:http2's stream API (`stream.respond()`,
 * the API @tsgi/node builds on: node alone, the floor of any server on node:http2), and
 * `serve(app, { tls })` from @tsgi/node with the bench's TSGI app.
 * h2load opens few connections (`-c`) and multiplexes many streams on each (`-m`) for a fixed
 * number of requests (`-n`), so TLS handshakes (one per connection) are a negligible part of a
 * run for every subject alike. Rounds are interleaved (A B C, B C A, ...) after a warm-up; the
 * figures are medians of req/s and of server CPU time per request (schedstat).
 * Writes results/http2.{json,md}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { selfSignedCertificate } from '@tsgi/harness';
import { cpuSeconds, startNodeServer } from './lib/proc.mjs';
import { median, rotate, round } from './lib/stats.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    requests: { type: 'string', default: '40000' },
    workloads: { type: 'string', default: 'hello,stream' },
  },
});
const ROUNDS = Number(values.rounds);
const N = Number(values.requests);

const SUBJECTS = [
  { id: 'compat', name: 'node:http2 compat API (raw)', script: 'h2-raw.mjs', env: {} },
  {
    id: 'stream',
    name: 'node:http2 stream API (raw)',
    script: 'h2-raw.mjs',
    env: { API: 'stream' },
  },
  { id: 'tsgi', name: 'TSGI @tsgi/node (HTTP/2)', script: 'h2-tsgi.mjs', env: {} },
];
const WORKLOADS = {
  // 4 connections × 32 streams: a browser-like multiplexed load, no handshake per request.
  hello: { name: 'hello world', c: 4, m: 32, n: N, bytes: 13 },
  stream: { name: '64 KiB in 4 KiB chunks', c: 4, m: 8, n: Math.round(N / 8), bytes: 65536 },
};

if (spawnSync('h2load', ['--version']).status !== 0) {
  console.error('h2load not found: apt-get install -y nghttp2-client');
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), 'tsgi-h2-bench-'));
const { key: TLS_KEY, cert: TLS_CERT } = selfSignedCertificate(dir);

/** One h2load run: req/s, and the server's CPU seconds per request. */
function load(url, w, pid) {
  const cpu0 = cpuSeconds([pid]);
  const out = execFileSync(
    'h2load',
    ['-n', String(w.n), '-c', String(w.c), '-m', String(w.m), url],
    {
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const cpu = cpuSeconds([pid]) - cpu0;
  const rps = Number(/finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(out)?.[1]);
  const ok = Number(/(\d+) succeeded/.exec(out)?.[1]);
  const status2xx = Number(/status codes: (\d+) 2xx/.exec(out)?.[1]);
  if (ok !== w.n || status2xx !== w.n)
    throw new Error(`h2load: not every request succeeded:\n${out}`);
  return { rps, cpuPerRequest: cpu / w.n };
}

const rows = [];
try {
  for (const wid of values.workloads.split(',')) {
    const w = WORKLOADS[wid];
    const servers = new Map();
    for (const s of SUBJECTS) {
      const h = await startNodeServer(join(BENCH, 'servers', s.script), [wid], {
        env: { ...s.env, TLS_KEY, TLS_CERT },
      });
      servers.set(s.id, h);
    }
    const runs = new Map(SUBJECTS.map((s) => [s.id, []]));
    for (const s of SUBJECTS)
      load(
        `https://127.0.0.1:${servers.get(s.id).port}/`,
        { ...w, n: Math.round(w.n / 4) },
        servers.get(s.id).pid,
      ); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      for (const s of rotate(SUBJECTS, r)) {
        const h = servers.get(s.id);
        const m = load(`https://127.0.0.1:${h.port}/`, w, h.pid);
        runs.get(s.id).push(m);
        console.log(
          `${wid} round ${r + 1} ${s.id}: ${Math.round(m.rps)} req/s, ${round(m.cpuPerRequest * 1e6, 1)} µs CPU/request`,
        );
      }
    }
    for (const h of servers.values()) await h.stop();
    const base = runs.get('compat');
    const baseRps = median(base.map((m) => m.rps));
    const baseCpu = median(base.map((m) => m.cpuPerRequest));
    const floorRps = median(runs.get('stream').map((m) => m.rps));
    for (const s of SUBJECTS) {
      const rps = median(runs.get(s.id).map((m) => m.rps));
      const cpu = median(runs.get(s.id).map((m) => m.cpuPerRequest));
      rows.push({
        workload: wid,
        subject: s.name,
        rps: Math.round(rps),
        cpuPerRequestUs: round(cpu * 1e6, 1),
        rpsRatio: round(rps / baseRps, 2),
        // Higher is better, as rpsRatio: the baseline's CPU per request over this subject's.
        cpuRatio: round(baseCpu / cpu, 2),
        // Against node alone on the API @tsgi/node builds on: what the gateway itself costs.
        rpsVsStreamApi: round(rps / floorRps, 2),
        rounds: runs.get(s.id).map((m) => Math.round(m.rps)),
      });
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const h2loadVersion = spawnSync('h2load', ['--version'], { encoding: 'utf8' }).stdout.trim();
const results = {
  date: new Date().toISOString(),
  node: process.version,
  h2load: h2loadVersion,
  rounds: ROUNDS,
  rows,
};
writeFileSync(join(BENCH, 'results/http2.json'), `${JSON.stringify(results, null, 2)}\n`);
const md = [
  '# HTTP/2: TSGI against raw node:http2',
  '',
  `Generated by \`node bench/http2.mjs\` on ${results.date.slice(0, 10)} (Node.js ${process.version}, ${h2loadVersion}, ${ROUNDS} interleaved rounds, TLS on loopback). Ratios against the compat API baseline (the API Express, Koa and Fastify use), and req/s against the stream API (node alone on the API @tsgi/node builds on); CPU ratio is the baseline's server CPU per request over the subject's (higher is better).`,
  '',
  '| workload | subject | req/s | µs CPU/request | req/s ratio | CPU ratio | req/s vs stream API | h2load |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows.map((r) => {
    const w = WORKLOADS[r.workload];
    return `| ${w.name} | ${r.subject} | ${r.rps} | ${r.cpuPerRequestUs} | ${r.rpsRatio}× | ${r.cpuRatio}× | ${r.rpsVsStreamApi}× | -c ${w.c} -m ${w.m} -n ${w.n} |`;
  }),
  '',
].join('\n');
writeFileSync(join(BENCH, 'results/http2.md'), md);
console.log(`\n${md}`);
