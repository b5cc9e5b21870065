/**
 * Console output: one line per case with its status, ID, level and requirements; failures add
 * expected vs actual and the spec section, as h2spec prints Expected next to Actual.
 */
import type { CaseResult, SuiteReport } from '../server/runner.js';

const _MARK: Record<CaseResult['status'], string> = {
  pass: '\u2713',
  fail: '\u2717',
  skip: '-',
  'n/a': '\u00b7',
};

const _color = (code: number, s: string, on: boolean): string =>
  on ? `\u001b[${code}m${s}\u001b[0m` : s;

/** One case as console lines. */
export function formatCase(r: CaseResult, color = false): string {
  const mark = _MARK[r.status];
  const tint = r.status === 'pass' ? 32 : r.status === 'fail' ? 31 : 90;
  const lines = [
    `${_color(tint, `${mark} ${r.status.padEnd(4)}`, color)} ${r.id}  ${r.level}  ${r.requirements.join(' ')}`,
  ];
  if (r.status === 'fail') {
    if (r.expected !== undefined) {
      lines.push(`      expected: ${r.expected}`);
      lines.push(`      actual:   ${r.actual}`);
    } else lines.push(`      ${r.message}`);
    lines.push(`      see ${r.section}`);
  } else if (r.status !== 'pass') lines.push(`      ${r.message}`);
  for (const o of r.observed ?? []) lines.push(`      also observed: ${o}`);
  return lines.join('\n');
}

/** The closing summary line. */
export function formatSummary(report: SuiteReport): string {
  const s = report.summary;
  const verdict = s.ok ? 'conforming' : 'NOT conforming';
  return (
    `${s.pass} passed, ${s.fail} failed (${s.mustFailures} MUST, ${s.shouldFailures} SHOULD), ` +
    `${s.skip} skipped, ${s['n/a']} not applicable: ${verdict}` +
    `${report.target.strict ? ' (strict)' : ''}`
  );
}

/** The whole report as console text. */
export function formatConsole(report: SuiteReport, color = false): string {
  return `${report.cases.map((c) => formatCase(c, color)).join('\n')}\n\n${formatSummary(report)}\n`;
}
