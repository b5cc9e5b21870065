/**
 * The Conformance page as a grid (issue 24): one row per case, one column per server and runtime,
 * ✓/✗/⚑/≈/◌/–/n-a cells with the requirement ID, the finding or message on hover and listed
 * below, sections that can be filtered. The cell symbols come from the matrix's own renderer
 * (conformance/scripts/matrix-render.ts, which writes matrix.md), loaded through tsx, so the page
 * and matrix.md cannot disagree.
 */
import { tsImport } from 'tsx/esm/api';
import { escapeHtml, relativeLink } from './layout.mjs';
import { ROOT } from './sources.mjs';

const _STATUS_CLASS = {
  pass: 'pass',
  fail: 'fail',
  relaxed: 'relaxed',
  unobservable: 'unobservable',
  skip: 'skip',
  'n/a': 'na',
};

const _LEGEND = [
  ['pass', '✓', 'pass'],
  ['fail', '✗', 'fail (the requirement it breaks)'],
  ['front', '⚑', 'fails because of the web server in front (finding below)'],
  ['relaxed', '≈', 'relaxed: a core rule the profile relaxes'],
  ['unobservable', '◌', 'cannot be observed with this configuration'],
  ['skip', '–', 'skipped: an optional feature is absent'],
  ['na', 'n/a', 'a case of another profile'],
];

/** The matrix renderer's `cell()`, loaded once per build. */
let _render;
async function _renderer() {
  _render ??= await tsImport(`${ROOT}/conformance/scripts/matrix-render.ts`, import.meta.url);
  return _render;
}

/**
 * @param {unknown} data matrix.json: one record per column `{config, summary, cases: [...]}`
 * @param {{site: import('./site.mjs').Site, path: string}} ctx
 * @returns {Promise<string | undefined>} the grid, or undefined when the data has another shape
 */
