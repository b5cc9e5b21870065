/**
 * Lint violations: what was broken (a requirement ID), by whom (the application or the server
 * facing it) and where (the first stack frame outside the lint). Plack::Lint's documentation
 * admits its errors are hard to trace to user code; naming the rule and the call site fixes that
 * (research gateway-specs §4.3, CONF-01).
 */
import { ContractError, type ErrorStream } from '@tsgi/core';

/** Which side of the contract broke the rule. Middleware is "server" toward the app below it. */
export type Side = 'application' | 'server';

/** `error` for MUST rules; `warning` for SHOULD rules, which never throw. */
export type Severity = 'error' | 'warning';

/** One broken rule. */
export interface Violation {
  /** The requirement ID, e.g. `SR-05`. The message starts with it too. */
  requirement: string;
  side: Side;
  severity: Severity;
  /** `"SR-05: header x: value has CR, LF or NUL"`. */
  message: string;
  /** The first stack frame outside the lint: the caller that broke the rule, when known. */
  callSite: string | undefined;
}

/** Receives every violation. Returning normally lets the request continue. */
export type ViolationHandler = (violation: Violation) => void;

/** The error the default handler throws: a `ContractError` that also names side and call site. */
export class LintError extends ContractError {
  readonly violation: Violation;
  constructor(violation: Violation) {
    super(violation.requirement, _withSite(violation).slice(violation.requirement.length + 2));
    this.name = 'LintError';
    this.violation = violation;
  }
}

function _withSite(v: Violation): string {
  return v.callSite === undefined ? v.message : `${v.message} (at ${v.callSite})`;
}

// Frames from these places are the lint itself or the runtime, never the culprit.
const _LINT_URL = new URL('.', import.meta.url);
const _SKIP = [_LINT_URL.href, _LINT_URL.pathname, 'node:internal', '(<anonymous>)', 'new Promise'];

/** The first stack frame outside the lint and the runtime, as `"fn (file:line:col)"`. */
export function callSite(): string | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  for (const raw of stack.split('\n').slice(1)) {
    const line = raw.trim();
    if (!line.startsWith('at ') || _SKIP.some((s) => line.includes(s))) continue;
    return line.slice(3);
  }
  return undefined;
}

/** Reports violations for one request to a handler, or by default logs and throws. */
export class Reporter {
  readonly violations: Violation[] = [];
  readonly #handler: ViolationHandler | undefined;
  readonly #errors: ErrorStream | undefined;
  #listener: (() => void) | undefined;

  constructor(handler: ViolationHandler | undefined, errors: unknown) {
    this.#handler = handler;
    this.#errors =
      typeof (errors as ErrorStream | undefined)?.write === 'function'
        ? (errors as ErrorStream)
        : undefined;
  }

  /** Called after every violation (the probe persists observations). */
  onChange(listener: () => void): void {
    this.#listener = listener;
  }

  /** Tells the listener that the request's record changed. */
  changed(): void {
    this.#listener?.();
  }

  /**
   * Records a violation. With no handler it is written to `tsgi.errors` and, for an error in a
   * place where throwing reaches the culprit (`canThrow`), thrown as `LintError`.
   */
  report(
    requirement: string,
    side: Side,
    message_: string,
    options: { severity?: Severity; canThrow?: boolean } = {},
  ): void {
    // The same violation again (a server calling next() in a loop) adds nothing.
    const message = `${requirement}: ${message_}`;
    const seen = this.violations.find((o) => o.message === message && o.side === side);
    if (seen !== undefined) {
      if (this.#handler === undefined && seen.severity === 'error' && options.canThrow !== false)
        throw new LintError(seen);
      return;
    }
    const v: Violation = {
      requirement,
      side,
      severity: options.severity ?? 'error',
      message,
      callSite: callSite(),
    };
    this.violations.push(v);
    this.#listener?.();
    if (this.#handler !== undefined) {
      this.#handler(v);
      return;
    }
    try {
      this.#errors?.write(`tsgi lint ${v.severity} (${side}): ${_withSite(v)}\n`);
    } catch {
      // ERRS-01 is the server's problem; a broken errors stream must not hide the violation.
    }
    if (v.severity === 'error' && options.canThrow !== false) throw new LintError(v);
  }

  /** Like `report`, for places where a throw could only reach the wrong party. */
  note(requirement: string, side: Side, message: string, severity: Severity = 'error'): void {
    this.report(requirement, side, message, { severity, canThrow: false });
  }
}

/** A short description of a value for messages: `"a string"`, `"null"`, `"ArrayBuffer"`. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'string') return 'a string';
  if (typeof v !== 'object' && typeof v !== 'function') return `a ${typeof v}`;
  if (v instanceof Uint8Array) return `a ${v.constructor.name}`;
  return (v as object).constructor?.name ?? 'an object';
}

/** True for anything with a callable `then`. */
export function isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null &&
    (typeof v === 'object' || typeof v === 'function') &&
    typeof (v as PromiseLike<unknown>).then === 'function'
  );
}
