/**
 * `lint(app)`: middleware that checks both directions of the TSGI contract for every request,
 * the TSGI analogue of `wsgiref.validate` and `Rack::Lint` (CONF-01, CONF-02), plus what they
 * miss: content-length against the bytes produced, HEAD and no-body statuses, body release, and
 * middleware that buffers (research gateway-specs §2.5 "not checked anywhere in wsgiref").
 *
 * Every violation names its requirement ID and the call site. By default an error is written to
 * `tsgi.errors` and thrown as a `LintError` (a `ContractError`); pass `onViolation` to collect.
 * @module
 */
import { type Application, ContractError, type Environ, type StartResponse } from '@tsgi/core';
import { wrapBody } from './body.js';
import { ChainPosition } from './chain.js';
import { LengthMemory } from './conditional.js';
import { checkEnviron } from './environ.js';
import { Exchange } from './exchange.js';
import { createRecord, type LintRecord } from './record.js';
import { watchSignal } from './signal.js';
import { wrapStartResponse } from './start-response.js';
import { wrapErrors, wrapInput } from './streams.js';
import { describe, isThenable, Reporter, type ViolationHandler } from './violation.js';

export { CHAIN_KEY } from './chain.js';
export type { LintRecord } from './record.js';
export { LINT_REQUIREMENTS } from './requirements.js';
export {
  callSite,
  LintError,
  type Severity,
  type Side,
  type Violation,
  type ViolationHandler,
} from './violation.js';

/** Options for `lint`. */
export interface LintOptions {
  /**
   * Receives every violation, errors and warnings, and lets the request go on. Without it,
   * violations are written to `tsgi.errors` and errors are thrown as `LintError`.
   */
  onViolation?: ViolationHandler;
  /** Called when a request starts with the record the lint keeps for it (counters, release). */
  onRequest?: (record: LintRecord) => void;
  /** Called when the record changes: a violation, an input read, a release. */
  onChange?: (record: LintRecord) => void;
}

/**
 * The environ key under which the lint passes its record down, so the application can read
 * the counters or add notes (`record.notes`). A lower-case extension prefix (ENV-25).
 */
export const RECORD_KEY = 'conformance.lint.record';

/** Wraps `app` so every request through it is checked against the spec. */
export function lint(app: Application, options: LintOptions = {}): Application {
  if (typeof app !== 'function')
    throw new ContractError('APP-01', `an application is a function, got ${describe(app)}`);
  const lengths = new LengthMemory();
  const linted = (...args: unknown[]): ReturnType<Application> => {
    const environ = args[0] as Environ;
    const startResponse = args[1] as StartResponse;
    const reporter = new Reporter(options.onViolation, environ?.['tsgi.errors']);
    const { record, markFinished } = createRecord(environ, reporter);
    const ex = new Exchange(environ ?? ({} as Environ), record, reporter, markFinished);
    ex.lengths = lengths;
    options.onRequest?.(record);
    const onChange = options.onChange;
    if (onChange !== undefined) reporter.onChange(() => onChange(record));

    // APP-01: exactly (environ, startResponse), positionally.
    if (args.length !== 2)
      reporter.report('APP-01', 'server', `the application got ${args.length} arguments, not 2`);
    if (typeof startResponse !== 'function')
      reporter.report('APP-01', 'server', `startResponse is ${describe(startResponse)}`);
    checkEnviron(environ, reporter);
    watchSignal(ex); // ENV-31, ENV-32

    const pos = new ChainPosition(environ, ex);
    const inner: Record<string, unknown> = { ...environ };
    const input = environ?.['tsgi.input'];
    if (typeof input?.read === 'function') inner['tsgi.input'] = wrapInput(input, ex);
    const errors = environ?.['tsgi.errors'];
    if (typeof errors?.write === 'function') inner['tsgi.errors'] = wrapErrors(errors, ex);
    pos.link(inner);
    inner[RECORD_KEY] = record;

    const result = app(inner as Environ, wrapStartResponse(startResponse, ex));
    if (isThenable(result)) return Promise.resolve(result).then((b) => wrapBody(b, ex, pos));
    return wrapBody(result, ex, pos);
  };
  return linted as Application;
}
