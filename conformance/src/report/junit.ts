/**
 * JUnit XML, as `h2spec -j` writes it, for CI systems that display test reports. `fail` is a
 * `<failure>`; `skip`, `n/a` and `unobservable` are `<skipped>` with the outcome in the message;
 * `relaxed` passes, with `tsgi.outcome`/`tsgi.relaxedBy` properties and the deviation in
 * `<system-out>`; a pass with parts not observed says so in `<system-out>`.
 */
import type { SuiteReport } from '../server/runner.js';

/** Escapes text for XML attributes and content; drops characters XML 1.0 cannot hold. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd]/gu, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** The report as a JUnit `<testsuites>` document. */
export function formatJunit(report: SuiteReport): string {
  const s = report.summary;
  const name = xmlEscape(`${report.suite} ${report.target.url}${report.target.mount}`);
  const cases = report.cases.map((c) => {
    const time = (c.durationMs / 1000).toFixed(3);
    const open = `    <testcase classname="${xmlEscape(c.id.split('/')[0] ?? c.id)}" name="${xmlEscape(
      `${c.id} [${c.requirements.join(' ')}] ${c.level}`,
    )}" time="${time}"`;
    if (c.status === 'pass' && c.message === '') return `${open}/>`;
    if (c.status === 'pass')
      return `${open}>\n      <system-out>${xmlEscape(c.message)}</system-out>\n    </testcase>`;
    if (c.status === 'relaxed') {
      const detail = [
        c.message,
        c.requirement && `requirement: ${c.requirement}`,
        c.expected && `expected: ${c.expected}`,
        c.actual && `actual: ${c.actual}`,
      ]
        .filter(Boolean)
        .join('\n');
      return [
        `${open}>`,
        '      <properties>',
        '        <property name="tsgi.outcome" value="relaxed"/>',
        `        <property name="tsgi.relaxedBy" value="${xmlEscape(c.relaxedBy ?? '')}"/>`,
        '      </properties>',
        `      <system-out>${xmlEscape(detail)}</system-out>`,
        '    </testcase>',
      ].join('\n');
    }
    if (c.status === 'fail') {
      const detail = [
        c.message,
        c.expected && `expected: ${c.expected}`,
        c.actual && `actual: ${c.actual}`,
        `see ${c.section}`,
      ]
        .filter(Boolean)
        .join('\n');
      return `${open}>\n      <failure message="${xmlEscape(c.message)}" type="${xmlEscape(c.requirement ?? '')}">${xmlEscape(detail)}</failure>\n    </testcase>`;
    }
    return `${open}>\n      <skipped message="${xmlEscape(`${c.status}: ${c.message}`)}"/>\n    </testcase>`;
  });
  const skipped = s.skip + s['n/a'] + (s.unobservable ?? 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${name}" tests="${s.total}" failures="${s.fail}" skipped="${skipped}">`,
    `  <testsuite name="${name}" tests="${s.total}" failures="${s.fail}" skipped="${skipped}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
