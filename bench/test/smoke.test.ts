/**
 * The benchmark's result table and JSON shape on a tiny synthetic input: no server, no load,
 * no timing assertions (`pnpm bench` itself is not part of `pnpm test`).
 */
import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { dumpEvents, dumpInstructions } from '../instructions.mjs';
import { interleave } from '../lib/measure.mjs';
import {
  buildResults,
  machineInfo,
  renderConsole,
  renderMarkdown,
  type ScenarioRow,
  validateResults,
} from '../lib/report.mjs';
import { medianStepSlope, ratioInterval, theilSen } from '../lib/stats.mjs';
import { evaluateTargets } from '../lib/targets.mjs';
import { parseWrk } from '../lib/wrk.mjs';
import { profileSites } from '../old-generation.mjs';
import { summarise } from '../profile-summary.mjs';

const row = (
  group: string,
  scenario: string,
  subject: string,
  extra: Partial<ScenarioRow>,
): ScenarioRow => ({
  group,
  scenario,
  subject,
  rps: null,
  p99_ms: null,
  rss_mb: null,
  ratio_vs_baseline: null,
  ...extra,
});

const rows: ScenarioRow[] = [
  row('node:http', 'hello world', 'node:http (raw)', {
    rps: 10000,
    p99_ms: 2,
    rss_mb: 50,
    ratio_vs_baseline: 1,
    cpu_us_per_req: 10,
    rps_rounds: [10000, 8000, 10000],
  }),
  row('node:http', 'hello world', 'TSGI @tsgi/node', {
    rps: 9600,
    p99_ms: 2.1,
    rss_mb: 55,
    ratio_vs_baseline: 0.96,
    cpu_us_per_req: 10.5,
    // Round by round 0.93, 1.2 (a slow phase hit the baseline), 0.92: paired median 0.93.
    rps_rounds: [9300, 9600, 9200],
  }),
  row('node:http', 'hello world', 'srvx', {
    rps: 9000,
    ratio_vs_baseline: 0.9,
    cpu_us_per_req: 11,
  }),
  row('node:http', 'hello world', '@hono/node-server', {
    rps: 9700,
    ratio_vs_baseline: 0.97,
    cpu_us_per_req: 10.2,
  }),
  row('node:http', 'hello world', 'node:http (raw, string body)', {
    rps: 10500,
    ratio_vs_baseline: 1.05,
    cpu_us_per_req: 9.5,
  }),
  row('CGI', 'direct spawn, ms per request', 'bare node script, CommonJS', {
    metric: 'ms',
    ms: 36,
    rps: 27.8,
    ratio_vs_baseline: 0.9,
  }),
  row('CGI', 'direct spawn, ms per request', 'TSGI tsgi cgi app.cjs (sh wrapper)', {
    metric: 'ms',
    ms: 38,
    rps: 26.3,
    ratio_vs_baseline: 1.056,
  }),
  row('FastCGI (nginx)', 'hello world, 1 conn', 'php-fpm (1 child)', {
    rps: 5000,
    ratio_vs_baseline: 1,
  }),
  row('FastCGI (nginx)', 'hello world, 1 conn', 'TSGI @tsgi/fastcgi', {
    rps: 6000,
    ratio_vs_baseline: 1.2,
  }),
  row('FastCGI (nginx)', 'hello world, 1 conn', 'node-fastcgi', {
    rps: 3000,
    ratio_vs_baseline: 0.6,
  }),
  row('CGI', 'direct spawn, ms per request', 'bare node script', {
    metric: 'ms',
    ms: 40,
    rps: 25,
    ratio_vs_baseline: 1,
  }),
  row('CGI', 'direct spawn, ms per request', 'TSGI runCGIModule', {
    metric: 'ms',
    ms: 48,
    rps: 20.8,
    ratio_vs_baseline: 1.2,
  }),
  row('memory', 'RSS over 100k requests', 'node:http (raw)', {
    rss_mb: 60,
    slope_mb_per_10k: 0.1,
    rss_samples_mb: [59, 60],
  }),
  row('memory', 'RSS over 100k requests', 'TSGI @tsgi/node', {
    rss_mb: 62,
    slope_mb_per_10k: 0.2,
    theil_sen_mb_per_10k: 0.3,
    step_median_mb_per_10k: 0.1,
    heap_used_start_mb: 5,
    heap_used_end_mb: 5.05,
    heap_growth_mb: 0.05,
    requests: 100_000,
    rss_samples_mb: [61, 62],
  }),
  row('memory', 'stream 1 GiB to a slow client', 'TSGI @tsgi/node', {
    rss_mb: 70,
    rss_before_mb: 60,
    rss_growth_mb: 10,
    client_mb_per_s: 128,
  }),
];

