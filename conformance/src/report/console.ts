/**
 * Console output: one line per case with its status, ID, level and requirements; failures add
 * expected vs actual and the spec section, as h2spec prints Expected next to Actual. `relaxed`
 * (a failure the profile allows, ≈) and `unobservable` ("cannot be observed here", ?) are apart
 * from `fail` and from `n/a` (another profile's case, ·).
 */
import type { CaseResult, SuiteReport } from '../server/runner.js';

const _MARK: Record<CaseResult['status'], string> = {
  pass: '\u2713',
  fail: '\u2717',
  relaxed: '\u2248',
  unobservable: '?',
  skip: '-',
  'n/a': '\u00b7',
};

const _TINT: Record<CaseResult['status'], number> = {
  pass: 32,
  fail: 31,
  relaxed: 33,
  unobservable: 36,
  skip: 90,
  'n/a': 90,
};

const _color = (code: number, s: string, on: boolean): string =>
  on ? `\u001b[${code}m${s}\u001b[0m` : s;

/** One case as console lines. */
export function formatCase(r: CaseResult, color = false): string {
  const mark = _MARK[r.status];
  const lines = [
    `${_color(_TINT[r.status], `${mark} ${r.status.padEnd(4)}`, color)} ${r.id}  ${r.level}  ${r.requirements.join(' ')}`,
  ];
  if (r.status === 'fail' || (r.status === 'relaxed' && r.expected !== undefined)) {
    if (r.status === 'relaxed') lines.push(`      ${r.message}`);
    if (r.expected !== undefined) {
      lines.push(`      expected: ${r.expected}`);
      lines.push(`      actual:   ${r.actual}`);
    } else lines.push(`      ${r.message}`);
    lines.push(`      see ${r.section}`);
  } else if (r.message !== '') lines.push(`      ${r.message}`);
  for (const o of r.observed ?? []) lines.push(`      also observed: ${o}`);
  return lines.join('\n');
}

/** The closing summary line. */
export function formatSummary(report: SuiteReport): string {
  const s = report.summary;
  const verdict = s.ok ? 'conforming' : 'NOT conforming';
  // Reports written before relaxed/unobservable existed lack the counts.
  const relaxed = s.relaxed ?? 0;
  const unobservable = s.unobservable ?? 0;
  return (
    `${s.pass} passed, ${s.fail} failed (${s.mustFailures} MUST, ${s.shouldFailures} SHOULD), ` +
    `${relaxed} relaxed by the profile, ${unobservable} cannot be observed here, ` +
    `${s.skip} skipped, ${s['n/a']} not applicable: ${verdict}` +
    `${report.target.strict ? ' (strict)' : ''}`
  );
}

/** The whole report as console text. */
export function formatConsole(report: SuiteReport, color = false): string {
  return `${report.cases.map((c) => formatCase(c, color)).join('\n')}\n\n${formatSummary(report)}\n`;
}

/** The run's setting, one line: profile, missing capabilities, stateless. */
export function formatTarget(report: SuiteReport): string {
  const t = report.target;
  const missing = t.missing ?? [];
  return (
    `profile ${t.profile}${t.stateless === true ? ', stateless probe' : ''}` +
    `${missing.length > 0 ? `; cannot observe: ${missing.join(', ')}` : ''}`
  );
}
