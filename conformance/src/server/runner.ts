/**
 * Runs the server cases against a running server and produces the report
 * `{ suite, version, target, cases, summary }` every reporter and the CLI consume.
 */
import { readFileSync } from 'node:fs';
import type { Violation } from '../lint/index.js';
import {
  CaseFailure,
  CaseSkipped,
  type Level,
  MISSING,
  PROFILES,
  type ServerCase,
  type TransportProfile,
} from './case.js';
import { CASES } from './cases/index.js';
import { createKit, type Target } from './kit.js';
import { specLink } from './spec-links.js';

/** The outcome of one case. */
export type CaseStatus = 'pass' | 'fail' | 'skip' | 'n/a';

/** One case in a report. */
export interface CaseResult {
  id: string;
  title: string;
  requirements: readonly string[];
  level: Level;
  status: CaseStatus;
  /** Why it failed, was skipped or does not apply; `''` on a pass. */
  message: string;
  /** The requirement a failure is about. */
  requirement?: string;
  expected?: string;
  actual?: string;
  /** The spec section of the failed (or primary) requirement. */
  section: string;
  /** Other server-side lint violations seen, not failing this case (another case owns them). */
  observed?: string[];
  durationMs: number;
}

/** A whole run. */
export interface SuiteReport {
  suite: string;
  version: string;
  target: { url: string; mount: string; profile: string; strict: boolean };
  cases: CaseResult[];
  summary: {
    total: number;
    pass: number;
    fail: number;
    skip: number;
    'n/a': number;
    mustFailures: number;
    shouldFailures: number;
    /** The exit criterion: no MUST failure (and, with strict, no SHOULD failure). */
    ok: boolean;
  };
}

/** Options for `runServerSuite`. */
export interface SuiteOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8000`. */
  url: string;
  /** Where the server mounts the probe (its SCRIPT_NAME), e.g. `/app`. Default `''`. */
  mount?: string;
  /** `node` (default), `fastcgi`, `cgi`, or a custom profile. */
  profile?: string | TransportProfile;
  /** Run only cases whose ID or one of whose requirements starts with one of these. */
  only?: readonly string[];
  /** SHOULD failures also fail the run. */
  strict?: boolean;
  /** Per-case time limit in ms (default 20 000). */
  caseTimeout?: number;
  /** Called after each case, for live output. */
  onResult?: (result: CaseResult) => void;
  /** The cases to run (default: all). */
  cases?: readonly ServerCase[];
}

/** The package version, for reports. */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/** Selects cases by ID or requirement prefix. */
export function selectCases(
  only: readonly string[] | undefined,
  cases: readonly ServerCase[] = CASES,
): ServerCase[] {
  if (only === undefined || only.length === 0) return [...cases];
  return cases.filter((c) =>
    only.some((p) => c.id.startsWith(p) || c.requirements.some((r) => r.startsWith(p))),
  );
}

/** Resolves a profile name. */
export function resolveProfile(profile: string | TransportProfile | undefined): TransportProfile {
  if (typeof profile === 'object') return profile;
  const found = PROFILES[profile ?? 'node'];
  if (found === undefined)
    throw new Error(`unknown profile ${profile}; use ${Object.keys(PROFILES).join(', ')}`);
  return found;
}

/** Runs one case. */
export async function runCase(
  c: ServerCase,
  target: Target,
  timeoutMs = 20_000,
): Promise<CaseResult> {
  const started = Date.now();
  const base = { id: c.id, title: c.title, requirements: c.requirements, level: c.level };
  const done = (r: Partial<CaseResult> & { status: CaseStatus }): CaseResult => ({
    ...base,
    message: '',
    section: specLink(r.requirement ?? c.requirements[0] ?? ''),
    durationMs: Date.now() - started,
    ...r,
  });
  const missing = (c.needs ?? []).find((n) => !target.profile.capabilities.includes(n));
  if (missing !== undefined)
    return done({ status: 'n/a', message: `${target.profile.name}: ${MISSING[missing]}` });
  if (c.profiles !== undefined && !c.profiles.includes(target.profile.name))
    return done({ status: 'n/a', message: `a rule of the ${c.profiles.join('/')} profile only` });

  const kit = createKit(target);
  let result: CaseResult;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.run(kit),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    result = done({ status: 'pass' });
  } catch (err) {
    if (err instanceof CaseSkipped) result = done({ status: 'skip', message: err.message });
    else if (err instanceof CaseFailure)
      result = done({
        status: 'fail',
        message: err.message,
        requirement: err.requirement,
        expected: err.expected,
        actual: err.actual,
      });
    else
      result = done({
        status: 'fail',
        requirement: c.requirements[0] ?? '',
        message: `${c.requirements[0]}: ${err instanceof Error ? err.message : String(err)}`,
      });
  } finally {
    clearTimeout(timer);
    kit.cleanup();
  }
  return _lintVerdict(c, kit.tokens, kit.peek, result, started);
}

/**
 * The probe's lint watched the server during the case. A server-side violation of one of the
 * case's own requirements fails it; others are listed as observed (the case that owns them
 * fails on them).
 */
async function _lintVerdict(
  c: ServerCase,
  tokens: readonly string[],
  peek: (t: string) => Promise<{ violations: Violation[] } | undefined>,
  result: CaseResult,
  started: number,
): Promise<CaseResult> {
  if (result.status === 'skip' || result.status === 'n/a') return result;
  const seen: Violation[] = [];
  for (const t of tokens) {
    const o = await peek(t).catch(() => undefined);
    for (const v of o?.violations ?? [])
      if (v.side === 'server' && v.severity === 'error') seen.push(v);
  }
  const own = seen.find((v) => c.requirements.includes(v.requirement));
  const observed = [...new Set(seen.filter((v) => v !== own).map((v) => v.message))];
  const out: CaseResult = { ...result, durationMs: Date.now() - started };
  if (observed.length > 0) out.observed = observed;
  if (own !== undefined && result.status === 'pass') {
    out.status = 'fail';
    out.requirement = own.requirement;
    out.message = `lint: ${own.message}`;
    out.section = specLink(own.requirement);
  }
  return out;
}

/** Runs the suite and returns the report. */
export async function runServerSuite(options: SuiteOptions): Promise<SuiteReport> {
  const profile = resolveProfile(options.profile);
  const mount = (options.mount ?? '').replace(/\/$/, '');
  const target: Target = { url: new URL(options.url), mount, profile };
  const results: CaseResult[] = [];
  for (const c of selectCases(options.only, options.cases)) {
    const r = await runCase(c, target, options.caseTimeout);
    results.push(r);
    options.onResult?.(r);
  }
  return buildReport(results, {
    url: options.url,
    mount,
    profile: profile.name,
    strict: options.strict === true,
  });
}

/** Assembles a report from results (also used by `tsgi-conformance app`). */
export function buildReport(cases: CaseResult[], target: SuiteReport['target']): SuiteReport {
  const count = (s: CaseStatus) => cases.filter((c) => c.status === s).length;
  const failed = (l: Level) => cases.filter((c) => c.status === 'fail' && c.level === l).length;
  const mustFailures = failed('MUST');
  const shouldFailures = failed('SHOULD');
  return {
    suite: '@tsgi/conformance',
    version: VERSION,
    target,
    cases,
    summary: {
      total: cases.length,
      pass: count('pass'),
      fail: count('fail'),
      skip: count('skip'),
      'n/a': count('n/a'),
      mustFailures,
      shouldFailures,
      ok: mustFailures === 0 && (!target.strict || shouldFailures === 0),
    },
  };
}