function results() {
  return buildResults({
    machine: { cpus: 2, model: 'Test CPU', node: 'v20.0.0', os: 'Testix' },
    date: '2026-01-02T03:04:05.000Z',
    quick: true,
    elapsed_s: 1,
    scenarios: rows,
    targets: evaluateTargets(rows),
  });
}

/** Three decimals, as the targets report. */
const round = (x: number): number => Math.round(x * 1000) / 1000;

describe('bench results', () => {
  it('evaluates the targets from the rows', () => {
    const t = Object.fromEntries(evaluateTargets(rows).map((x) => [x.id, x]));
    expect(t['node-vs-raw']).toMatchObject({ value: 0.96, holds: true });
    expect(t['node-vs-raw']!.cpu_value).toBeCloseTo(10 / 10.5, 3);
    expect(t['node-vs-raw']).toMatchObject({ paired_value: 0.93, holds_paired: false });
    expect(t['node-vs-srvx']!.paired_value).toBe(null); // srvx has no per-round figures here
    expect(t['node-vs-raw-string']).toMatchObject({ value: round(9600 / 10500), holds: false });
    expect(t['cgi-cli-cjs-vs-bare-cjs']).toMatchObject({ value: round(38 / 36), holds: true });
    expect(t['node-vs-srvx']).toMatchObject({ holds: true });
    expect(t['node-vs-hono']).toMatchObject({ holds: false });
    expect(t['fastcgi-vs-php-fpm']).toMatchObject({ value: 1.2, holds: true });
    expect(t['fastcgi-vs-node-fastcgi']).toMatchObject({ value: 2, holds: true });
    expect(t['cgi-vs-bare-node']).toMatchObject({ value: 1.2, holds: false });
    expect(t['stream-rss-growth']).toMatchObject({ value: 10, holds: true });
    expect(t['requests-rss-trend']).toMatchObject({ value: 0.1, holds: true });
    expect(t['requests-heap-growth']).toMatchObject({ value: 0.05, holds: true });
    expect(t['fastcgi-vs-node-fastcgi-32']).toBeUndefined(); // not measured here
  });

  it('RSS growth per step ignores a heap-sizing step mid-run; a steady leak still shows', () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    // Flat but for one 6 MiB step between the 4th and 5th samples (bench run of 2026-11-25).
    const stepped = [62.5, 62, 62.2, 62.3, 68.1, 68.6, 68.8, 69, 69.1, 69.9];
    expect(theilSen(x, stepped)).toBeGreaterThan(0.8); // pulled by the step
    expect(medianStepSlope(x, stepped)).toBeCloseTo(0.2, 5);
    const leak = x.map((v) => 60 + 0.5 * v + (v % 2) * 0.1);
    expect(medianStepSlope(x, leak)).toBeGreaterThan(0.35);
  });

  it('the 95 % interval of paired ratios: a t interval on their logarithms', () => {
    // logs 0.1, -0.1, 0.3: mean 0.1, sd 0.2, t(2) 4.303 → 0.1 ± 0.4969
    const [low, high] = ratioInterval([Math.exp(0.1), Math.exp(-0.1), Math.exp(0.3)])!;
    expect(low).toBeCloseTo(Math.exp(0.1 - 0.49686), 4);
    expect(high).toBeCloseTo(Math.exp(0.1 + 0.49686), 4);
    expect(ratioInterval([1, 1, 1])).toEqual([1, 1]);
    expect(ratioInterval([1.2])).toBeNull();
    expect(ratioInterval([1, 0])).toBeNull();
  });

  it('builds JSON of the documented shape', () => {
    const r = JSON.parse(JSON.stringify(results()));
    expect(validateResults(r)).toEqual([]);
    expect(Object.keys(r).slice(0, 3)).toEqual(['machine', 'date', 'quick']);
    expect(Object.keys(r.scenarios[0]).slice(0, 7)).toEqual([
      'group',
      'scenario',
      'subject',
      'rps',
      'p99_ms',
      'rss_mb',
      'ratio_vs_baseline',
    ]);
    expect(r.scenarios[1].cpu_us_per_req).toBe(10.5); // extra keys are kept
    expect(validateResults({ ...r, scenarios: [{ ...r.scenarios[0], rps: '1' }] })).toEqual([
      'scenarios[0].rps is "1", expected number|null',
    ]);
    expect(validateResults({ ...r, machine: {} })).toContain('machine.model missing');
  });

  it('renders the Markdown and console tables', () => {
    const md = renderMarkdown(results());
    expect(md).toContain('**Quick run**');
    expect(md).toContain('2 × Test CPU');
    const table = md.split('\n').filter((l) => l.startsWith('| '));
    // header + separator + one line per scenario row, then the targets table
    expect(table[0]).toMatch(/^\| group \| scenario \| subject \| req\/s \|/);
    expect(table.filter((l) => l.includes('| node:http |'))).toHaveLength(5);
    expect(md).toContain('| TSGI @tsgi/node | 9,600 | 2.10 |');
    expect(md).toContain('RSS 60 → peak 70 MiB (+10)');
    expect(md).toContain(
      'slope 0.20 (Theil–Sen 0.30, median step 0.10) MiB/10k req; live heap 5.0 → 5.1 MiB',
    );
    expect(md).toMatch(
      /\| @tsgi\/node ≥ 0\.95 × raw node:http req\/s, hello world \| 0\.960 \| ≥ 0\.95 \| holds \|/,
    );
    const text = renderConsole(results());
    expect(text).toContain('MISSED');
    expect(text).not.toContain('| ');
  });

  it('compares the "(before)" rows of BENCH_BEFORE with the working tree, same run', () => {
    const pair = [
      row('node:http', 'hello world', 'TSGI @tsgi/node', {
        rps: 9600,
        cpu_us_per_req: 10,
        rps_rounds: [9000, 10000, 9600],
      }),
      row('node:http', 'hello world', 'TSGI @tsgi/node (before)', {
        rps: 9000,
        cpu_us_per_req: 11,
        rps_rounds: [10000, 9000, 9000],
      }),
      row('CGI', 'direct spawn, ms per request', 'TSGI runCGIModule', {
        ms: 40,
        metric: 'ms',
        ms_rounds: [40, 41, 40, 39],
      }),
      row('CGI', 'direct spawn, ms per request', 'TSGI runCGIModule (before)', {
        ms: 38,
        metric: 'ms',
        ms_rounds: [38, 38.5, 37.5, 38],
      }),
    ];
    const base = { ...results(), scenarios: pair };
    expect(renderMarkdown(base)).not.toContain('## Before and after');
    const md = renderMarkdown({ ...base, before: { path: '/tmp/x', commit: 'abc1234' } });
    expect(md).toContain('built from commit `abc1234` (`BENCH_BEFORE`)');
    // req/s 9600/9000; rounds 0.9, 1.111, 1.067 → 1.067, an interval that holds 1; CPU 11/10
    expect(md).toContain(
      '| node:http | hello world | TSGI @tsgi/node | 1.067× | 1.067× | 0.774–1.349 | equal | 1.100× |',
    );
    // ms: lower is better, so before's 38 over our 40; the rounds (0.95, 0.939, 0.938, 0.974)
    // are all below 1 and close together
    expect(md).toContain(
      '| CGI | direct spawn, ms per request | TSGI runCGIModule | 0.950× | 0.945× | 0.924–0.977 | worse | – |',
    );
  });

  it('reads the instruction count of a callgrind dump (instructions.mjs)', () => {
    // The head of a real dump (callgrind 3.19, `callgrind_control -d`), trimmed.
    const dump = [
      '# callgrind format',
      'version: 1',
      'creator: callgrind-3.19.0',
      'pid: 31693',
      'cmd:  /usr/bin/node /work/main/bench/servers/tsgi-node.mjs hello',
      'part: 5',
      'desc: Trigger: dump',
      'events: Ir',
      'summary: 498727281',
      'fl=(1) ???',
      'totals: 498727367',
    ].join('\n');
    expect(dumpInstructions(dump)).toBe(498727281);
    const cached = 'events: Ir I1mr D1mr Bcm\nsummary: 496488397 30620373 10210635 7630747\n';
    expect(dumpEvents(cached)).toEqual({
      Ir: 496488397,
      I1mr: 30620373,
      D1mr: 10210635,
      Bcm: 7630747,
    });
    expect(() => dumpInstructions('events: Ir\n')).toThrow(/summary/);
  });

  it("sums a sampling heap profile by frame, and by the innermost frame of TSGI's own code", () => {
    const frame = (functionName: string, url: string, lineNumber: number) => ({
      functionName,
      url,
      lineNumber,
    });
    const node = (
      callFrame: ReturnType<typeof frame>,
      selfSize: number,
      children: Parameters<typeof profileSites>[0]['head'][] = [],
    ) => ({ callFrame, selfSize, children });
    const profile = {
      head: node(frame('(root)', '', -1), 0, [
        node(frame('settled', 'file:///r/packages/server-node/dist/pending-runs.js', 30), 0, [
          node(frame('delete', '', -1), 2048),
        ]),
        node(frame('send', 'file:///r/packages/core/dist/response.js', 13), 512, [
          node(frame('write', 'node:_http_outgoing', 897), 256),
        ]),
        node(frame('onwrite', 'node:internal/streams/writable', 614), 1024),
      ]),
    };
    const r = profileSites(profile);
    expect(r.total).toBe(3840);
    expect(r.sites[0]).toEqual(['delete :0', 2048]);
    expect(r.own).toEqual([
      ['settled dist/pending-runs.js:31', 2048],
      ['send dist/response.js:14', 768],
    ]);
  });

  it('parses a wrk summary and a cpuprofile, and names the machine', () => {
    const w = parseWrk({
      requests: 2000,
      duration_us: 2_000_000,
      bytes: 1024 * 1024,
      connect: 0,
      read: 1,
      write: 0,
      status: 2,
      timeout: 0,
      p50_us: 500,
      p90_us: 900,
      p99_us: 1500,
      max_us: 3000,
      mean_us: 600,
    });
    expect(w).toMatchObject({ rps: 1000, p99_ms: 1.5, errors: 3, mb_per_s: 0.5 });
    const s = summarise([
      {
        nodes: [
          { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2] },
          { id: 2, callFrame: { functionName: 'f', url: 'node:http', lineNumber: 0 } },
        ],
        startTime: 0,
        endTime: 3000,
        samples: [2, 2, 1],
        timeDeltas: [1000, 1000, 1000],
      },
    ]);
    expect(s.total).toBeCloseTo(3, 5);
    expect(s.byOrigin[0]).toEqual(['node internals', 2]);
    const m = machineInfo();
    expect(m.cpus).toBeGreaterThan(0);
    expect(typeof m.model).toBe('string');
  });

  // Two subjects, one workload, three rounds, no RSS: what the interleave tests share.
  const twoSubjectsThreeRounds = {
    group: 'g',
    subjects: [
      { id: 'a', name: 'A' },
      { id: 'b', name: 'B' },
    ],
    workloads: [{ id: 'w', name: 'W', connections: 4, warmRequests: 10, check: () => undefined }],
    ctx: { rounds: 3, seconds: 1, log: () => {} },
    rss: false,
  };

  it('measures each round in a fresh process of each subject, the order rotated', async () => {
    // Real servers (one node:http server stands for each process), a stand-in for wrk: the
    // test is about which process each measurement reaches, not about load.
    const events: string[] = [];
    let started = 0;
    const rows = await interleave({
      ...twoSubjectsThreeRounds,
      start: async (s) => {
        const n = ++started;
        const server = createServer((_req, res) => res.end('ok'));
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
        const { port } = server.address() as { port: number };
        events.push(`start ${s.id}${n}`);
        return {
          url: `http://127.0.0.1:${port}/${s.id}${n}`,
          pids: () => [],
          stop: () => {
            events.push(`stop ${s.id}${n}`);
            return new Promise<void>((resolve) => server.close(() => resolve()));
          },
        };
      },
      load: async (o) => {
        events.push(`${o.stopAfter === undefined ? 'measure' : 'warm'} ${o.url.split('/').pop()}`);
        return { requests: 100, rps: 100, p99_ms: 1, errors: 0 };
      },
    });
    const round = (x: string, y: string) =>
      [x, y].flatMap((id) => [
        `start ${id}`,
        `warm ${id}`,
        `warm ${id}`,
        `measure ${id}`,
        `stop ${id}`,
      ]);
    expect(events).toEqual([...round('a1', 'b2'), ...round('b3', 'a4'), ...round('a5', 'b6')]);
    expect(rows.map((r) => [r.subject, r.rounds])).toEqual([
      ['A', 3],
      ['B', 3],
    ]);
  });

  it('a subject that fails before its measurement is not started again', async () => {
    const starts: string[] = [];
    const rows = await interleave({
      ...twoSubjectsThreeRounds,
      start: async (s) => {
        starts.push(s.id);
        // No server: the check's request fails and says so in the notes.
        return { url: `http://127.0.0.1:9/${s.id}`, pids: () => [], stop: async () => {} };
      },
      load: async (o) => {
        if (o.url.endsWith('/b') && o.stopAfter !== undefined) throw new Error('warm-up refused');
        return { requests: 10, rps: 10, p99_ms: 1, errors: 0 };
      },
    });
    expect(starts).toEqual(['a', 'b', 'a', 'a']);
    expect(
      rows.map((r) => [r.subject, r.rounds, String(r.notes).startsWith('failed: warm-up')]),
    ).toEqual([
      ['A', 3, false],
      ['B', 0, true],
    ]);
  });
});
