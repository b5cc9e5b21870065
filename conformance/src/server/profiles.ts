/**
 * The profiles a server is judged against (`--profile`), and how `--without`, `--with` and
 * `--stateless` adjust their capabilities. `http`, the default, asks only what the core requires
 * of any HTTP/1.1 server; `node`, `fastcgi` and `cgi` add their profile's own cases and, for the
 * front-end profiles, the core rules they relax (spec: "Profiles relaxing the core").
 */
import { CAPABILITIES, type Capability, type Relaxation, type TransportProfile } from './case.js';

/** The profile used when none is named. */
export const DEFAULT_PROFILE = 'http';

/**
 * A web server in front parses HTTP and writes the response: the core rules ADP-FCGI-22 and
 * ADP-CGI-17 relax, because the adapter cannot meet them whatever it does.
 */
function _frontEnd(by: string): Readonly<Record<string, Relaxation>> {
  const target =
    'the front end rebuilds or normalises the request-target (REQUEST_URI may be synthesised)';
  const parsing = 'the front end parses HTTP and decides which requests reach the adapter (SRV-17)';
  const writes = 'the front end writes the status line and adds its own fields';
  const relaxes: Record<string, string> = {
    'ENV-07': target,
    'ENV-30': target,
    'ENV-14':
      'the front end builds the HTTP_* variables; header names with "_" it passes cannot be told from "-" names',
    'SRV-02': parsing,
    'SRV-14': parsing,
    'SRV-15': parsing,
    'SRV-16': parsing,
    'ENV-34': parsing,
    'ENV-35':
      'the front end passes its own HTTP_HOST (the Host line) and SERVER_NAME; an absolute-form target is already resolved by it',
    'SR-12': writes,
    'SR-16': writes,
    'IN-07': 'the front end answers Expect: 100-continue',
  };
  return Object.freeze(
    Object.fromEntries(Object.entries(relaxes).map(([id, reason]) => [id, { by, reason }])),
  );
}

/** Capabilities of every direct HTTP/1.1 server whose runtime hides nothing. */
const _ALL = CAPABILITIES;

/**
 * A fetch runtime (ADP-FETCH-07) hands the adapter a parsed `Request` and writes the response
 * itself: no raw target, version or header lines, its own 100 Continue and reason phrase.
 */
const _FETCH: readonly Capability[] = CAPABILITIES.filter(
  (c) =>
    c !== 'rawTarget' &&
    c !== 'httpVersion' &&
    c !== 'rawHeaders' &&
    c !== 'continue100' &&
    c !== 'reasonPhrase',
);

/** The core rules a fetch runtime breaks where the adapter cannot repair them (ADP-FETCH-08..10). */
function _runtime(
  by: string,
  relaxes: Record<string, string>,
): Readonly<Record<string, Relaxation>> {
  return Object.freeze(
    Object.fromEntries(Object.entries(relaxes).map(([id, reason]) => [id, { by, reason }])),
  );
}

const _BUN_ABSOLUTE =
  "Bun builds request.url from Host, so an absolute-form target's authority never reaches the adapter";
const _WORKERD_PARSES =
  'workerd parses HTTP and lets the request through to the worker; the adapter cannot see what it was sent';
const _WORKERD_UPGRADE = 'workerd drops the Upgrade and Connection fields of a 426 response';
const _WORKERD_ABSOLUTE =
  "workerd builds request.url from Host: an absolute-form target's authority is lost";
const _JOINED = 'the runtime joins repeated response fields other than Set-Cookie with ", "';

