/**
 * The specification pages: spec/*.md rendered with an anchor per requirement ID and, under each
 * rule, the conformance cases and lint checks that cover it; plus one table of every requirement.
 * Requirements are parsed by scripts/spec-ids.mjs, the same parser that writes
 * spec/requirements.json, so the site and the JSON cannot disagree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSpec } from '../../scripts/spec-ids.mjs';
import { escapeHtml, relativeLink, sidebar } from './layout.mjs';
import { markdownTitle, renderMarkdown } from './markdown.mjs';
import { SPEC, TRACEABILITY } from './sources.mjs';

/** An environ key as the spec writes it in backticks: `PATH_INFO`, `tsgi.input`, `HTTP_*`. */
const ENVIRON_KEY = /^(?:tsgi\.[a-z_]+|[A-Z][A-Z0-9]*(?:_[A-Z0-9*]+)+|HTTPS)$/;

/** spec/NN-name.md → spec/NN-name.html; the README is the section's index. */
export function specPagePath(file) {
  return file === 'README.md' ? 'spec/index.html' : `spec/${file.replace(/\.md$/, '.html')}`;
}

/** The spec's Markdown files, README first, then in section order. */
export function specFiles() {
  if (!existsSync(SPEC)) return [];
  return readdirSync(SPEC)
    .filter((f) => f.endsWith('.md'))
    .sort((a, b) => (a === 'README.md' ? -1 : b === 'README.md' ? 1 : a.localeCompare(b)));
}

/**
 * Renders every spec page and the requirements table.
 * @param {import('./site.mjs').Site} site
 * @param {import('./coverage.mjs').Traceability} trace
 */
export function buildSpec(site, trace) {
  const reqs = existsSync(SPEC) ? parseSpec(SPEC) : [];
  for (const r of reqs) site.ids.set(r.id, `${specPagePath(r.file)}#${r.anchor}`);
  const files = specFiles();
  const sources = new Map(files.map((f) => [f, readFileSync(join(SPEC, f), 'utf8')]));
  const nav = files.map((f) => [markdownTitle(sources.get(f), f), specPagePath(f)]);
  nav.push(['All requirements', 'spec/requirements.html']);
  const coverage = (id) =>
    coverageHtml(
      reqs.find((r) => r.id === id),
      trace,
    );

  for (const file of files) {
    const path = specPagePath(file);
    const title = markdownTitle(sources.get(file), file);
    const { html, toc } = renderMarkdown(sources.get(file), {
      ids: site.idLinks(path),
      resolveLink: (href) => site.resolveLink(href, join(SPEC, file), path),
      coverage,
    });
    site.addPage({
      path,
      title,
      body: html,
      sidebar: sidebar(path, 'Specification', nav, toc),
      toc,
    });
  }
  for (const r of reqs) {
    site.search.push({
      t: r.id,
      d: `${r.level} · ${r.title}`,
      u: site.ids.get(r.id),
      k: 'requirement',
      x: r.text, // the whole rule, for full-text search
    });
  }
  _environKeys(site, reqs);
  _requirementsPage(site, reqs, trace, nav);
  return reqs;
}

/** Escapes a title and shows its `code` spans as code. */
function _code(text) {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** The note under each rule: its coverage, or why there is none. */
export function coverageHtml(req, trace) {
  const parts = [];
  if (req?.untestable) {
    parts.push(
      `<span class="cov-untestable">Untestable: ${escapeHtml(req.untestableReason ?? '')} Checked by review.</span>`,
    );
  }
  if (!trace.published) {
    parts.push('<span class="cov-none">coverage: not yet published</span>');
    return parts.join(' ');
  }
  const c = req ? trace.byId.get(req.id) : undefined;
  const list = (label, names) =>
    names.length === 0
      ? ''
      : `<span class="cov-${label}">${label}: ${names.map((n) => `<code>${escapeHtml(n)}</code>`).join(', ')}</span>`;
  if (!c || (c.cases.length === 0 && c.lint.length === 0)) {
    parts.push(`<span class="cov-none">coverage: none listed in ${TRACEABILITY}</span>`);
  } else {
    parts.push(list('cases', c.cases), list('lint', c.lint));
  }
  return parts.filter(Boolean).join(' ');
}

/** Search entries for environ keys, each pointing at the rule that defines the key. */
function _environKeys(site, reqs) {
  const envReqs = reqs.filter((r) => /environ/i.test(r.file) || r.id.startsWith('ENV-'));
  const best = new Map();
  for (const r of envReqs) {
    for (const m of r.text.matchAll(/`([^`]+)`/g)) {
      const key = m[1];
      if (!ENVIRON_KEY.test(key)) continue;
      // A rule that starts with the key defines it ("`PATH_INFO` MUST be present"): prefer it.
      const defines = r.text.startsWith(`\`${key}\``);
      const prev = best.get(key);
      if (!prev || (defines && !prev.defines)) best.set(key, { r, defines });
    }
  }
  for (const [key, { r }] of best) {
    site.search.push({
      t: key,
      d: `environ key · ${r.id}: ${r.title}`,
      u: site.ids.get(r.id),
      k: 'environ',
    });
  }
}

function _requirementsPage(site, reqs, trace, nav) {
  const path = 'spec/requirements.html';
  const rows = reqs
    .map((r) => {
      const c = trace.byId.get(r.id);
      const n = c ? c.cases.length + c.lint.length : 0;
      // Unpublished coverage is said once above the table, not in every row.
      const cov = !trace.published ? '–' : r.untestable ? 'untestable' : n === 0 ? 'none' : `${n}`;
      return `<tr><td><a href="${relativeLink(path, site.ids.get(r.id))}">${r.id}</a></td><td>${escapeHtml(r.level)}</td><td>${_code(r.title)}</td><td><a href="${relativeLink(path, specPagePath(r.file))}">${escapeHtml(r.section)}</a></td><td>${cov}</td></tr>`;
    })
    .join('\n');
  const json = site.sources.get(join(SPEC, 'requirements.json')) !== undefined;
  const body = `<h1 id="all-requirements">All requirements</h1>
<p>${reqs.length} rules, in document order, parsed from <code>spec/*.md</code> by <code>scripts/spec-ids.mjs</code>${
    json ? ' (the same list as <a href="requirements.json">requirements.json</a>)' : ''
  }. Coverage counts conformance cases and lint checks from <code>${TRACEABILITY}</code>${
    trace.published ? '' : ', which has not been published yet'
  }.</p>
<table class="reqs"><thead><tr><th>ID</th><th>Level</th><th>Rule</th><th>Section</th><th>Coverage</th></tr></thead>
<tbody>
${rows}
</tbody></table>`;
  site.addPage({
    path,
    title: 'All requirements',
    body,
    sidebar: sidebar(path, 'Specification', nav),
  });
}
