/** A self-contained HTML page of the report, one row per case. */
import type { SuiteReport } from '../server/runner.js';
import { formatSummary, formatTarget } from './console.js';
import { xmlEscape } from './junit.js';

const _BG: Record<string, string> = {
  pass: '#e6f4ea',
  fail: '#fce8e6',
  relaxed: '#fef7e0',
  unobservable: '#e8f0fe',
  skip: '#f1f3f4',
  'n/a': '#f1f3f4',
};

const _LABEL: Record<string, string> = {
  unobservable: 'cannot be observed here',
  relaxed: 'relaxed by the profile',
};

/** The report as an HTML document. */
export function formatHtml(report: SuiteReport): string {
  const rows = report.cases
    .map((c) => {
      const detail =
        c.status === 'fail' || c.status === 'relaxed'
          ? `${xmlEscape(c.message)}${c.expected ? `<br><b>expected</b> ${xmlEscape(c.expected)}<br><b>actual</b> ${xmlEscape(c.actual ?? '')}` : ''}<br><small>${xmlEscape(c.section)}</small>`
          : xmlEscape(c.message);
      const label = _LABEL[c.status];
      return `<tr style="background:${_BG[c.status]}"><td>${c.status}${label === undefined ? '' : `<br><small>${label}</small>`}</td><td><code>${xmlEscape(c.id)}</code><br>${xmlEscape(c.title)}</td><td>${c.level}</td><td>${c.requirements.map(xmlEscape).join(' ')}</td><td>${detail}</td></tr>`;
    })
    .join('\n');
  const t = report.target;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>TSGI conformance: ${xmlEscape(t.url)}</title>
<style>body{font:14px system-ui,sans-serif;margin:2em}table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:4px 6px;vertical-align:top;text-align:left}code{font-size:13px}</style>
</head><body>
<h1>TSGI server conformance</h1>
<p>${xmlEscape(report.suite)} ${xmlEscape(report.version)}, target <code>${xmlEscape(t.url)}</code>, mount <code>${xmlEscape(t.mount || "''")}</code>, ${xmlEscape(formatTarget(report))}${t.strict ? ', strict' : ''}</p>
<p><b>${xmlEscape(formatSummary(report))}</b></p>
<table><thead><tr><th>Status</th><th>Case</th><th>Level</th><th>Requirements</th><th>Details</th></tr></thead><tbody>
${rows}
</tbody></table></body></html>
`;
}
