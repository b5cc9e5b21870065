/**
 * The shape of a server conformance case, after h2spec and Autobahn (research
 * conformance-and-servers §1.2): a stable ID, the requirement IDs it checks, a level, the
 * request it sends and what it expects, plus the transport capabilities it needs.
 */
import type { Observation } from '../probe/store.js';
import type { Connection, ReadOptions } from './connection.js';
import type { RawResponse } from './http-parser.js';

/** RFC 2119 level of a case: MUST cases decide the exit code; SHOULD ones too with --strict. */
export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** What a transport can show the suite; a case needing a missing capability is n/a. */
export type Capability =
  | 'direct'
  | 'disconnect'
  | 'truncation'
  | 'continue100'
  | 'rawHeaders'
  | 'backpressure'
  | 'streaming'
  | 'pipelining'
  | 'abortVisible';

/** Why a capability is missing, for n/a results. */
export const MISSING: Readonly<Record<Capability, string>> = {
  direct: 'a front end sits between client and adapter and may rewrite the request',
  disconnect: 'the transport cannot tell the application that the client went away',
  truncation: 'the front end buffers request bodies, so a short body never reaches the adapter',
  continue100: 'the front end answers Expect: 100-continue itself',
  rawHeaders: 'the transport carries no raw header lines (ENV-28: the key is absent)',
  backpressure: 'the front end buffers the response; backpressure is between it and the client',
  streaming: 'the front end buffers the whole response before sending it',
  pipelining: 'the front end decides how client connections are reused',
  abortVisible:
    'a CGI program cannot make the web server show a response aborted after its headers as truncated (Apache, lighttpd and busybox all end it cleanly); the adapter exits non-zero instead (ADP-CGI-09)',
};

/** A named set of capabilities (`--profile`). */
export interface TransportProfile {
  name: string;
  capabilities: readonly Capability[];
}

/** The profiles the project ships adapters for. */
export const PROFILES: Readonly<Record<string, TransportProfile>> = {
  node: {
    name: 'node',
    capabilities: [
      'direct',
      'disconnect',
      'truncation',
      'continue100',
      'rawHeaders',
      'backpressure',
      'streaming',
      'pipelining',
      'abortVisible',
    ],
  },
  // Behind nginx/Apache/lighttpd: the web server parses HTTP and buffers bodies.
  fastcgi: { name: 'fastcgi', capabilities: ['disconnect', 'streaming', 'abortVisible'] },
  // A process per request: no disconnect signal, no raw headers.
  cgi: { name: 'cgi', capabilities: ['streaming'] },
};

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

/** What a case gets to talk to the server under test. */
export interface CaseContext {
  readonly url: URL;
  /** The SCRIPT_NAME the server mounts the probe at (`--mount`), `''` at the root. */
  readonly mount: string;
  readonly profile: TransportProfile;
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
  /** The probe's observation for `token`, polled until `until` holds or `ms` pass. */
  observe(token: string, until?: (o: Observation) => boolean, ms?: number): Promise<Observation>;
  /** Opens the probe's gate named `token`. */
  openGate(token: string): Promise<void>;
  /** Fails the case for `requirement` unless `ok`. */
  check(requirement: string, ok: boolean, expected: string, actual: unknown): void;
  /** Fails unless `actual` equals `expected` (deep, JSON). */
  equal(requirement: string, actual: unknown, expected: unknown, what: string): void;
  /** Ends the case as skipped (a precondition does not hold). */
  skip(reason: string): never;
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
  /** Capabilities the case needs; without them it is n/a. */
  needs?: readonly Capability[];
  /** Profiles the case belongs to (ADP-* rules); other profiles report it n/a. */
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
