/**
 * The shape of a server conformance case, after h2spec and Autobahn (research
 * conformance-and-servers §1.2): a stable ID, the requirement IDs it checks, a level, the
 * request it sends and what it expects, plus the capabilities of the server under test it needs.
 */
import type { Observation } from '../probe/store.js';
import type { Connection, ReadOptions } from './connection.js';
import type { RawResponse } from './http-parser.js';

/** RFC 2119 level of a case: MUST cases decide the exit code; SHOULD ones too with --strict. */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/**
 * What the server under test (its transport, runtime and front end) lets the suite see. A case
 * needing a capability the profile lacks is `unobservable`: "cannot be observed here".
 */
export type Capability =
  | 'direct'
  | 'disconnect'
  | 'truncation'
  | 'continue100'
  | 'rawHeaders'
  | 'backpressure'
  | 'streaming'
  | 'pipelining'
  | 'abortVisible'
  | 'httpVersion'
  | 'rawTarget'
  | 'reasonPhrase'
  | 'gates'
  | 'store';

/** Why a capability is missing: the text after "cannot be observed here: ". */
export const MISSING: Readonly<Record<Capability, string>> = {
  direct: 'a front end sits between client and adapter and may rewrite the request',
  disconnect: 'the transport cannot tell the application that the client went away',
  truncation: 'the front end buffers request bodies, so a short body never reaches the adapter',
  continue100: 'the front end or runtime answers Expect: 100-continue itself',
  rawHeaders:
    'the transport or runtime exposes no raw header lines (ENV-15: tsgi.raw_headers is then absent)',
  backpressure: 'the front end or runtime buffers the response; backpressure is not visible',
  streaming: 'the front end buffers the whole response before sending it',
  pipelining: 'the front end or runtime decides how client connections are reused',
  abortVisible:
    'a CGI program cannot make the web server show a response aborted after its headers as truncated (Apache, lighttpd and busybox all end it cleanly); the adapter exits non-zero instead (ADP-CGI-09)',
  httpVersion:
    "the runtime does not show the request's HTTP version, so SERVER_PROTOCOL cannot follow an HTTP/1.0 request",
  rawTarget:
    'the runtime gives the request-target only as a parsed URL, not byte for byte as received',
  reasonPhrase:
    "the runtime or front end writes the status line with its own reason phrase; the application's cannot reach the wire",
  gates:
    'the probe may not make one request wait for another here (isolate runtimes treat such a request as hung)',
  store:
    'the probe keeps no observations between requests here (stateless mode): what the application saw after its response was sent (body release, late calls, disconnects) cannot be fetched',
};

/** Every capability, in the order the CLI lists them. */
export const CAPABILITIES: readonly Capability[] = Object.freeze(
  Object.keys(MISSING) as Capability[],
);

/** A profile rule that relaxes a core requirement (spec: "Profiles relaxing the core"). */
export interface Relaxation {
  /** The profile's own rule naming the core ID, e.g. `ADP-FCGI-22`. */
  by: string;
  /** Why the deviation is allowed there. */
  reason: string;
}

/** A named set of capabilities (`--profile`), and the core requirements it relaxes. */
export interface TransportProfile {
  name: string;
  capabilities: readonly Capability[];
  /** Core requirement ID → the profile rule relaxing it; a failure of it is `relaxed`. */
  relaxes?: Readonly<Record<string, Relaxation>>;
  /** One line for `--help` and reports. */
  description?: string;
}

/** A request to a probe endpoint. */
export interface ProbeRequest {
  method?: string;
  /** The endpoint and anything after it, e.g. `env/a%2Cb`; the mount and `/__tsgi/` are added. */
  path: string;
  /** Raw query, without `?`. */
  query?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  /** Sent with content-length unless a transfer-encoding header is given. */
  body?: string | Uint8Array;
  /** HTTP version in the request line; default `HTTP/1.1`. */
  version?: string;
  /** Add `connection: close` (read close-delimited, see stray bytes). */
  close?: boolean;
}

/**
 * A point where the probe's application waits until the suite lets it go on: the gate named by
 * the token when the profile has `gates`, otherwise a timer of `ms` in the probe (`hold=MS`), so
 * no request ever waits on another.
 */
