/**
 * The generated report pages (conformance matrix, frameworks by server, benchmarks). Each is
 * rendered from the JSON a test or benchmark run writes, never from copied numbers, and the JSON
 * is published beside the page. The formats belong to those runs and may change, so rendering is
 * generic: scalars become a definition list, arrays of records become tables, a map of maps
 * (server → ID → outcome) becomes a matrix, and a report may name a list to pivot (rows ×
 * columns). When the JSON is absent the page says so and names the command that writes it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { escapeHtml, relativeLink, sidebar } from './layout.mjs';
import { renderBenchmarks } from './report-benchmarks.mjs';
import { renderConformance } from './report-conformance.mjs';
import { packageScripts, REPORTS, ROOT } from './sources.mjs';

const OUTCOME =
  /^(pass|passed|ok|fail|failed|error|skip|skipped|n\/a|na|not applicable|untested|xfail|relaxed|unobservable)$/i;
const ID = /^[A-Z]+(?:-[A-Z]+)?-\d{2}$/;

/** The JSON files a report reads: the first listed file that exists, or every *.json in a folder. */
export function reportInputs(files) {
  for (const rel of files) {
    const abs = isAbsolute(rel) ? rel : join(ROOT, rel);
    if (!existsSync(abs)) continue;
    if (!statSync(abs).isDirectory()) return [abs];
    const found = readdirSync(abs)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => join(abs, f));
    if (found.length > 0) return found;
  }
  return [];
}

