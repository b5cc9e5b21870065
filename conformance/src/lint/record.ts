/**
 * What the lint saw during one request, kept as plain counters so tests, the probe's
 * observation endpoint and `tsgi-conformance app` can all read it.
 */
import type { Environ, ResponseHeaders } from '@tsgi/core';
import type { Reporter, Violation } from './violation.js';

/** Counters and facts for one request through one lint layer. */
export interface LintRecord {
  /** The environ the server passed in (not the lint's copy). */
  readonly environ: Environ;
  /** Violations seen so far, both sides. */
  readonly violations: Violation[];
  startResponse: {
    calls: number;
    status: string | undefined;
    headers: ResponseHeaders | undefined;
    /** The server threw from a call with excInfo after headers went out (SR-10). */
    excInfoThrew: boolean;
  };
  input: {
    reads: number;
    bytes: number;
    eof: boolean;
    /** `name: message` of the error a read rejected with. */
    error: string | undefined;
    cancelled: boolean;
  };
  write: { calls: number; bytes: number; rejected: number; error: string | undefined };
  body: {
    kind: 'array' | 'sync' | 'async' | 'invalid' | 'none';
    /** Which protocol the server used to consume it (BODY-01). */
    iteratedWith: 'async' | 'sync' | undefined;
    nextCalls: number;
    chunks: number;
    bytes: number;
    done: boolean;
    threw: boolean;
    returnCalls: number;
    /** The completion hook the wrapper exposes (the app's own, or a lint-added `close`). */
    hook: string | undefined;
    /** True when the hook is the app's own, not added by the lint. */
    ownHook: boolean;
    releaseCalls: number;
  };
  /** Whether `tsgi.signal` was aborted when the body was released. */
  abortedAtRelease: boolean | undefined;
  /** True once the server called the body's completion hook (the lint's view of "finished"). */
  released: boolean;
  /** Resolves when `released` becomes true. */
  readonly finished: Promise<void>;
  /** Free-form facts an application (the probe) wants to report. */
  notes: Record<string, unknown>;
}

/** Creates the record for one request, with a resolver for `finished`. */
export function createRecord(
  environ: Environ,
  reporter: Reporter,
): { record: LintRecord; markFinished: () => void } {
  let markFinished: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    markFinished = resolve;
  });
  const record: LintRecord = {
    environ,
    violations: reporter.violations,
    startResponse: { calls: 0, status: undefined, headers: undefined, excInfoThrew: false },
    input: { reads: 0, bytes: 0, eof: false, error: undefined, cancelled: false },
    write: { calls: 0, bytes: 0, rejected: 0, error: undefined },
    body: {
      kind: 'none',
      iteratedWith: undefined,
      nextCalls: 0,
      chunks: 0,
      bytes: 0,
      done: false,
      threw: false,
      returnCalls: 0,
      hook: undefined,
      ownHook: false,
      releaseCalls: 0,
    },
    abortedAtRelease: undefined,
    released: false,
    finished,
    notes: {},
  };
  return { record, markFinished };
}
