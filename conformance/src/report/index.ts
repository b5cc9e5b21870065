/** Report formats: console text, JSON, JUnit XML and HTML. */
import { writeFileSync } from 'node:fs';
import type { SuiteReport } from '../server/runner.js';
import { formatHtml } from './html.js';
import { formatJunit } from './junit.js';

export { formatCase, formatConsole, formatSummary, formatTarget } from './console.js';
export { formatHtml } from './html.js';
export { formatJunit } from './junit.js';

/** The JSON report: `{ suite, version, target, cases, summary }`. */
export function formatJson(report: SuiteReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** Writes the report in each format whose file is given. */
export function writeReports(
  report: SuiteReport,
  files: { json?: string | undefined; junit?: string | undefined; html?: string | undefined },
): void {
  if (files.json) writeFileSync(files.json, formatJson(report));
  if (files.junit) writeFileSync(files.junit, formatJunit(report));
  if (files.html) writeFileSync(files.html, formatHtml(report));
}