export interface Hold {
  /** The query for the endpoint: the case's own query plus `hold=MS` when timed. */
  query: string;
  /** How long the suite may wait for evidence that arrives while the application waits. */
  window: number;
  /** Lets the application go on (opens the gate; a no-op when timed). */
  release(): Promise<void>;
}

/** What a case gets to talk to the server under test. */
export interface CaseContext {
  readonly url: URL;
  /**
   * The scheme the server's own connection uses: the URL's, unless a gateway in front of the
   * server changes it (the suite's `scheme` option).
   */
  readonly scheme: 'http' | 'https';
  /** The SCRIPT_NAME the server mounts the probe at (`--mount`), `''` at the root. */
  readonly mount: string;
  readonly profile: TransportProfile;
  /** Whether the profile (after `--without`/`--with`) has `capability`. */
  has(capability: Capability): boolean;
  /** A fresh token; requests carrying it are observed by the probe. */
  token(): string;
  /** Builds the raw bytes of a request (Host, token and framing headers added). */
  build(req: ProbeRequest, token?: string): string;
  /** The request-target for a probe path: mount + `/__tsgi/` + path (+ `?query`). */
  target(path: string, query?: string): string;
  connect(): Promise<Connection>;
  /** Opens a connection, sends `req` with a new token, reads the response, closes. */
  fetch(
    req: ProbeRequest,
    options?: ReadOptions,
  ): Promise<{ res: RawResponse; token: string; conn: Connection }>;
  /**
   * The probe's observation for `token`, polled until `until` holds or `ms` pass. Without the
   * `store` capability only what the response itself carried is known: when that does not
   * satisfy `until`, the case ends `unobservable`.
   */
  observe(token: string, until?: (o: Observation) => boolean, ms?: number): Promise<Observation>;
  /**
   * Whether the application was invoked for `token` (within `ms`): `undefined` when that cannot
   * be known here (no store, and the response was not the probe's).
   */
  invoked(token: string, ms?: number): Promise<boolean | undefined>;
  /** Opens the probe's gate named `token`; `unobservable` without the `gates` capability. */
  openGate(token: string): Promise<void>;
  /** A wait point for `token` in an endpoint whose query is `query` (see `Hold`). */
  hold(token: string, query: string): Hold;
  /** Fails the case for `requirement` unless `ok` (a relaxed requirement is recorded, not thrown). */
  check(requirement: string, ok: boolean, expected: string, actual: unknown): void;
  /** Fails unless `actual` equals `expected` (deep, JSON). */
  equal(requirement: string, actual: unknown, expected: unknown, what: string): void;
  /** Ends the case as skipped (a precondition does not hold). */
  skip(reason: string): never;
  /** Ends the case as unobservable: `capability` is missing and nothing else can show it. */
  unobservable(capability: Capability, what?: string): never;
  /** Notes that one part of the case (`what`) could not be checked here; the rest still counts. */
  unobserved(capability: Capability, what: string): void;
}

/** One server conformance case. */
export interface ServerCase {
  /** Stable ID, `group/name`; runnable by prefix (`--only environ/`). */
  id: string;
  title: string;
  /** The requirements the case checks; the first is its primary one. */
  requirements: readonly string[];
  level: Level;
  /** The request it sends, in one line. */
  request: string;
  /** What it expects, in one line. */
  expect: string;
  /** Capabilities the case needs; without one it is `unobservable`. */
  needs?: readonly Capability[];
  /** Profiles the case belongs to (ADP-* rules); other profiles report it `n/a`. */
  profiles?: readonly string[];
  run(t: CaseContext): Promise<void>;
}

/** Thrown by `check` and `equal`: the case failed one requirement. */
export class CaseFailure extends Error {
  constructor(
    readonly requirement: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${requirement}: expected ${expected}, got ${actual}`);
    this.name = 'CaseFailure';
  }
}

/** Thrown by `skip`. */
export class CaseSkipped extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CaseSkipped';
  }
}

/** Thrown by `unobservable` (and by `observe`/`openGate` without their capability). */
export class CaseUnobservable extends Error {
  constructor(
    readonly capability: Capability,
    readonly what?: string,
  ) {
    super(`${what === undefined ? '' : `${what}: `}${MISSING[capability]}`);
    this.name = 'CaseUnobservable';
  }
}
