#!/usr/bin/env node
/**
 * Old-generation garbage per request: each node:http subject (bench/scenarios/node-http.mjs) in
 * fresh processes, loaded by wrk, with V8's sampling heap profiler keeping only the objects that
 * no minor GC collected, that is, those that reached the old generation (or were still alive when
 * sampling stopped). What a server leaves there per request decides how often V8 runs a major GC,
 * and each major GC clears what optimised code depends on weakly, so the request path is
 * deoptimised and compiled again: in a 1 MiB POST echo, @tsgi/node ran a major GC every 3-5 s
 * and raw node:http none in 30 s, until PendingRuns stopped reallocating a Set's table (README,
 * "Old-generation garbage").
 *
 *   node bench/old-generation.mjs                      raw node:http and @tsgi/node, 1 MiB echo
 *   BENCH_BEFORE=/path/to/tree node bench/old-generation.mjs    ... and the before build
 *   options: --subjects raw,tsgi,tsgi-before  --workloads echo,stream  --processes 3
 *            --warm 6000 (two runs of wrk, so connections close and reopen before measuring)
 *            --requests 30000  --top 12 (the allocation sites in @tsgi code to list)
 *
 * A count of bytes, not a time. The profile samples on average every 256 bytes allocated, so one
 * process's figure moves by a few per cent; each subject runs in several fresh processes.
 */
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startNodeServer } from './lib/proc.mjs';
import { median } from './lib/stats.mjs';
import { countedLoad, toolArgs } from './scenarios/node-http.mjs';

const SERVERS = fileURLToPath(new URL('./servers/', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./lib/old-generation-preload.cjs', import.meta.url));

/**
 * A sampling heap profile (`HeapProfiler.stopSampling`'s `profile`) as its total bytes and the
 * bytes by allocating frame (`function file:line`; V8 names the outermost function of an
 * optimised frame, so what was inlined counts for its caller), largest first. `own` charges each
 * sample to the innermost frame on its stack whose script path matches `ownPath` (for TSGI's
 * built packages, `/dist/`), so a builtin called from TSGI's code (`Set.prototype.delete`)
 * counts for its caller.
 */
export function profileSites(profile, ownPath = '/dist/') {
  const sites = new Map();
  const own = new Map();
  let total = 0;
  const add = (map, key, bytes) => map.set(key, (map.get(key) ?? 0) + bytes);
  const walk = (node, ownSite) => {
    const f = node.callFrame;
    const site = `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    const mine = f.url.includes(ownPath) ? site : ownSite;
    if (node.selfSize > 0) {
      add(sites, site, node.selfSize);
      if (mine !== undefined) add(own, mine, node.selfSize);
      total += node.selfSize;
    }
    for (const child of node.children) walk(child, mine);
  };
  walk(profile.head, undefined);
  const sorted = (map) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, sites: sorted(sites), own: sorted(own) };
}

/** Waits until the server's output contains `text` (the preload's acknowledgement). */
async function waitFor(h, text, from) {
  for (let i = 0; i < 200; i++) {
    if (h.output().indexOf(text, from) >= 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no "${text}" from the server`);
}

/** One fresh process: warm up, then the old-generation bytes and major GCs of `requests`. */
async function measureProcess(subject, workload, o) {
  const out = join(tmpdir(), `tsgi-old-generation-${process.pid}-${subject.id}.json`);
  const h = await startNodeServer(join(SERVERS, subject.script), [workload.id], {
    nodeArgs: ['--require', PRELOAD, '--trace-gc'],
    env: { ...(subject.env ?? {}), TSGI_OLD_GENERATION_OUT: out },
  });
  try {
    const load = countedLoad(h.port, workload);
    // Two runs, as bench/lib/measure.mjs warms up (connections closed and reopened).
    await load(Math.ceil(o.warm / 2));
    await load(Math.ceil(o.warm / 2));
    const from = h.output().length;
    process.kill(h.pid, 'SIGUSR2');
    await waitFor(h, 'old-generation: sampling', from);
    const m = await load(o.requests);
    process.kill(h.pid, 'SIGUSR2');
    await waitFor(h, 'old-generation: written', from);
    const { total, own } = profileSites(JSON.parse(readFileSync(out, 'utf8')));
    const majors = (
      h
        .output()
        .slice(from)
        .match(/Mark-Compact/g) ?? []
    ).length;
    return { bytes: total / m.requests, majors: (majors * 10000) / m.requests, own, n: m.requests };
  } finally {
    await h.stop();
    rmSync(out, { force: true });
  }
}

async function main() {
  const { values, subjects, workloads } = toolArgs(
    { workloads: 'echo', warm: '6000', requests: '30000' },
    { top: { type: 'string', default: '12' } },
  );
  const o = { warm: Number(values.warm), requests: Number(values.requests) };
  for (const w of workloads) {
    const results = new Map(subjects.map((s) => [s.id, []]));
    // Processes of different subjects alternate, so drift on the machine hits all alike.
    for (let p = 0; p < Number(values.processes); p++) {
      for (const s of subjects) {
        const r = await measureProcess(s, w, o);
        results.get(s.id).push(r);
        console.log(
          `  ${w.id} ${s.name}: ${r.bytes.toFixed(0)} B/request, ${r.majors.toFixed(2)} major GCs per 10,000 requests`,
        );
      }
    }
    console.log(`\n${w.name}: old-generation bytes per request, major GCs per 10,000 requests`);
    console.log('  (median of the processes, range; ratio to the first subject)');
    const base = median(results.get(subjects[0].id).map((r) => r.bytes));
    for (const s of subjects) {
      const rs = results.get(s.id);
      const bytes = rs.map((r) => r.bytes);
      const m = median(bytes);
      const range = `${Math.min(...bytes).toFixed(0)}-${Math.max(...bytes).toFixed(0)}`;
      const majors = median(rs.map((r) => r.majors)).toFixed(2);
      console.log(
        `    ${s.name.padEnd(28)} ${m.toFixed(0).padStart(6)} B  ${range.padEnd(11)} ${(m / base).toFixed(2)}  ${majors} major GCs`,
      );
    }
    // Where a TSGI subject's bytes come from: the innermost frame of its own code under each
    // sample (see profileSites), summed over the processes, per request.
    for (const s of subjects.filter((x) => x.id !== subjects[0].id)) {
      const rs = results.get(s.id);
      const n = rs.reduce((a, r) => a + r.n, 0);
      const own = new Map();
      for (const r of rs) for (const [site, b] of r.own) own.set(site, (own.get(site) ?? 0) + b);
      const top = [...own].sort((a, b) => b[1] - a[1]).slice(0, Number(values.top));
      if (top.length === 0) continue;
      console.log(`  ${s.name}, allocating frames in its own code (bytes per request):`);
      for (const [site, b] of top) console.log(`    ${(b / n).toFixed(1).padStart(7)}  ${site}`);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
