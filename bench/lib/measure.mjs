// The interleaved wrk loop shared by the node:http, FastCGI and Apache CGI scenarios. For each
// workload and each round, every subject in turn (the order rotated every round, A B C, B C A,
// ..., so drift on a shared machine hits all alike) is started as a fresh process, checked once
// (first round), warmed up, measured with wrk and stopped. A fresh process per round because one
// process's JIT and memory layout are a draw of their own: the same build of @tsgi/node, hello
// world, measured 12.8 to 16.3 µs of CPU per request in twelve fresh processes, while the rounds
// of one process agree within a few per cent. With one process for every round, that draw is
// fixed for the whole run and the rounds' interval cannot show it. Only the subject being
// measured runs; its peak RSS (VmHWM) is reset before and read after each measurement.
import { cpuSeconds, peakOf, resetPeak } from './proc.mjs';
import { median, rotate, round } from './stats.mjs';
import { runWrk } from './wrk.mjs';

/**
 * @param {object} o
 * @param {string} o.group
 * @param {{id: string, name: string, workloads?: string[]}[]} o.subjects  the first one is the
 *   baseline; a subject with `workloads` runs only those
 * @param {{id: string, name: string, connections: number, postBytes?: number, warmRequests: number, check(res: Response, body: Uint8Array): string | undefined}[]} o.workloads
 * @param {(subject, workload) => Promise<{url: string, pids(): number[], stop(): Promise<void>}>} o.start
 * @param {{rounds: number, seconds: number, log(msg: string): void}} o.ctx
 * @param {boolean} [o.rss] report peak RSS (default true)
 * @param {typeof runWrk} [o.load] the load generator (tests pass their own)
 */
export async function interleave(o) {
  const { ctx } = o;
  const load = o.load ?? runWrk;
  const samples = new Map(); // `${workload}\0${subject}` → [{rps, p99_ms, rss_mb, errors}]
  const notes = new Map();
  const key = (w, s) => `${w.id}\0${s.id}`;
  for (const w of o.workloads) {
    const subjects = o.subjects.filter(
      (s) => s.workloads === undefined || s.workloads.includes(w.id),
    );
    for (const s of subjects) samples.set(key(w, s), []);
    const failed = new Set(); // a subject that failed before its measurement is not run again
    for (let r = 0; r < ctx.rounds; r++) {
      for (const s of rotate(subjects, r)) {
        if (failed.has(s.id)) continue;
        const k = key(w, s);
        let started;
        let warmed = false;
        try {
          started = await o.start(s, w);
          if (r === 0) {
            const problem = await check(started.url, w);
            if (problem !== undefined) notes.set(k, problem);
          }
          // Two runs of wrk, so that connections have closed and reopened before the measured
          // run opens its own: after one run, closing its connections and opening the next ones
          // still had V8 compile the paths that do it during the measurement (1 MiB echo, raw
          // node:http and @tsgi/node alike: 27-153 functions compiled in the 2 s measured, against
          // 4-12 after two runs; node --trace-opt, 2026-12-07).
          for (let half = 0; half < 2; half++) {
            await load({
              url: started.url,
              connections: Math.min(w.connections, 8),
              postBytes: w.postBytes,
              stopAfter: Math.ceil(w.warmRequests / 2),
              seconds: 60,
            });
          }
          warmed = true;
          const pids = started.pids();
          for (const pid of pids) resetPeak(pid);
          const cpu0 = cpuSeconds(pids);
          const m = await load({
            url: started.url,
            connections: w.connections,
            postBytes: w.postBytes,
            seconds: ctx.seconds,
          });
          const cpu = pids.length > 0 ? ((cpuSeconds(pids) - cpu0) * 1e6) / m.requests : null;
          const rss = o.rss === false ? null : peakOf(pids);
          samples
            .get(k)
            .push({ rps: m.rps, p99_ms: m.p99_ms, rss_mb: rss, cpu_us: cpu, errors: m.errors });
          ctx.log(
            `  round ${r + 1} ${w.name.padEnd(24)} ${s.name.padEnd(24)} ${Math.round(m.rps)
              .toString()
              .padStart(
                7,
              )} req/s  p99 ${m.p99_ms.toFixed(2)} ms${cpu === null ? '' : `  ${cpu.toFixed(1)} µs CPU/req`}${rss === null ? '' : `  peak RSS ${rss.toFixed(1)} MiB`}${m.errors > 0 ? `  ${m.errors} errors` : ''}`,
          );
        } catch (err) {
          notes.set(k, `failed: ${String(err.message).split('\n')[0]}`);
          ctx.log(`  ${w.id} ${s.id}: ${err.message}`);
          if (!warmed) failed.add(s.id);
        } finally {
          await started?.stop();
        }
      }
    }
  }
  const rows = [];
  for (const w of o.workloads) {
    const baseSamples = samples.get(key(w, o.subjects[0])) ?? [];
    const base = median(baseSamples.map((x) => x.rps));
    const baseCpu = median(baseSamples.map((x) => x.cpu_us).filter((x) => x !== null));
    for (const s of o.subjects) {
      if (s.workloads !== undefined && !s.workloads.includes(w.id)) continue;
      const xs = samples.get(key(w, s)) ?? [];
      const rps = median(xs.map((x) => x.rps));
      const cpu = median(xs.map((x) => x.cpu_us).filter((x) => x !== null));
      const rssList = xs.map((x) => x.rss_mb).filter((x) => x !== null);
      const errors = xs.reduce((a, x) => a + x.errors, 0);
      rows.push({
        group: o.group,
        scenario: w.name,
        subject: s.name,
        baseline: o.subjects[0].name,
        metric: 'rps',
        rps: round(rps, 0),
        p99_ms: round(median(xs.map((x) => x.p99_ms)), 2),
        rss_mb: rssList.length > 0 ? round(Math.max(...rssList), 1) : null,
        ratio_vs_baseline: rps !== null && base ? round(rps / base, 3) : null,
        // Server CPU time per request (all its processes and threads), and the baseline's
        // CPU per request over this subject's: a throughput ratio that machine load skews less.
        cpu_us_per_req: round(cpu, 1),
        cpu_ratio_vs_baseline: cpu && baseCpu ? round(baseCpu / cpu, 3) : null,
        rounds: xs.length,
        rps_rounds: xs.map((x) => round(x.rps, 0)),
        connections: w.connections,
        errors,
        notes: [notes.get(key(w, s)), errors > 0 ? `${errors} wrk errors` : undefined]
          .filter(Boolean)
          .join('; '),
      });
    }
  }
  return rows;
}

/** One request with fetch; returns a problem description or undefined. */
async function check(url, w) {
  try {
    const init =
      w.postBytes > 0
        ? { method: 'POST', body: new Uint8Array(w.postBytes).fill(0x78) }
        : { method: 'GET' };
    const res = await fetch(url, init);
    const body = new Uint8Array(await res.arrayBuffer());
    return w.check(res, body);
  } catch (err) {
    return `check request failed: ${err.message}`;
  }
}
