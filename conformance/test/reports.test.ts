/**
 * The reporters and the matrix show relaxed and unobservable apart from fail and n/a: console
 * marks and summary, JUnit (unobservable and n/a skipped with their message, relaxed passed with
 * properties), HTML, and the matrix's cells, summary and JSON.
 */
import { describe, expect, it } from 'vitest';
import {
  type Column,
  cell,
  matrixJson,
  renderMarkdown,
  unexplained,
} from '../scripts/matrix-render.js';
import {
  formatCase,
  formatHtml,
  formatJunit,
  formatSummary,
  formatTarget,
} from '../src/report/index.js';
import { buildReport, type CaseResult } from '../src/server/runner.js';

const base = { title: 't', level: 'MUST' as const, section: 'spec/x.md#y', durationMs: 1 };
const results: CaseResult[] = [
  { ...base, id: 'environ/shape', requirements: ['ENV-18'], status: 'pass', message: '' },
  {
    ...base,
    id: 'environ/underscore-headers',
    requirements: ['ENV-14'],
    status: 'relaxed',
    message: 'relaxed by ADP-FCGI-22: the front end builds the HTTP_* variables',
    requirement: 'ENV-14',
    relaxedBy: 'ADP-FCGI-22',
    expected: 'HTTP_X_AUTH_USER = "real"',
    actual: '"spoof"',
  },
  {
    ...base,
    id: 'environ/server-protocol',
    requirements: ['ENV-11'],
    status: 'unobservable',
    capability: 'httpVersion',
    message: 'cannot be observed here: the runtime does not show the version',
  },
  {
    ...base,
    id: 'node/framing',
    requirements: ['ADP-NODE-05'],
    status: 'n/a',
    message: 'a rule of the node profile only',
  },
  {
    ...base,
    id: 'environ/path-bytes',
    requirements: ['ENV-06'],
    status: 'fail',
    message: 'ENV-06: expected x, got y',
    requirement: 'ENV-06',
    expected: 'x',
    actual: 'y',
  },
  {
    ...base,
    id: 'body/sync',
    requirements: ['BODY-01'],
    status: 'pass',
    message: 'passed; not observed here: the body release (no store)',
  },
];
const report = buildReport(results, {
  url: 'http://h',
  mount: '',
  profile: 'fastcgi',
  strict: false,
  missing: ['httpVersion'],
  stateless: true,
});

describe('console', () => {
  it('marks relaxed ≈ and unobservable ?, apart from fail ✗ and n/a ·', () => {
    const lines = results.map((r) => formatCase(r).split('\n')[0]);
    expect(lines).toEqual([
      '✓ pass environ/shape  MUST  ENV-18',
      '≈ relaxed environ/underscore-headers  MUST  ENV-14',
      '? unobservable environ/server-protocol  MUST  ENV-11',
      '· n/a  node/framing  MUST  ADP-NODE-05',
      '✗ fail environ/path-bytes  MUST  ENV-06',
      '✓ pass body/sync  MUST  BODY-01',
    ]);
    expect(formatCase(results[1]!)).toMatch(
      /relaxed by ADP-FCGI-22[\s\S]*expected: HTTP_X_AUTH_USER/,
    );
    expect(formatCase(results[2]!)).toMatch(/\n {6}cannot be observed here: /);
    expect(formatCase(results[5]!)).toMatch(/not observed here: the body release/);
  });

  it('the summary counts relaxed and unobservable; the target line names what is missing', () => {
    expect(formatSummary(report)).toBe(
      '2 passed, 1 failed (1 MUST, 0 SHOULD), 1 relaxed by the profile, 1 cannot be observed here, 0 skipped, 1 not applicable: NOT conforming',
    );
    expect(formatTarget(report)).toBe(
      'profile fastcgi, stateless probe; cannot observe: httpVersion',
    );
  });
});

describe('JUnit', () => {
  const xml = formatJunit(report);
  const testcase = (id: string): string =>
    new RegExp(
      `<testcase[^>]*name="${id.replace('/', '\\/')} [^"]*"[^>]*?(?:/>|>[^]*?</testcase>)`,
    ).exec(xml)?.[0] ?? '';

  it('unobservable and n/a are skipped with their message', () => {
    expect(testcase('environ/server-protocol')).toMatch(
      /<skipped message="unobservable: cannot be observed here: the runtime/,
    );
    expect(testcase('node/framing')).toMatch(
      /<skipped message="n\/a: a rule of the node profile only"/,
    );
    expect(xml).toMatch(/<testsuites [^>]*tests="6" failures="1" skipped="2">/);
  });

  it('relaxed passes, with properties and the deviation in system-out', () => {
    const relaxed = testcase('environ/underscore-headers');
    expect(relaxed).not.toMatch(/<failure|<skipped/);
    expect(relaxed).toMatch(/<property name="tsgi.outcome" value="relaxed"\/>/);
    expect(relaxed).toMatch(/<property name="tsgi.relaxedBy" value="ADP-FCGI-22"\/>/);
    expect(relaxed).toMatch(
      /<system-out>relaxed by ADP-FCGI-22: [^<]*\nrequirement: ENV-14\nexpected: /,
    );
    expect(testcase('body/sync')).toMatch(/<system-out>passed; not observed here/);
    expect(testcase('environ/path-bytes')).toMatch(/<failure message="ENV-06: expected x, got y"/);
  });
});

it('HTML labels the outcomes', () => {
  const html = formatHtml(report);
  expect(html).toMatch(/<td>unobservable<br><small>cannot be observed here<\/small><\/td>/);
  expect(html).toMatch(/<td>relaxed<br><small>relaxed by the profile<\/small><\/td>/);
  expect(html).toMatch(/background:#fef7e0/);
  expect(html).toMatch(/cannot observe: httpVersion/);
});

describe('matrix', () => {
  const findings = {
    'FastCGI + x': {
      'environ/underscore-headers': 'x passes underscore headers',
      'environ/path-bytes': 'x decodes the path',
    },
  };
  const column: Column = { config: 'FastCGI + x', profile: 'fastcgi', skipped: null, report };

  it('cells: ≈ with the profile rule, ◌ unobservable, ⚑ explained failure', () => {
    expect(results.map((r) => cell(column.config, r, findings))).toEqual([
      '✓',
      '≈ ADP-FCGI-22',
      '◌',
      'n/a',
      '⚑ ENV-06',
      '✓',
    ]);
    expect(cell('other', results[4]!, findings)).toBe('✗ ENV-06');
    expect(unexplained(column, findings)).toEqual([]);
  });

  it('the Markdown summary and findings list relaxed cases; the JSON keeps the new fields', () => {
    const md = renderMarkdown([column], findings);
    expect(md).toMatch(/\| \*\*summary\*\* \| \| 2 ✓, 1 ≈, 1 ⚑, 0 ✗, 1 ◌ \|/);
    expect(md).toMatch(
      /`environ\/underscore-headers` \(ENV-14, relaxed by ADP-FCGI-22\): x passes/,
    );
    expect(md).toMatch(/≈ relaxed/);
    const [json] = matrixJson([column], findings);
    expect(json?.missing).toEqual(['httpVersion']);
    expect(json?.cases[1]).toMatchObject({
      status: 'relaxed',
      relaxedBy: 'ADP-FCGI-22',
      frontEnd: 'x passes underscore headers',
    });
    expect(json?.cases[2]).toMatchObject({ status: 'unobservable', capability: 'httpVersion' });
  });
});
