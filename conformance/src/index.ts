/**
 * `@tsgi/conformance`: the lint (`lint`, also at `@tsgi/conformance/lint`), the probe
 * application (`@tsgi/conformance/probe`), the server suite (`runServerSuite`, the case table,
 * reporters), the application battery (`runAppBattery`) and traceability. The vitest form of
 * the server suite is `defineServerSuite` from `@tsgi/conformance/vitest`.
 * @module
 */
export {
  BATTERY,
  type BatteryOptions,
  type BatteryRequest,
  loadApplication,
  runAppBattery,
} from './app/battery.js';
export * from './lint/index.js';
export {
  createProbe,
  ENDPOINTS,
  type Observation,
  PROBE_PREFIX,
  type ProbeOptions,
} from './probe/index.js';
export {
  formatCase,
  formatConsole,
  formatHtml,
  formatJson,
  formatJunit,
  formatSummary,
  formatTarget,
  writeReports,
} from './report/index.js';
export {
  CAPABILITIES,
  type Capability,
  type CaseContext,
  CaseFailure,
  CaseUnobservable,
  type Hold,
  type Level,
  MISSING,
  type ProbeRequest,
  type Relaxation,
  type ServerCase,
  type TransportProfile,
} from './server/case.js';
export { CASES } from './server/cases/index.js';
export { Connection, type ReadOptions } from './server/connection.js';
export { type RawResponse, ResponseParser } from './server/http-parser.js';
export type { Target } from './server/kit.js';
export { STATUSES } from './server/outcome.js';
export {
  DEFAULT_PROFILE,
  missingCapabilities,
  PROFILES,
  type ProfileAdjustments,
  parseCapabilities,
  resolveProfile,
} from './server/profiles.js';
export {
  buildReport,
  type CaseResult,
  type CaseStatus,
  runCase,
  runServerSuite,
  type SuiteOptions,
  type SuiteReport,
  selectCases,
  VERSION,
} from './server/runner.js';
export { DOCS_BASE_URL, docsBaseUrl, specLink } from './server/spec-links.js';
