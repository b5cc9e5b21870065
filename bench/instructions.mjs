#!/usr/bin/env node
/**
 * Instructions per request: each node:http subject (bench/scenarios/node-http.mjs) served under
 * valgrind's callgrind, loaded by wrk, its user-space instructions counted over fixed numbers of
 * requests. A count, not a time: on this 2-core VM a hello-world round's req/s moves by more
 * than the few per cent a before/after question needs, while the instructions of one process's
 * windows agree within about 0.5 %. What is left is the process's own draw (which functions V8
 * optimised and inlined), so each subject runs in several fresh processes.
 *
 *   node bench/instructions.mjs                       raw node:http and @tsgi/node, hello world
 *   BENCH_BEFORE=/path/to/tree node bench/instructions.mjs    ... and the before build
 *   options: --subjects raw,tsgi,tsgi-before  --workloads hello,stream  --processes 3
 *            --warm 80000  --windows 4  --requests 10000  --jobs 2
 *            --cache   also simulate the caches and branch predictor (about twice as slow): first-
 *                      level instruction and data read misses, mispredicted branches
 *
 * Instructions are not time (cache misses, system calls and the kernel's share are not in them),
 * but a change to what the adapter does per request shows in them at once. Needs valgrind
 * (`apt-get install valgrind`); each process takes about two minutes.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { waitReady } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { countedLoad, toolArgs } from './scenarios/node-http.mjs';

const SERVERS = fileURLToPath(new URL('./servers/', import.meta.url));

/**
 * The counts of one dump file by event name (callgrind's `events:` and `summary:` lines): `Ir`,
 * instructions; with --cache also `I1mr`/`D1mr` (first-level instruction and data read misses)
 * and `Bcm`/`Bim` (mispredicted conditional and indirect branches).
 */
export function dumpEvents(text) {
  const names = /^events: (.+)$/m.exec(text)?.[1].trim().split(/\s+/);
  const m = /^summary: (.+)$/m.exec(text);
  if (names === undefined || m === null) throw new Error('callgrind dump without a summary line');
  const counts = m[1].trim().split(/\s+/).map(Number);
  return Object.fromEntries(names.map((name, i) => [name, counts[i] ?? 0]));
}

/** The instructions of one dump file. */
export function dumpInstructions(text) {
  return dumpEvents(text).Ir;
}

// The first windows read high in every subject (about 40 % and 5 % over the rest: V8 is still
// optimising under valgrind's slower clock), so they are measured but left out.
const _SETTLING = 2;

/**
 * One fresh process of `subject` under callgrind: `warm` requests uncounted, then `_SETTLING` +
 * `windows` windows of `requests` requests, the counters zeroed before and dumped after each.
 * Returns the events per request (`dumpEvents`) of the last `windows` windows.
 */
async function measureProcess(subject, workload, o) {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-callgrind-'));
  const child = spawn(
    'valgrind',
    [
      '--tool=callgrind',
      ...(o.cache ? ['--cache-sim=yes', '--branch-sim=yes'] : []),
      `--callgrind-out-file=${join(dir, 'out.%p')}`,
      process.execPath,
      join(SERVERS, subject.script),
      workload.id,
    ],
    { env: { ...process.env, ...(subject.env ?? {}) }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  try {
    const h = await waitReady(child, subject.id, 120_000);
    const load = countedLoad(h.port, workload);
    await load(o.warm);
    const counts = [];
    for (let i = 0; i < _SETTLING + o.windows; i++) {
      execFileSync('callgrind_control', ['-z', String(child.pid)], { stdio: 'ignore' });
      const m = await load(o.requests);
      execFileSync('callgrind_control', ['-d', String(child.pid)], { stdio: 'ignore' });
      counts.push(m.requests);
    }
    await h.stop();
    // Dumps are numbered from 1 in the order taken; the final one (at exit) has no number.
    const dumps = readdirSync(dir)
      .map((f) => [f, Number(f.split('.')[2])])
      .filter(([, n]) => n > 0)
      .sort((a, b) => a[1] - b[1]);
    if (dumps.length !== counts.length) throw new Error(`${subject.id}: ${dumps.length} dumps`);
    return dumps.slice(_SETTLING).map(([f], i) => {
      const events = dumpEvents(readFileSync(join(dir, f), 'utf8'));
      const n = counts[_SETTLING + i];
      return Object.fromEntries(Object.entries(events).map(([k, v]) => [k, v / n]));
    });
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const { values, subjects, workloads } = toolArgs(
    { workloads: 'hello', warm: '80000', requests: '10000' },
    {
      windows: { type: 'string', default: '4' },
      jobs: { type: 'string', default: '2' },
      cache: { type: 'boolean', default: false },
    },
  );
  if (spawnSync('valgrind', ['--version']).error) {
    console.error('valgrind not found: apt-get install valgrind');
    process.exit(1);
  }
  const o = {
    warm: Number(values.warm),
    windows: Number(values.windows),
    requests: Number(values.requests),
    cache: values.cache,
  };
  const events = values.cache ? ['Ir', 'I1mr', 'D1mr', 'Bcm', 'Bim'] : ['Ir'];
  const processes = Number(values.processes);
  // Every process of every subject, interleaved so that a subject's processes are spread out.
  const tasks = [];
  for (const w of workloads)
    for (let p = 0; p < processes; p++) for (const s of subjects) tasks.push({ s, w });
  const results = new Map(); // `${w.id} ${s.id}` -> per-process medians
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const { s, w } = tasks[next++];
      const windows = await measureProcess(s, w, o);
      // The process's figure for each event: the median of its windows.
      const m = Object.fromEntries(events.map((e) => [e, median(windows.map((x) => x[e]))]));
      const key = `${w.id} ${s.id}`;
      results.set(key, [...(results.get(key) ?? []), m]);
      const irs = windows.map((x) => Math.round(x.Ir)).join(' ');
      console.log(`  ${w.id} ${s.name}: Ir ${irs} -> ${Math.round(m.Ir)}`);
    }
  };
  await Promise.all(Array.from({ length: Number(values.jobs) }, worker));
  for (const w of workloads) {
    console.log(`\n${w.name}, per request: median of ${processes} processes, range, ratio`);
    for (const e of events) {
      console.log(`  ${e}`);
      const base = median((results.get(`${w.id} ${subjects[0].id}`) ?? []).map((x) => x[e]));
      for (const s of subjects) {
        const xs = (results.get(`${w.id} ${s.id}`) ?? []).map((x) => x[e]);
        const m = median(xs);
        const digits = m < 1000 ? 1 : 0;
        const range = `${Math.min(...xs).toFixed(digits)}-${Math.max(...xs).toFixed(digits)}`;
        const ratio = base ? (m / base).toFixed(3) : '';
        console.log(
          `    ${s.name.padEnd(28)} ${m.toFixed(digits).padStart(8)}  ${range}  ${ratio}`,
        );
      }
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