export async function renderConformance(data, ctx) {
  if (!Array.isArray(data) || !data.every((c) => c && Array.isArray(c.cases))) return undefined;
  const { cell } = await _renderer();
  const columns = data;
  const ran = columns.filter((c) => c.cases.length > 0);
  const ids = [];
  for (const c of ran) for (const r of c.cases) if (!ids.includes(r.id)) ids.push(r.id);
  const level = new Map(ran.flatMap((c) => c.cases.map((r) => [r.id, r.level])));
  const sections = [...new Set(ids.map(_section))];
  const link = (req) =>
    ctx.site.ids.has(req) ? relativeLink(ctx.path, ctx.site.ids.get(req)) : undefined;

  const notes = [];
  const td = (col, r) => {
    if (r === undefined) return '<td class="c-none"></td>';
    const text = cell(col.config, r);
    const [symbol] = text.split(' ');
    const front = r.status === 'fail' && r.frontEnd;
    const cls = front ? 'front' : _STATUS_CLASS[r.status];
    const why = r.frontEnd ?? r.message ?? '';
    // The symbol alone keeps the grid narrow; the ID and the finding are on hover and below.
    let symbolHtml = escapeHtml(symbol);
    if (r.status === 'fail' || r.status === 'relaxed') {
      notes.push({ col: col.config, r, text });
      symbolHtml = `<a href="#n${notes.length}">${symbolHtml}</a>`;
    }
    const title = `${col.config} · ${r.id}: ${text}${why ? ` · ${why}` : ''}`;
    return `<td class="c c-${cls}" title="${escapeHtml(title)}">${symbolHtml}</td>`;
  };

  const head = columns
    .map((c) => `<th class="rot" scope="col"><span>${escapeHtml(c.config)}</span></th>`)
    .join('');
  const summary = columns
    .map((c) => {
      const s = c.summary;
      if (!s) return `<td class="c-sum" title="${escapeHtml(c.skipped ?? '')}">skipped</td>`;
      const bad = (c.unexplained ?? []).length;
      const title = `${c.config}: ${s.pass} pass, ${s.relaxed ?? 0} relaxed, ${s.fail - bad} front end, ${bad} fail, ${s.unobservable ?? 0} unobservable, ${s.skip ?? 0} skipped`;
      return `<td class="c-sum" title="${escapeHtml(title)}"><b>${s.pass}</b>✓${bad ? `<br><b class="c-fail">${bad}</b>✗` : ''}${s.fail - bad ? `<br>${s.fail - bad}⚑` : ''}</td>`;
    })
    .join('');
  const body = sections
    .map((sec) => {
      const rows = ids
        .filter((id) => _section(id) === sec)
        .map((id) => {
          const cells = columns.map((c) =>
            td(
              c,
              c.cases.find((r) => r.id === id),
            ),
          );
          const lv = level.get(id) ?? '';
          return `<tr data-section="${escapeHtml(sec)}"><th scope="row"><code>${escapeHtml(id)}</code> <span class="lvl lvl-${lv.toLowerCase()}">${escapeHtml(lv)}</span></th>${cells.join('')}</tr>`;
        });
      return `<tr class="c-section" data-section="${escapeHtml(sec)}"><th colspan="${columns.length + 1}" id="sec-${escapeHtml(sec)}">${escapeHtml(sec)}</th></tr>\n${rows.join('\n')}`;
    })
    .join('\n');

  const filter = `<p class="grid-filter"><label for="grid-section">Section</label> <select id="grid-section"><option value="">all ${ids.length} cases</option>${sections
    .map(
      (s) =>
        `<option value="${escapeHtml(s)}">${escapeHtml(s)} (${ids.filter((id) => _section(id) === s).length})</option>`,
    )
    .join(
      '',
    )}</select> <label><input type="checkbox" id="grid-problems"> only rows with a failure, finding or relaxation</label></p>`;
  const legend = `<ul class="grid-legend">${_LEGEND.map(([cls, sym, what]) => `<li><span class="c c-${cls}">${sym}</span> ${escapeHtml(what)}</li>`).join('')}</ul>`;
  const noteList = notes
    .map(({ col, r, text }, i) => {
      const req = r.requirement ?? r.relaxedBy;
      const href = req ? link(req) : undefined;
      const reqHtml = req ? (href ? `<a href="${href}">${req}</a>` : escapeHtml(req)) : r.level;
      const why = r.frontEnd ?? r.message;
      return `<li id="n${i + 1}"><b>${escapeHtml(col)}</b>, <code>${escapeHtml(r.id)}</code> ${escapeHtml(text.split(' ')[0])} ${reqHtml}${why ? `: ${escapeHtml(why)}` : ''}</li>`;
    })
    .join('\n');

  return `${legend}
${filter}
<div class="table-wrap grid-wrap"><table class="grid" id="conformance-grid"><thead><tr><th scope="col">Case</th>${head}</tr></thead>
<tbody><tr class="c-summary"><th scope="row">summary</th>${summary}</tr>
${body}
</tbody></table></div>
<details id="findings" class="grid-notes"><summary>${notes.length} failures, front-end findings and relaxations, with the requirement and why</summary>
<ol>${noteList}</ol></details>
<script>
(() => {
  const sel = document.getElementById('grid-section');
  const bad = document.getElementById('grid-problems');
  const apply = () => {
    for (const tr of document.querySelectorAll('#conformance-grid tbody tr[data-section]')) {
      const inSection = !sel.value || tr.dataset.section === sel.value;
      const problem = tr.classList.contains('c-section') || tr.querySelector('.c-fail, .c-front, .c-relaxed');
      tr.hidden = !(inSection && (!bad.checked || problem));
    }
  };
  const open = () => {
    if (/^#nd+$/.test(location.hash)) document.getElementById('findings').open = true;
  };
  addEventListener('hashchange', open);
  open();
  sel.addEventListener('change', apply);
  bad.addEventListener('change', apply);
})();
</script>`;
}

/** `environ/shape` → `environ`. */
function _section(id) {
  return id.split('/')[0];
}
