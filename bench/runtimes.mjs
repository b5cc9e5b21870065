#!/usr/bin/env node
// Bun, Deno and workerd (issue 18): TSGI's `serve` from @tsgi/serve against the runtime's own server in
// the same run, for hello world, 64 KiB streamed and a 1 MiB echo, with the interleaved wrk loop
// of the other scenarios (lib/measure.mjs). The binaries are the pinned root devDependencies.
//
//   node bench/runtimes.mjs [--rounds N] [--seconds S] [--only bun,deno,workerd] [--workloads hello,...]
//
// Writes results/runtimes.json and results/runtimes.md. Needs `pnpm build` first.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { interleave } from './lib/measure.mjs';
import { waitReady } from './lib/proc.mjs';
import { workloads } from './scenarios/node-http.mjs';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const ctx = {
  rounds: Number(arg('rounds', 4)),
  seconds: Number(arg('seconds', 2)),
  log: (m) => process.stdout.write(`${m}\n`),
};
const only = arg('only', 'bun,deno,workerd').split(',');
const wanted = arg('workloads', 'hello,stream,echo').split(',');

// The node:http group's workloads and warm-ups (scenarios/node-http.mjs), so both measure alike.
const WORKLOADS = workloads(false).filter((w) => wanted.includes(w.id));

function start(runtime, script, workload, env = {}) {
  const binary = findRuntime(runtime);
  if (binary === undefined) throw new Error(`${runtime} not found; run pnpm install`);
  const path = join(HERE, 'servers', script);
  const args = runtime === 'bun' ? [path, workload] : ['run', '-A', path, workload];
  const child = spawn(binary, args, {
    env: { ...process.env, ...env, PORT: '0', NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return waitReady(child, `${runtime} ${script} ${workload}`);
}

const loadBefore = loadavg()[0];
const rows = [];
for (const runtime of only.filter((r) => r !== 'workerd')) {
  const label = runtime === 'bun' ? 'Bun' : 'Deno';
  ctx.log(`${label}`);
  const subjects = [
    { id: 'raw', name: `${label}.serve (raw)`, script: 'runtime-raw.mjs' },
    { id: 'tsgi', name: 'TSGI @tsgi/serve', script: 'runtime-tsgi.mjs' },
    // The raw handler reading the URL, the headers and the peer address: what environ needs.
    {
      id: 'raw-read',
      name: `${label}.serve (raw, reads URL+headers)`,
      script: 'runtime-raw.mjs',
      env: { BENCH_READ: '1' },
      workloads: ['hello'],
    },
  ];
  rows.push(
    ...(await interleave({
      group: label,
      subjects,
      workloads: WORKLOADS,
      ctx,
      async start(s, w) {
        const h = await start(runtime, s.script, w.id, s.env);
        return { url: `http://127.0.0.1:${h.port}/`, pids: () => [h.pid], stop: () => h.stop() };
      },
    })),
  );
}

// workerd: hello world only; its own HTTP server in front of the worker (no listen call there).
if (only.includes('workerd') && wanted.includes('hello')) {
  ctx.log('workerd');
  rows.push(
    ...(await interleave({
      group: 'workerd',
      subjects: [
        { id: 'raw', name: 'workerd (raw worker)', script: 'worker-raw.mjs' },
        { id: 'tsgi', name: 'TSGI @tsgi/serve', script: 'worker-tsgi.mjs' },
      ],
      workloads: WORKLOADS.filter((w) => w.id === 'hello'),
      ctx,
      async start(s) {
        const server = await startRuntimeScript('workerd', join(HERE, 'servers', s.script));
        return {
          url: `${server.url}/`,
          pids: () => (server.pid === undefined ? [] : [server.pid]),
          stop: () => server.stop(),
        };
      },
    })),
  );
}

const md = [
  '| runtime | workload | subject | req/s | ratio vs raw | CPU µs/req | p99 ms | rounds |',
  '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.group} | ${r.scenario} | ${r.subject} | ${r.rps} | ${r.ratio_vs_baseline} | ${r.cpu_us_per_req} | ${r.p99_ms} | ${r.rounds} |`,
  ),
].join('\n');
mkdirSync(join(HERE, 'results'), { recursive: true });
const when = new Date().toISOString();
writeFileSync(
  join(HERE, 'results/runtimes.json'),
  `${JSON.stringify({ when, rounds: ctx.rounds, seconds: ctx.seconds, rows }, null, 2)}\n`,
);
writeFileSync(
  join(HERE, 'results/runtimes.md'),
  `# TSGI on Bun, Deno and workerd vs the runtime's own server\n\n${when}, ${ctx.rounds} rounds of ${ctx.seconds} s, wrk on 127.0.0.1 (2 cores shared by wrk and the server; 1-minute load average ${loadBefore.toFixed(1)} before the run, ${loadavg()[0].toFixed(1)} after: other work shares the machine, so compare within a row group, and prefer CPU µs/req).\n\n${md}\n`,
);
ctx.log(`\n${md}`);
