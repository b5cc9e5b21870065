// Group 4, memory of the TSGI node:http adapter, with raw node:http as the reference:
// (a) RSS sampled every tenth of a long run of hello-world requests (100k; 10k with --quick),
//     after a warm-up (30k requests, or a tenth if more) that is not sampled; the growth over
//     the ten samples (least squares, Theil–Sen, and the median of the nine steps) and the live
//     heap after a full GC before and after the run (servers started with --expose-gc) tell a
//     leak from heap sizing;
// (b) peak RSS growth while streaming 1 GiB (64 MiB with --quick) to a client that reads
//     slowly: with backpressure honoured it stays bounded whatever the size.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memory, resetPeak, sleep, startNodeServer } from '../lib/proc.mjs';
import { slowGet } from '../lib/slow-client.mjs';
import { medianStepSlope, round, slope, theilSen } from '../lib/stats.mjs';
import { runWrk } from '../lib/wrk.mjs';

const SERVERS = fileURLToPath(new URL('../servers/', import.meta.url));
export const group = 'memory';

const subjects = [
  { id: 'raw', name: 'node:http (raw)', script: 'raw.mjs' },
  { id: 'tsgi', name: 'TSGI @tsgi/node', script: 'tsgi-node.mjs' },
];

const MiB = 1024 * 1024;

/** (a) RSS after every tenth of `total` requests. */
async function requestRun(s, total, ctx) {
  const h = await startNodeServer(join(SERVERS, s.script), ['hello'], {
    nodeArgs: ['--expose-gc'],
    env: { BENCH_HEAP: '1' },
  });
  const liveHeap = async () => (await h.ask('SIGUSR2', 'heap')).heap_used / 2 ** 20;
  try {
    const url = `http://127.0.0.1:${h.port}/`;
    // Warm-up, not sampled: JIT and the heap's first growth are not a trend.
    await runWrk({ url, connections: 32, stopAfter: Math.max(total / 10, 30_000), seconds: 300 });
    // Live heap after a full GC, before and after the sampled run: a leak shows here even when
    // RSS moves for other reasons (V8 sizing its heap to the allocation rate).
    const heapStart = await liveHeap();
    const step = total / 10;
    const samples = [];
    let done = 0;
    for (let i = 0; i < 10; i++) {
      const m = await runWrk({ url, connections: 32, stopAfter: step, seconds: 300 });
      done += m.requests;
      samples.push({ requests: done, rss_mb: memory(h.pid).rss_mb });
    }
    const heapEnd = await liveHeap();
    // Growth per 10k requests over the ten samples: least squares; Theil–Sen; and the median of
    // the nine per-tenth slopes, which a step or two of V8 growing its heap does not move
    // wherever they fall (Theil–Sen only shrugs off a step near either end).
    const tenKs = samples.map((x) => x.requests / 10_000);
    const rss = samples.map((x) => x.rss_mb);
    const perTenK = slope(tenKs, rss);
    const robust = theilSen(tenKs, rss);
    const perStep = medianStepSlope(tenKs, rss);
    const last = samples[samples.length - 1];
    const row = {
      group,
      scenario: `RSS over ${total / 1000}k requests`,
      subject: s.name,
      metric: 'rss_mb',
      rps: null,
      p99_ms: null,
      rss_mb: round(last.rss_mb, 1),
      rss_first_mb: round(samples[0].rss_mb, 1),
      rss_samples_mb: samples.map((x) => round(x.rss_mb, 1)),
      requests: done,
      slope_mb_per_10k: round(perTenK, 3),
      theil_sen_mb_per_10k: round(robust, 3),
      step_median_mb_per_10k: round(perStep, 3),
      heap_used_start_mb: round(heapStart, 2),
      heap_used_end_mb: round(heapEnd, 2),
      heap_growth_mb: round(heapEnd - heapStart, 2),
      // The fitted growth from the first sample to the last, in MiB.
      trend_mb: round(perTenK * ((last.requests - samples[0].requests) / 10_000), 2),
      errors: 0,
      notes: '',
    };
    ctx.log(
      `  ${s.name.padEnd(18)} RSS ${row.rss_samples_mb.join(' ')} MiB; slope ${row.slope_mb_per_10k} (Theil–Sen ${row.theil_sen_mb_per_10k}, median step ${row.step_median_mb_per_10k}) MiB/10k; live heap ${row.heap_used_start_mb} → ${row.heap_used_end_mb} MiB`,
    );
    return row;
  } finally {
    await h.stop();
  }
}

/** (b) Peak RSS growth while `bytes` stream to a slow reader. */
async function slowStream(s, bytes, ctx) {
  const h = await startNodeServer(join(SERVERS, s.script), ['big'], {
    env: { BENCH_BIG_BYTES: String(bytes) },
  });
  try {
    // Warm the code path with a short fast read first, then measure from an idle process.
    await slowGet({ port: h.port, bytesPerSecond: 1024 * MiB, timeoutMs: 120_000 }).catch(() => {});
    await sleep(200);
    const before = memory(h.pid).rss_mb;
    resetPeak(h.pid);
    const rate = 128 * MiB;
    const got = await slowGet({ port: h.port, bytesPerSecond: rate });
    const peak = memory(h.pid).hwm_mb;
    const row = {
      group,
      scenario: `stream ${bytes >= 1024 * MiB ? `${bytes / 1024 / MiB} GiB` : `${bytes / MiB} MiB`} to a slow client`,
      subject: s.name,
      metric: 'rss_growth_mb',
      rps: null,
      p99_ms: null,
      rss_mb: round(peak, 1),
      rss_before_mb: round(before, 1),
      rss_growth_mb: round(peak - before, 1),
      bytes_received: got.bytes,
      client_mb_per_s: round(got.bytes / MiB / got.seconds, 1),
      errors: got.bytes < bytes ? 1 : 0,
      notes: got.bytes < bytes ? `short response: ${got.bytes} bytes` : '',
    };
    ctx.log(
      `  ${s.name.padEnd(18)} streamed ${round(got.bytes / MiB, 0)} MiB in ${round(got.seconds, 1)} s; RSS ${row.rss_before_mb} → peak ${row.rss_mb} MiB (+${row.rss_growth_mb})`,
    );
    return row;
  } finally {
    await h.stop();
  }
}

export async function run(ctx) {
  const total = ctx.quick ? 10_000 : 100_000;
  const bytes = ctx.quick ? 64 * MiB : 1024 * MiB;
  const rows = [];
  for (const s of subjects) rows.push(await requestRun(s, total, ctx));
  for (const s of subjects) rows.push(await slowStream(s, bytes, ctx));
  // Ratios against raw node:http, for context.
  for (const r of rows) {
    const base = rows.find((b) => b.scenario === r.scenario && b.subject === subjects[0].name);
    r.baseline = subjects[0].name;
    const key = r.metric === 'rss_growth_mb' ? 'rss_growth_mb' : 'rss_mb';
    r.ratio_vs_baseline = base?.[key] ? round(r[key] / base[key], 3) : null;
  }
  return rows;
}
