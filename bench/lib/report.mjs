// The results file (results/latest.json, its shape documented in README.md) and the tables
// printed to the console and written to results/latest.md. Pure functions: the smoke test
// (test/smoke.test.ts) runs them on a synthetic input.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { beforeAfter } from './before.mjs';

/** What machine ran the benchmark (the load average too: the machine may be shared). */
export function machineInfo() {
  let osName = `${os.type()} ${os.release()}`;
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (pretty) osName = `${pretty[1]}, ${osName}`;
  } catch {
    // not Linux, or no os-release
  }
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    node: process.version,
    os: osName,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    load_avg: os.loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** Required keys of each scenario row, and their types (`null` allowed where it says so). */
export const ROW_KEYS = {
  group: 'string',
  scenario: 'string',
  subject: 'string',
  rps: 'number|null',
  p99_ms: 'number|null',
  rss_mb: 'number|null',
  ratio_vs_baseline: 'number|null',
};

/** Assembles the results object in its documented key order. */
export function buildResults({
  machine,
  date,
  quick,
  elapsed_s,
  scenarios,
  targets,
  versions,
  before,
}) {
  return {
    machine,
    date,
    quick,
    elapsed_s,
    versions: versions ?? {},
    ...(before === undefined ? {} : { before }),
    scenarios: scenarios.map((r) => ({
      group: r.group,
      scenario: r.scenario,
      subject: r.subject,
      rps: r.rps ?? null,
      p99_ms: r.p99_ms ?? null,
      rss_mb: r.rss_mb ?? null,
      ratio_vs_baseline: r.ratio_vs_baseline ?? null,
      ...Object.fromEntries(
        Object.entries(r).filter(([k]) => !(k in ROW_KEYS) && r[k] !== undefined),
      ),
    })),
    targets,
  };
}

/** Problems with a results object's shape (empty when it is fine). */
export function validateResults(results) {
  const problems = [];
  const m = results?.machine;
  if (typeof m !== 'object' || m === null) problems.push('machine missing');
  else {
    for (const k of ['cpus', 'model', 'node', 'os'])
      if (m[k] === undefined) problems.push(`machine.${k} missing`);
  }
  if (typeof results?.date !== 'string' || Number.isNaN(Date.parse(results.date)))
    problems.push('date is not an ISO date');
  if (typeof results?.quick !== 'boolean') problems.push('quick is not a boolean');
  if (!Array.isArray(results?.scenarios)) problems.push('scenarios is not an array');
  else {
    results.scenarios.forEach((row, i) => {
      for (const [k, type] of Object.entries(ROW_KEYS)) {
        const v = row[k];
        const ok = type.split('|').some((t) => (t === 'null' ? v === null : typeof v === t));
        if (!ok) problems.push(`scenarios[${i}].${k} is ${JSON.stringify(v)}, expected ${type}`);
      }
    });
  }
  if (!Array.isArray(results?.targets)) problems.push('targets is not an array');
  return problems;
}

const fmt = (v, digits = 0) =>
  v === null || v === undefined
    ? '–'
    : Number(v).toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });

/** One row's cells for the scenario table. */
function cells(r) {
  let notes = r.notes ?? '';
  if (r.rss_samples_mb) {
    const extra = [];
    if (r.theil_sen_mb_per_10k !== undefined)
      extra.push(`Theil–Sen ${fmt(r.theil_sen_mb_per_10k, 2)}`);
    if (r.step_median_mb_per_10k !== undefined)
      extra.push(`median step ${fmt(r.step_median_mb_per_10k, 2)}`);
    const robust = extra.length === 0 ? '' : ` (${extra.join(', ')})`;
    const heap =
      r.heap_used_start_mb === undefined
        ? ''
        : `; live heap ${fmt(r.heap_used_start_mb, 1)} → ${fmt(r.heap_used_end_mb, 1)} MiB`;
    notes = `RSS ${r.rss_samples_mb[0]} → ${r.rss_samples_mb[r.rss_samples_mb.length - 1]} MiB, slope ${fmt(r.slope_mb_per_10k, 2)}${robust} MiB/10k req${heap}${notes ? `; ${notes}` : ''}`;
  } else if (r.rss_growth_mb !== undefined) {
    notes = `RSS ${r.rss_before_mb} → peak ${r.rss_mb} MiB (+${r.rss_growth_mb}), client ${r.client_mb_per_s} MiB/s${notes ? `; ${notes}` : ''}`;
  }
  const times = (v) => (v === null || v === undefined ? '–' : `${fmt(v, 2)}×`);
  return [
    r.group,
    r.scenario,
    r.subject,
    r.metric === 'ms' ? fmt(r.rps, 1) : fmt(r.rps),
    fmt(r.p99_ms, 2),
    r.ms === undefined ? '–' : fmt(r.ms, 1),
    fmt(r.cpu_us_per_req, 1),
    fmt(r.rss_mb, 1),
    times(r.ratio_vs_baseline),
    times(r.cpu_ratio_vs_baseline),
    notes,
  ];
}

const HEAD = [
  'group',
  'scenario',
  'subject',
  'req/s',
  'p99 ms',
  'ms/req',
  'CPU µs/req',
  'RSS MiB',
  'ratio',
  'CPU ratio',
  'notes',
];
const RIGHT = new Set([3, 4, 5, 6, 7, 8, 9]);

