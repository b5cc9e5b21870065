import type { Application, Environ, RequestAbort, StartResponse } from '@tsgi/core';
import { request, type TestRequest, type TestResponse } from '@tsgi/core/testing';
import { testEnviron } from '@tsgi/harness/kit';
import { type LintRecord, lint, type Violation } from '../src/lint/index.js';

/** Runs `app` under the lint in memory, collecting violations instead of throwing. */
export async function linted(
  app: Application,
  req: TestRequest = {},
): Promise<{ res: TestResponse; violations: Violation[]; record: LintRecord }> {
  const violations: Violation[] = [];
  let record: LintRecord | undefined;
  const res = await request(
    lint(app, {
      onViolation: (v) => violations.push(v),
      onRequest: (r) => {
        record = r;
      },
    }),
    req,
  );
  return { res, violations, record: record! };
}

/** The IDs of the errors (not warnings) on one side. */
export function ids(violations: Violation[], side?: 'application' | 'server'): string[] {
  return violations
    .filter((v) => v.severity === 'error' && (side === undefined || v.side === side))
    .map((v) => v.requirement);
}

/**
 * A hand-made environ for driving the linted app as a (possibly broken) server would; `signal`
 * a `RequestAbort` for the lazily created `tsgi.signal` adapters use.
 */
export function fakeEnviron(
  overrides: Record<string, unknown> = {},
  signal: AbortSignal | RequestAbort = new AbortController().signal,
): Environ {
  return testEnviron({ overrides, signal });
}

/** A startResponse that accepts anything and returns a resolving write. */
export const laxStartResponse: StartResponse = () => () => Promise.resolve();

/** Calls a linted app directly, as a server would, collecting violations. */
export function drive(
  app: Application,
  environ: Environ,
  startResponse: StartResponse = laxStartResponse,
): { body: ReturnType<Application>; violations: Violation[]; record: () => LintRecord } {
  const violations: Violation[] = [];
  let record: LintRecord | undefined;
  const body = lint(app, {
    onViolation: (v) => violations.push(v),
    onRequest: (r) => {
      record = r;
    },
  })(environ, startResponse);
  return { body, violations, record: () => record! };
}

export const te = new TextEncoder();
