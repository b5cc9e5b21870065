/**
 * The Benchmarks page (issue 24): the machine and date first, the targets with whether each
 * holds, then one bar chart per scenario (each subject's ratio to the scenario's baseline, drawn
 * at build time as SVG by Observable Plot on linkedom's DOM, no browser), then the full table.
 * The input is bench/run.mjs's latest.json: `{machine, date, versions, scenarios, targets}`.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { escapeHtml } from './layout.mjs';

/** Metrics where a smaller number is better (bench/README.md): the ratio reads the other way. */
const _LOWER_IS_BETTER = new Set(['ms', 'rss_mb', 'rss_growth_mb']);
const _UNIT = { rps: 'req/s', ms: 'ms/req', rss_mb: 'MiB RSS', rss_growth_mb: 'MiB RSS growth' };
const _COLOUR = { tsgi: '#0b5cad', baseline: '#9aa5b1', other: '#7cc4fa' };

/**
 * @param {unknown} data latest.json
 * @returns {string | undefined} the page body, or undefined when the data has another shape
 */
export function renderBenchmarks(data) {
  if (!data || !Array.isArray(data.scenarios) || data.scenarios.length === 0) return undefined;
  const groups = new Map();
  for (const s of data.scenarios) {
    const key = `${s.group} · ${s.scenario}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(s);
  }
  const charts = [...groups].map(([key, rows], i) => _chart(key, rows, i)).join('\n');
  return `${_headline(data)}
${_targets(data.targets)}
<h3 id="charts">Ratios per scenario</h3>
<p>Each bar is a subject's result over the scenario's baseline (the grey bar, 1.00×), on the same
machine in the same run. <span class="swatch" style="background:${_COLOUR.tsgi}"></span> TSGI,
<span class="swatch" style="background:${_COLOUR.other}"></span> others. Throughput rows: higher is
better; ms per request and memory rows: lower is better (each chart says which).</p>
<div class="bench-charts">
${charts}
</div>
<h3 id="table">All measurements</h3>
${_table(data.scenarios)}
${_versions(data.versions)}`;
}

function _headline(data) {
  const m = data.machine ?? {};
  const machine = [
    m.cpus && m.model ? `${m.cpus} × ${m.model}` : m.model,
    m.memory_gb ? `${m.memory_gb} GiB` : undefined,
    m.os,
    m.node ? `Node ${m.node}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  const items = [
    [
      'Date',
      data.date
        ? String(data.date)
            .replace('T', ' ')
            .replace(/\.\d+Z$/, ' UTC')
        : '–',
    ],
    ['Machine', machine || '–'],
    ['Load average at start', Array.isArray(m.load_avg) ? m.load_avg.join(' ') : '–'],
    ['Run', `${data.quick ? 'quick' : 'full'}${data.elapsed_s ? `, ${data.elapsed_s} s` : ''}`],
  ];
  return `<dl class="meta bench-meta">${items.map(([k, v]) => `<dt>${k}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`;
}

function _targets(targets) {
  if (!Array.isArray(targets) || targets.length === 0) return '';
  const yes = (v) =>
    v === undefined || v === null
      ? '–'
      : `<span class="outcome outcome-${v ? 'pass' : 'fail'}">${v ? '✓ holds' : '✗ misses'}</span>`;
  const rows = targets.map(
    (t) =>
      `<tr><td>${escapeHtml(t.target)}</td><td class="num">${_num(t.value)}</td><td>${escapeHtml(t.bar ?? '')}</td><td>${yes(t.holds)}</td><td>${yes(t.holds_by_cpu)}</td><td>${yes(t.holds_paired)}</td></tr>`,
  );
  const held = targets.filter((t) => t.holds || t.holds_by_cpu || t.holds_paired).length;
  return `<h3 id="targets">Targets: ${held} of ${targets.length} hold by at least one measure</h3>
<div class="table-wrap"><table class="report"><thead><tr><th>target</th><th>value</th><th>bar</th><th>by value</th><th>by CPU</th><th>paired rounds</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

function _chart(key, rows, i) {
  const metric = rows[0].metric;
  const lower = _LOWER_IS_BETTER.has(metric);
  const unit = _UNIT[metric] ?? metric;
  const data = rows.map((r) => ({
    subject: r.subject,
    ratio: r.ratio_vs_baseline,
    label: `${_num(r.ratio_vs_baseline, 2)}× (${_num(r[metric] ?? r.rps)} ${unit})`,
    colour:
      r.subject === r.baseline
        ? _COLOUR.baseline
        : /tsgi/i.test(r.subject)
          ? _COLOUR.tsgi
          : _COLOUR.other,
  }));
  const max = Math.max(1, ...data.map((d) => d.ratio ?? 0));
  const { document } = parseHTML('<!doctype html><html><body></body></html>');
  const svg = Plot.plot({
    document,
    width: 640,
    height: 34 + data.length * 26,
    marginLeft: 210,
    marginRight: 150,
    style: { fontSize: '12px', overflow: 'visible' },
    x: {
      domain: [0, max * 1.05],
      label: `ratio to baseline (${lower ? 'lower' : 'higher'} is better)`,
      grid: true,
    },
    y: { label: null, domain: data.map((d) => d.subject) },
    marks: [
      Plot.barX(data, { x: 'ratio', y: 'subject', fill: 'colour' }),
      Plot.ruleX([1], { stroke: '#1f2933', strokeDasharray: '3,3' }),
      Plot.text(data, {
        x: 'ratio',
        y: 'subject',
        text: 'label',
        dx: 4,
        textAnchor: 'start',
        fill: '#1f2933',
      }),
    ],
  });
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-labelledby', `chart-${i}`);
  return `<figure class="bench-chart"><figcaption id="chart-${i}">${escapeHtml(key)} <small>(${lower ? 'lower' : 'higher'} is better; baseline ${escapeHtml(rows[0].baseline)})</small></figcaption>${svg.outerHTML}</figure>`;
}

/** The columns of bench/results/latest.md, in its order. */
const _COLUMNS = [
  ['group', 'group'],
  ['scenario', 'scenario'],
  ['subject', 'subject'],
  ['rps', 'req/s'],
  ['p99_ms', 'p99 ms'],
  ['ms', 'ms/req'],
  ['cpu_us_per_req', 'CPU µs/req'],
  ['rss_mb', 'RSS MiB'],
  ['ratio_vs_baseline', 'ratio'],
  ['cpu_ratio_vs_baseline', 'CPU ratio'],
  ['notes', 'notes'],
];

function _table(scenarios) {
  const fmt = (k, v) => {
    if (v === undefined || v === null || v === '') return k === 'notes' ? '' : '–';
    if (k.includes('ratio')) return `${_num(v, 2)}×`;
    return typeof v === 'number' ? _num(v) : escapeHtml(v);
  };
  const rows = scenarios.map(
    (s) =>
      `<tr>${_COLUMNS.map(([k]) => `<td${typeof s[k] === 'number' ? ' class="num"' : ''}>${fmt(k, s[k])}</td>`).join('')}</tr>`,
  );
  return `<div class="table-wrap"><table class="report bench-table"><thead><tr>${_COLUMNS.map(([, h]) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table></div>`;
}

function _versions(versions) {
  if (!versions || typeof versions !== 'object') return '';
  return `<h3 id="versions">Versions</h3><dl class="meta">${Object.entries(versions)
    .map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`)
    .join('')}</dl>`;
}

function _num(v, digits) {
  if (typeof v !== 'number') return escapeHtml(v ?? '');
  if (digits !== undefined) return v.toFixed(digits);
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : String(Math.round(v * 100) / 100);
}
