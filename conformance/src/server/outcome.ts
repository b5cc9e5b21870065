/**
 * How a case's run becomes its outcome (spec: "Profiles relaxing the core", "Conformance suite"):
 *
 * - `n/a`: the case is a rule of another profile (`profiles`);
 * - `unobservable`: the server under test cannot show what the case needs (a capability missing
 *   from the profile, statically by `needs` or found while running): "cannot be observed here";
 * - `relaxed`: the only requirements the server failed are ones its profile relaxes by a rule
 *   of its own: "relaxed by ADP-xxx: reason", not a failure;
 * - `fail`, `pass`, `skip` (a precondition such as an optional extension is absent).
 */
import {
  type Capability,
  CaseFailure,
  CaseSkipped,
  CaseUnobservable,
  type Level,
  MISSING,
  type ServerCase,
  type TransportProfile,
} from './case.js';

/** The outcome of one case. */
export type CaseStatus = 'pass' | 'fail' | 'relaxed' | 'unobservable' | 'skip' | 'n/a';

/** Every outcome, in report order. */
export const STATUSES: readonly CaseStatus[] = [
  'pass',
  'fail',
  'relaxed',
  'unobservable',
  'skip',
  'n/a',
];

/** One case in a report. */
export interface CaseResult {
  id: string;
  title: string;
  requirements: readonly string[];
  level: Level;
  status: CaseStatus;
  /** Why it failed, was relaxed, skipped, cannot be observed or does not apply; `''` on a pass. */
  message: string;
  /** The requirement a failure (or relaxed failure) is about. */
  requirement?: string;
  expected?: string;
  actual?: string;
  /** The spec section of the failed (or primary) requirement. */
  section: string;
  /** `unobservable`: the capability the server under test lacks. */
  capability?: Capability;
  /** `relaxed`: the profile rule relaxing the failed requirement (e.g. ADP-FCGI-22). */
  relaxedBy?: string;
  /** Parts of the case that could not be checked here, each `what: why`. */
  unobserved?: string[];
  /** Other server-side lint violations seen, not failing this case (another case owns them). */
  observed?: string[];
  durationMs: number;
}

/** The fields of a result that classification decides. */
export type Verdict = Pick<
  CaseResult,
  'status' | 'message' | 'requirement' | 'expected' | 'actual' | 'capability' | 'relaxedBy'
>;

/** The text of an `unobservable` outcome. */
export function unobservableMessage(capability: Capability, what?: string): string {
  return `cannot be observed here: ${what === undefined ? '' : `${what}: `}${MISSING[capability]}`;
}

/** Before running: `n/a` for another profile's case, `unobservable` for a missing capability. */
export function precheck(c: ServerCase, profile: TransportProfile): Verdict | undefined {
  if (c.profiles !== undefined && !c.profiles.includes(profile.name))
    return { status: 'n/a', message: `a rule of the ${c.profiles.join('/')} profile only` };
  const missing = (c.needs ?? []).find((n) => !profile.capabilities.includes(n));
  if (missing !== undefined)
    return {
      status: 'unobservable',
      capability: missing,
      message: unobservableMessage(missing),
    };
  return undefined;
}

/** A relaxed outcome for `failure`, or undefined when the profile does not relax it. */
export function relaxedVerdict(
  profile: TransportProfile,
  requirement: string,
  detail: Pick<Verdict, 'expected' | 'actual'> = {},
): Verdict | undefined {
  const relax = profile.relaxes?.[requirement];
  if (relax === undefined) return undefined;
  return {
    status: 'relaxed',
    message: `relaxed by ${relax.by}: ${relax.reason}`,
    requirement,
    relaxedBy: relax.by,
    ...detail,
  };
}

const _detail = (f: CaseFailure) => ({ expected: f.expected, actual: f.actual });

/**
 * The verdict of a run: `error` is what the run threw (undefined when it returned), `relaxed`
 * the failures of relaxed requirements the kit recorded on the way.
 */
export function classify(
  c: ServerCase,
  profile: TransportProfile,
  error: unknown,
  relaxed: readonly CaseFailure[],
): Verdict {
  const first = relaxed[0];
  const fromRelaxed = (): Verdict =>
    relaxedVerdict(profile, first!.requirement, _detail(first!)) as Verdict;
  if (error === undefined)
    return first === undefined ? { status: 'pass', message: '' } : fromRelaxed();
  if (error instanceof CaseSkipped) return { status: 'skip', message: error.message };
  if (error instanceof CaseFailure)
    return {
      status: 'fail',
      message: error.message,
      requirement: error.requirement,
      ..._detail(error),
    };
  // A relaxed failure came first: what went wrong after it is taken as its consequence.
  if (first !== undefined) {
    const v = fromRelaxed();
    const after = error instanceof Error ? error.message : String(error);
    return { ...v, message: `${v.message} (then: ${after})` };
  }
  if (error instanceof CaseUnobservable)
    return {
      status: 'unobservable',
      capability: error.capability,
      message: unobservableMessage(error.capability, error.what),
    };
  const primary = c.requirements[0] ?? '';
  const text = `${primary}: ${error instanceof Error ? error.message : String(error)}`;
  const relaxedPrimary = relaxedVerdict(profile, primary);
  if (relaxedPrimary !== undefined)
    return { ...relaxedPrimary, message: `${relaxedPrimary.message} (${text})` };
  return { status: 'fail', requirement: primary, message: text };
}