/** The profiles the suite knows. */
export const PROFILES: Readonly<Record<string, TransportProfile>> = Object.freeze({
  http: {
    name: 'http',
    description: 'any HTTP/1.1 server, any runtime: the core rules only',
    capabilities: _ALL,
  },
  node: {
    name: 'node',
    description: 'a node:http server: the core rules plus the node:http profile (ADP-NODE-*)',
    capabilities: _ALL,
  },
  // Behind nginx/Apache/lighttpd: the web server parses HTTP, writes the status line and
  // buffers bodies; observations live in the long-lived backend. The cases of the rules the
  // front end makes unmeetable still run: a failure of one is reported relaxed (ADP-FCGI-22).
  fastcgi: {
    name: 'fastcgi',
    description: 'a FastCGI backend behind a web server (ADP-FCGI-*)',
    capabilities: [
      'disconnect',
      'streaming',
      'abortVisible',
      'httpVersion',
      'rawTarget',
      'reasonPhrase',
      'gates',
      'store',
    ],
    relaxes: _frontEnd('ADP-FCGI-22'),
  },
  // A process per request: no disconnect signal, no raw headers; observations and gates are
  // files in TSGI_CONFORMANCE_DIR.
  cgi: {
    name: 'cgi',
    description: 'a CGI program run by a web server (ADP-CGI-*)',
    capabilities: ['streaming', 'httpVersion', 'rawTarget', 'reasonPhrase', 'gates', 'store'],
    relaxes: _frontEnd('ADP-CGI-17'),
  },
  // Fetch runtimes (ADP-FETCH-*): @tsgi/serve or toFetch on Bun.serve, Deno.serve, workerd.
  bun: {
    name: 'bun',
    description: 'Bun.serve through @tsgi/serve or toFetch (ADP-FETCH-*)',
    capabilities: _FETCH,
    relaxes: _runtime('ADP-FETCH-08', {
      'SR-03': _JOINED,
      'SR-13': _JOINED,
      'SRV-16': 'Bun answers an HTTP/0.9 request line with 505 before the handler runs',
      'BODY-25': 'Bun adds content-length: 0 to every HEAD response without one',
      'ENV-35': _BUN_ABSOLUTE,
      'ENV-10': _BUN_ABSOLUTE,
    }),
  },
  deno: {
    name: 'deno',
    description: 'Deno.serve through @tsgi/serve or toFetch (ADP-FETCH-*)',
    capabilities: _FETCH,
    relaxes: {
      ..._runtime('ADP-FETCH-09', {
        'SR-03': _JOINED,
        'SR-13': _JOINED,
        'SRV-07': 'Deno answers an oversized header section 400 before the handler runs',
        'SRV-16': 'Deno answers an HTTP/2.0 request line with 400 before the handler runs',
        'BODY-23': "Deno drops a 205's content-length: 0, so the body is delimited by the close",
        'BODY-25': "Deno drops the application's content-length from a 304",
      }),
      ..._runtime('ADP-FETCH-13', {
        'WS-10':
          'Deno drops a connection that sends invalid UTF-8 in a text message (1006), without the 1007 close frame',
      }),
    },
  },
  workerd: {
    name: 'workerd',
    description:
      'a workerd module worker through @tsgi/serve or toFetch (ADP-FETCH-*); run stateless',
    capabilities: _FETCH,
    relaxes: _runtime('ADP-FETCH-10', {
      'ENV-17': 'workerd tells a worker nothing about the client connection',
      'ENV-06': 'workerd turns request header octets above 0x7F into U+FFFD',
      'SR-05': 'workerd sends response header values as UTF-8, not one octet per code unit',
      'SR-06': _WORKERD_UPGRADE,
      'SR-17': _WORKERD_UPGRADE,
      'BODY-25': "workerd drops the application's content-length from a 304",
      'SRV-02': `${_WORKERD_PARSES} (Content-Length with Transfer-Encoding)`,
      'SRV-07': `${_WORKERD_PARSES} (a 128 KiB header section)`,
      'SRV-14': `${_WORKERD_PARSES} (repeated Content-Length lines, merged)`,
      'SRV-15': `${_WORKERD_PARSES} (an ftp: target)`,
      'SRV-16': `${_WORKERD_PARSES} (HTTP/2.0 is answered 400)`,
      'ENV-35': _WORKERD_ABSOLUTE,
      'ENV-10': _WORKERD_ABSOLUTE,
    }),
  },
  // SCGI behind nginx/Apache/lighttpd (ADP-SCGI-*): as FastCGI, one request per connection.
  scgi: {
    name: 'scgi',
    description: 'an SCGI backend behind a web server (ADP-SCGI-*)',
    capabilities: [
      'disconnect',
      'streaming',
      'abortVisible',
      'httpVersion',
      'rawTarget',
      'reasonPhrase',
      'gates',
      'store',
    ],
    relaxes: _frontEnd('ADP-SCGI-11'),
  },
});

/**
 * Parses capability names, given as lists and/or comma-separated strings; throws an Error
 * naming the valid ones for an unknown name.
 */
export function parseCapabilities(names: string | readonly string[] | undefined): Capability[] {
  const list = (typeof names === 'string' ? [names] : (names ?? []))
    .flatMap((n) => n.split(','))
    .map((n) => n.trim())
    .filter((n) => n !== '');
  const bad = list.filter((n) => !(CAPABILITIES as readonly string[]).includes(n));
  if (bad.length > 0)
    throw new Error(
      `unknown capabilit${bad.length > 1 ? 'ies' : 'y'} ${bad.map((b) => JSON.stringify(b)).join(', ')}; valid: ${CAPABILITIES.join(', ')}`,
    );
  return [...new Set(list as Capability[])];
}

/** How a profile is adjusted for one run. */
export interface ProfileAdjustments {
  /** Capabilities the server's runtime cannot expose (`--without`). */
  without?: string | readonly string[] | undefined;
  /** Capabilities to add to the profile (`--with`). */
  with?: string | readonly string[] | undefined;
  /** The probe runs stateless (`--stateless`): implies without `gates` and `store`. */
  stateless?: boolean | undefined;
}

/**
 * Resolves a profile by name (default `http`) or takes a custom one, then applies `with`,
 * `without` and `stateless`. Throws on an unknown profile or capability, naming the valid ones.
 */
export function resolveProfile(
  profile: string | TransportProfile | undefined,
  adjust: ProfileAdjustments = {},
): TransportProfile {
  let base: TransportProfile | undefined;
  if (typeof profile === 'object') base = profile;
  else {
    base = PROFILES[profile ?? DEFAULT_PROFILE];
    if (base === undefined)
      throw new Error(
        `unknown profile ${JSON.stringify(profile)}; valid: ${Object.keys(PROFILES).join(', ')}`,
      );
  }
  const add = parseCapabilities(adjust.with);
  const remove = new Set<Capability>(parseCapabilities(adjust.without));
  if (adjust.stateless === true) {
    remove.add('gates');
    remove.add('store');
  }
  if (add.length === 0 && remove.size === 0) return base;
  const caps = new Set<Capability>([...base.capabilities, ...add]);
  for (const c of remove) caps.delete(c);
  return { ...base, capabilities: CAPABILITIES.filter((c) => caps.has(c)) };
}

/** The capabilities a profile lacks, in list order. */
export function missingCapabilities(profile: TransportProfile): Capability[] {
  return CAPABILITIES.filter((c) => !profile.capabilities.includes(c));
}
