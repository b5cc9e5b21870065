/**
 * Runs the server cases against a running server and produces the report
 * `{ suite, version, target, cases, summary }` every reporter and the CLI consume.
 */
import { readFileSync } from 'node:fs';
import type { Violation } from '../lint/index.js';
import {
  type Capability,
  type Level,
  MISSING,
  type ServerCase,
  type TransportProfile,
} from './case.js';
import { CASES } from './cases/index.js';
import { createKit, type Target } from './kit.js';
import {
  type CaseResult,
  type CaseStatus,
  classify,
  precheck,
  relaxedVerdict,
  type Verdict,
} from './outcome.js';
import { missingCapabilities, resolveProfile } from './profiles.js';
import { specLink } from './spec-links.js';

export type { CaseResult, CaseStatus } from './outcome.js';
export { resolveProfile } from './profiles.js';

/** A whole run. */
export interface SuiteReport {
  suite: string;
  version: string;
  target: {
    url: string;
    mount: string;
    profile: string;
    strict: boolean;
    /** The capabilities the run assumed (the profile after --with/--without/--stateless). */
    capabilities?: Capability[];
    /** The capabilities it lacked: cases needing them are `unobservable`. */
    missing?: Capability[];
    /** The probe ran stateless, observations inline (`--stateless`). */
    stateless?: boolean;
  };
  cases: CaseResult[];
  summary: {
    total: number;
    pass: number;
    fail: number;
    /** Failed only requirements the profile relaxes: not failures. */
    relaxed: number;
    /** Cannot be observed on this server: neither passed nor failed. */
    unobservable: number;
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
  /**
   * The scheme of the server's own connection when it differs from `url`'s: a gateway that
   * speaks cleartext to the suite and TLS to the server (the matrix's TLS columns). Default the
   * URL's.
   */
  scheme?: 'http' | 'https';
  /** `http` (default), `node`, `fastcgi`, `cgi`, or a custom profile. */
  profile?: string | TransportProfile;
  /** Capabilities the server's runtime cannot expose (names, or comma-separated). */
  without?: string | readonly string[];
  /** Capabilities to add to the profile. */
  with?: string | readonly string[];
  /**
   * The probe runs stateless (isolate runtimes): ask for inline observations, and run without
   * the `gates` and `store` capabilities.
   */
  stateless?: boolean;
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

/** Runs one case. */
export async function runCase(
  c: ServerCase,
  target: Target,
  timeoutMs = 20_000,
): Promise<CaseResult> {
  const started = Date.now();
  const base = { id: c.id, title: c.title, requirements: c.requirements, level: c.level };
  const done = (v: Verdict): CaseResult => ({
    ...base,
    section: specLink(v.requirement ?? c.requirements[0] ?? ''),
    durationMs: Date.now() - started,
    ...v,
  });
  const pre = precheck(c, target.profile);
  if (pre !== undefined) return done(pre);

  const kit = createKit(target);
  let error: unknown;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      c.run(kit),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
  } catch (err) {
    error = err ?? new Error(String(err));
  } finally {
    clearTimeout(timer);
    kit.cleanup();
  }
  const result = done(classify(c, target.profile, error, kit.relaxed));
  if (kit.unobservedParts.length > 0) {
    result.unobserved = kit.unobservedParts.map((p) => `${p.what}: ${MISSING[p.capability]}`);
    if (result.status === 'pass')
      result.message = `passed; not observed here: ${kit.unobservedParts.map((p) => `${p.what} (no ${p.capability})`).join('; ')}`;
  }
  return _lintVerdict(c, target.profile, kit.tokens, kit.peek, result, started);
}

/**
 * The probe's lint watched the server during the case. A server-side violation of one of the
 * case's own requirements fails it; others are listed as observed (the case that owns them
 * fails on them).
 */
async function _lintVerdict(
  c: ServerCase,
  profile: TransportProfile,
  tokens: readonly string[],
  peek: (t: string) => Promise<{ violations: Violation[] } | undefined>,
  result: CaseResult,
  started: number,
): Promise<CaseResult> {
  if (result.status !== 'pass' && result.status !== 'relaxed' && result.status !== 'fail')
    return result;
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
    const relaxed = relaxedVerdict(profile, own.requirement);
    out.status = relaxed === undefined ? 'fail' : 'relaxed';
    out.requirement = own.requirement;
    out.message =
      relaxed === undefined ? `lint: ${own.message}` : `${relaxed.message} (lint: ${own.message})`;
    if (relaxed?.relaxedBy !== undefined) out.relaxedBy = relaxed.relaxedBy;
    out.section = specLink(own.requirement);
  }
  return out;
}

/** Runs the suite and returns the report. */
export async function runServerSuite(options: SuiteOptions): Promise<SuiteReport> {
  const stateless = options.stateless === true;
  const profile = resolveProfile(options.profile, {
    without: options.without,
    with: options.with,
    stateless,
  });
  const mount = (options.mount ?? '').replace(/\/$/, '');
  const target: Target = { url: new URL(options.url), mount, profile, inline: stateless };
  if (options.scheme !== undefined) target.scheme = options.scheme;
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
    capabilities: [...profile.capabilities],
    missing: missingCapabilities(profile),
    stateless,
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
      relaxed: count('relaxed'),
      unobservable: count('unobservable'),
      skip: count('skip'),
      'n/a': count('n/a'),
      mustFailures,
      shouldFailures,
      ok: mustFailures === 0 && (!target.strict || shouldFailures === 0),
    },
  };
}