/** Renders rows as a Markdown table (`markdown: true`) or as aligned plain text. */
export function renderTable(head, rows, { markdown, right = new Set() }) {
  const esc = (s) => String(s).replaceAll('|', '\\|');
  if (markdown) {
    const lines = [
      `| ${head.join(' | ')} |`,
      `| ${head.map((_, i) => (right.has(i) ? '---:' : '---')).join(' | ')} |`,
    ];
    for (const r of rows) lines.push(`| ${r.map(esc).join(' | ')} |`);
    return lines.join('\n');
  }
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) =>
    r
      .map((c, i) => (right.has(i) ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The scenario table. */
export function scenarioTable(results, { markdown }) {
  return renderTable(HEAD, results.scenarios.map(cells), { markdown, right: RIGHT });
}

/** The targets table. */
export function targetTable(results, { markdown }) {
  const verdict = (h) => (h === null || h === undefined ? '–' : h ? 'holds' : 'MISSED');
  const rows = results.targets.map((t) => [
    t.target,
    t.value === null ? '–' : fmt(t.value, 3),
    t.bar,
    t.holds === null ? 'not measured' : verdict(t.holds),
    t.cpu_value === null || t.cpu_value === undefined ? '–' : fmt(t.cpu_value, 3),
    verdict(t.holds_by_cpu),
    t.paired_value === null || t.paired_value === undefined ? '–' : fmt(t.paired_value, 3),
    verdict(t.holds_paired),
  ]);
  return renderTable(
    [
      'target',
      'measured',
      'bar',
      'verdict',
      'by CPU/req',
      'verdict by CPU',
      'paired rounds',
      'verdict paired',
    ],
    rows,
    {
      markdown,
      right: new Set([1, 4, 6]),
    },
  );
}

/** One line naming the machine. */
export function machineLine(results) {
  const m = results.machine;
  return `${m.cpus} × ${m.model}, ${m.memory_gb ?? '?'} GiB, ${m.os}, Node ${m.node}; load average at start ${m.load_avg?.join(' ') ?? '?'}`;
}

/** The whole Markdown document (results/latest.md). */
export function renderMarkdown(results) {
  return `# TSGI benchmark results

${results.quick ? '**Quick run** (`pnpm bench --quick`: short rounds, small counts; indicative only).' : 'Full run (`pnpm bench`).'}
Date: ${results.date}. Machine: ${machineLine(results)}. Took ${results.elapsed_s} s.

Medians over interleaved rounds, each subject a fresh process every round; **ratio** is against
the first subject of each scenario (the baseline): req/s for throughput rows (higher is better),
ms per request for the CGI direct-spawn rows and RSS for the memory rows (lower is better).
**CPU µs/req** is the server's CPU time (all its processes and threads) per request, and **CPU
ratio** the baseline's CPU per request over the subject's: on a shared machine it moves less
with load than req/s. RSS is the peak (VmHWM) of the server process(es) during the measurement.
In the targets, **paired rounds** is the median of the two subjects' req/s ratio within each
round (measured seconds apart), which a slow phase of the machine moves less than the ratio of
medians. See bench/README.md for the method.

${scenarioTable(results, { markdown: true })}

## Targets

${targetTable(results, { markdown: true })}
${results.before === undefined ? '' : beforeSection(results)}`;
}

/** BENCH_BEFORE: the "(before)" rows against the working tree's, same run (lib/before.mjs). */
function beforeSection(results) {
  const { path, commit } = results.before;
  const rows = beforeAfter(results.scenarios).map((r) => [
    r.group,
    r.scenario,
    r.subject,
    _x(r.ratio),
    _x(r.paired),
    r.interval === null ? '–' : `${r.interval[0].toFixed(3)}–${r.interval[1].toFixed(3)}`,
    r.reading ?? '–',
    _x(r.cpu),
  ]);
  const head = [
    'group',
    'scenario',
    'subject',
    'by req/s (CGI direct: ms)',
    'paired rounds',
    '95 % interval',
    'reading',
    'by CPU/req',
  ];
  return `
## Before and after

The "(before)" rows are the same TSGI adapters built from ${commit === null ? `\`${path}\`` : `commit \`${commit}\``} (\`BENCH_BEFORE\`), measured in the same rounds as the working tree's. How many times better the working tree does: above 1 it is better. **paired**: the median of the two subjects' ratio round by round (req/s; ms per request for CGI direct spawns, 100 interleaved runs). **95 % interval**: the confidence interval of that ratio over the rounds; **reading**: \`better\` or \`worse\` when the whole interval is above or below 1, \`equal\` when it holds 1 (the rounds cannot tell the two builds apart).

${renderTable(head, rows, { markdown: true, right: new Set([3, 4, 5, 7]) })}
`;
}

function _x(value) {
  return value === null ? '–' : `${value.toFixed(3)}×`;
}

/** What `pnpm bench` prints at the end. */
export function renderConsole(results) {
  return `\nTSGI benchmarks${results.quick ? ' (--quick)' : ''}, ${results.date}\nMachine: ${machineLine(results)}\n\n${scenarioTable(results, { markdown: false })}\n\n${targetTable(results, { markdown: false })}\n`;
}