/** The command that writes a report: a package script mentioning the file or matching `script`. */
function _command(report) {
  const scripts = packageScripts();
  const base = report.files[0].split('/').pop();
  const hit =
    scripts.find((s) => s.body.includes(base)) ??
    (report.script ? scripts.find((s) => report.script.test(s.name)) : undefined);
  if (hit) return `<code>${escapeHtml(hit.cmd)}</code>`;
  return escapeHtml(report.fallback).replace(/`([^`]+)`/g, '<code>$1</code>');
}

/** Readable renderings of the reports whose shape we know (issue 24); `render` in REPORTS. */
const _RENDERERS = { conformance: renderConformance, benchmarks: renderBenchmarks };

/** @param {import('./site.mjs').Site} site */
export async function buildReports(site) {
  const nav = REPORTS.map((r) => [r.title, `reports/${r.slug}.html`]);
  for (const report of REPORTS) {
    const path = `reports/${report.slug}.html`;
    const ctx = { site, path };
    const toc = [];
    let body = `<h1>${escapeHtml(report.title)}</h1>\n<p>${escapeHtml(report.intro)}</p>\n`;
    const inputs = reportInputs(report.files);
    if (inputs.length === 0) {
      body += `<div class="not-generated" id="not-generated"><p><strong>Not generated yet.</strong> This page is built from <code>${escapeHtml(report.files[0])}</code>, which does not exist in this checkout. It is written by ${_command(report)}; run that, then <code>pnpm docs:build</code>.</p></div>\n`;
    }
    for (const abs of inputs) {
      const rel = abs.startsWith(`${ROOT}/`) ? abs.slice(ROOT.length + 1) : abs;
      const id = rel.replace(/[^\w]+/g, '-').toLowerCase();
      toc.push({ level: 2, id, text: rel });
      let data;
      try {
        data = JSON.parse(readFileSync(abs, 'utf8'));
      } catch (err) {
        site.warn(`${rel}: not valid JSON (${err.message})`);
        body += `<h2 id="${id}">${escapeHtml(rel)}</h2><p>Not valid JSON: ${escapeHtml(err.message)}</p>`;
        continue;
      }
      // The JSON ships with the page, so every number can be traced to its source.
      const copy = `reports/data/${report.slug}-${rel.split('/').pop()}`;
      site.copy(abs, copy);
      // A known shape gets its readable page; anything else falls back to the generic one.
      const readable = report.render ? await _RENDERERS[report.render](data, ctx) : undefined;
      body += `<h2 id="${id}">From <code>${escapeHtml(rel)}</code></h2>\n<p class="source"><a href="${relativeLink(path, copy)}">The JSON</a> this section is generated from.</p>\n${readable ?? _report(data, report, ctx)}\n`;
    }
    site.addPage({
      path,
      title: report.title,
      body,
      toc,
      sidebar: sidebar(path, 'Reports', nav, toc),
    });
  }
}

/** A report's JSON: its pivot table first when it has one, then the rest of the data. */
function _report(data, report, ctx) {
  const list = report.pivot && _isObject(data) ? data[report.pivot.from] : undefined;
  if (!Array.isArray(list) || !list.every(_isObject)) return renderJson(data, ctx);
  const rest = Object.fromEntries(Object.entries(data).filter(([k]) => k !== report.pivot.from));
  return `${_pivot(list, report.pivot, ctx)}\n<details><summary>The rest of the data</summary>\n${renderJson(rest, ctx)}\n</details>`;
}

/** Records → rows × columns; a cell shows passed/total (and what differed), or its outcome. */
function _pivot(list, { rows, cols }, ctx) {
  const rowKeys = [...new Set(list.map((r) => String(r[rows])))];
  const colKeys = [...new Set(list.map((r) => String(r[cols])))];
  const cell = (r) => {
    if (r === undefined) return '';
    if (typeof r.passed !== 'number' || typeof r.failed !== 'number') {
      return _scalar(r.outcome ?? r.status ?? r.result ?? '', ctx);
    }
    const ok = r.failed === 0;
    const diffs = (Array.isArray(r.differences) ? r.differences : [])
      .map((d) => `<li>${escapeHtml(d)}</li>`)
      .join('');
    return `<span class="outcome outcome-${ok ? 'pass' : 'fail'}">${ok ? '✓' : '✗'} ${r.passed}/${r.passed + r.failed}</span>${diffs ? `<ul class="diffs">${diffs}</ul>` : ''}`;
  };
  const find = (rk, ck) => list.find((r) => String(r[rows]) === rk && String(r[cols]) === ck);
  const trs = rowKeys.map(
    (rk) =>
      `<tr><th>${escapeHtml(rk)}</th>${colKeys.map((ck) => `<td>${cell(find(rk, ck))}</td>`).join('')}</tr>`,
  );
  return `<div class="table-wrap"><table class="report matrix"><thead><tr><th>${escapeHtml(rows)} / ${escapeHtml(cols)}</th>${colKeys
    .map((c) => `<th>${escapeHtml(c)}</th>`)
    .join('')}</tr></thead><tbody>\n${trs.join('\n')}\n</tbody></table></div>`;
}

/** Renders any JSON value as readable HTML (see the module comment). */
export function renderJson(value, ctx, depth = 0) {
  if (!_isObject(value)) {
    if (Array.isArray(value)) return _array(value, ctx);
    return _scalar(value, ctx);
  }
  if (depth > 3) return `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;
  const entries = Object.entries(value);
  if (
    entries.length > 0 &&
    entries.every(([, v]) => _isObject(v) && Object.values(v).every(_isScalarish))
  ) {
    return _matrix(value, ctx);
  }
  const flat = (v) => _isScalarish(v) || (Array.isArray(v) && v.every(_isScalarish));
  const scalars = entries.filter(([, v]) => flat(v));
  const rest = entries.filter(([, v]) => !flat(v));
  let html = '';
  if (scalars.length > 0) {
    const dd = (v) =>
      Array.isArray(v) ? v.map((x) => _scalar(x, ctx)).join(', ') : _scalar(v, ctx);
    html += `<dl class="meta">${scalars.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${dd(v)}</dd>`).join('')}</dl>\n`;
  }
  const h = Math.min(3 + depth, 6);
  for (const [k, v] of rest) {
    html += `<h${h}>${escapeHtml(k)}</h${h}>\n${renderJson(v, ctx, depth + 1)}\n`;
  }
  return html;
}

/** Records → a table; nested values inside it are shown compactly as JSON. */
function _array(list, ctx) {
  if (list.every(_isScalarish)) return list.map((x) => _scalar(x, ctx)).join(', ');
  if (!list.every(_isObject)) return `<pre>${escapeHtml(JSON.stringify(list, null, 2))}</pre>`;
  const cols = [];
  for (const row of list) for (const k of Object.keys(row)) if (!cols.includes(k)) cols.push(k);
  const cell = (v) =>
    _isScalarish(v) ? _scalar(v, ctx) : `<code>${escapeHtml(JSON.stringify(v))}</code>`;
  return `<div class="table-wrap"><table class="report"><thead><tr>${cols
    .map((c) => `<th>${escapeHtml(c)}</th>`)
    .join('')}</tr></thead><tbody>\n${list
    .map((row) => `<tr>${cols.map((c) => `<td>${cell(row[c])}</td>`).join('')}</tr>`)
    .join('\n')}\n</tbody></table></div>`;
}

/** `{ column: { row: value } }` → a table with the union of rows; IDs link to the spec. */
function _matrix(value, ctx) {
  const cols = Object.keys(value);
  const rows = [];
  for (const c of cols) for (const r of Object.keys(value[c])) if (!rows.includes(r)) rows.push(r);
  if (rows.every((r) => ID.test(r))) {
    const order = [...ctx.site.ids.keys()];
    rows.sort((a, b) => (order.indexOf(a) >>> 0) - (order.indexOf(b) >>> 0));
  }
  return `<div class="table-wrap"><table class="report matrix"><thead><tr><th></th>${cols
    .map((c) => `<th>${escapeHtml(c)}</th>`)
    .join('')}</tr></thead><tbody>\n${rows
    .map(
      (r) =>
        `<tr><th>${_scalar(r, ctx)}</th>${cols.map((c) => `<td>${_scalar(value[c][r], ctx)}</td>`).join('')}</tr>`,
    )
    .join('\n')}\n</tbody></table></div>`;
}

function _scalar(v, ctx) {
  if (v === undefined || v === null) return '';
  if (_isObject(v)) return _scalar(v.outcome ?? v.status ?? v.result ?? JSON.stringify(v), ctx);
  const text = String(v);
  if (ID.test(text) && ctx.site.ids.has(text)) {
    return `<a href="${relativeLink(ctx.path, ctx.site.ids.get(text))}">${text}</a>`;
  }
  if (OUTCOME.test(text)) {
    const cls = text.toLowerCase().replace(/[^a-z]/g, '');
    return `<span class="outcome outcome-${cls}">${escapeHtml(text)}</span>`;
  }
  return escapeHtml(text);
}

function _isObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A scalar, or an outcome record `{outcome, …}` shown by its outcome. */
function _isScalarish(v) {
  if (Array.isArray(v)) return false;
  return !_isObject(v) || 'outcome' in v || 'status' in v;
}
