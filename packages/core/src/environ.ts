/**
 * Building environ (spec section 02): the `tsgi.*` keys every adapter sets, the request-target
 * split used by HTTP adapters, and the CGI-variable normaliser shared by FastCGI and CGI.
 */

import { _defineLazySignalNew, RequestAbort } from './abort.js';
import { percentDecode, percentEncodePath } from './bytes.js';
import { repairCookieJoin } from './cookie.js';
import { ContractError } from './errors.js';
import { FORBIDDEN_VARIABLES, isDigits, isHttpVersion, mayBeEmpty } from './syntax.js';
import type { Environ, ErrorStream, InputStream } from './types.js';

/** `tsgi.version` (ENV-18), shared and frozen: this implementation meets TSGI 1.1. */
export const TSGI_VERSION: readonly [1, number] = Object.freeze([1, 1] as const);

/** The `tsgi.*` values an adapter supplies for one request. */
export interface TsgiKeys {
  input: InputStream;
  errors: ErrorStream;
  /** The signal, or a `RequestAbort` that creates it on first access (ENV-01, ENV-24). */
  signal: AbortSignal | RequestAbort;
  urlScheme: 'http' | 'https';
  multithread: boolean;
  multiprocess: boolean;
  runOnce: boolean;
  /**
   * `SERVER_SOFTWARE` (ENV-17), or undefined to leave it absent (ENV-02). Part of the literal
   * rather than added afterwards: one key fewer past the literal's in-object slots saves V8 a
   * copy of environ's out-of-object property array per request (node hello world: about 120 of
   * 7,900 bytes allocated per request; see `_environ` below).
   */
  software?: string | undefined;
}

/** The CGI meta-variables every environ must carry (ENV-03..11). */
export interface RequestLine {
  method: string;
  scriptName: string;
  pathInfo: string;
  queryString: string;
  requestUri: string;
  serverName: string;
  serverPort: string;
  protocol: string;
}

/**
 * Creates an environ with the required keys in a fixed order (one hidden class for every
 * request). Headers are then added with `addRequestHeaders` or `addRequestHeader`.
 */
export function createEnviron(line: RequestLine, keys: TsgiKeys): Environ {
  const env = _environ(line, keys);
  // ENV-02: absent, not undefined. The literal's last key: V8 deletes it by returning to the
  // previous hidden class, so environ stays on the fast-properties path.
  if (env.SERVER_SOFTWARE === undefined) delete env.SERVER_SOFTWARE;
  const signal = keys.signal;
  // The key is added after the literal, not reconfigured from a data property, so both forms
  // stay on V8's fast-properties path.
  if (signal instanceof RequestAbort) _defineLazySignalNew(env, signal);
  else env['tsgi.signal'] = signal;
  return env as Environ;
}

/**
 * The keys every environ has, in one literal: V8 gives a literal's keys in-object slots, and each
 * key added later goes to a property array that grows three slots at a time, copied each time.
 * An adapter adds `tsgi.signal`'s binding, the headers, REMOTE_*, `tsgi.raw_headers` and
 * `tsgix.websocket` after this: SERVER_SOFTWARE, known before, is kept in here.
 */
function _environ(line: RequestLine, keys: TsgiKeys): Record<string, unknown> {
  return {
    REQUEST_METHOD: line.method,
    SCRIPT_NAME: line.scriptName,
    PATH_INFO: line.pathInfo,
    QUERY_STRING: line.queryString,
    REQUEST_URI: line.requestUri,
    SERVER_NAME: line.serverName,
    SERVER_PORT: line.serverPort,
    SERVER_PROTOCOL: line.protocol,
    'tsgi.version': TSGI_VERSION,
    'tsgi.url_scheme': keys.urlScheme,
    'tsgi.input': keys.input,
    'tsgi.errors': keys.errors,
    'tsgi.multithread': keys.multithread,
    'tsgi.multiprocess': keys.multiprocess,
    'tsgi.run_once': keys.runOnce,
    'tsgi.input_terminated': true,
    SERVER_SOFTWARE: keys.software, // the last key (see createEnviron)
  };
}

/** A request-target split into its raw path and raw query (ENV-07, ENV-08). */
export interface SplitTarget {
  /** The path, still percent-encoded. */
  rawPath: string;
  /** The query without `?`, raw. */
  query: string;
}

/**
 * Splits an origin-form, absolute-form or asterisk-form request-target (RFC 9112 §3.2).
 * Absolute-form keeps only path and query, as a server does for a proxy-style request.
 */
export function splitTarget(target: string): SplitTarget {
  let start = 0;
  if (target.charCodeAt(0) !== 0x2f && target !== '*') {
    const scheme = target.indexOf('://');
    if (scheme > 0) {
      const slash = target.indexOf('/', scheme + 3);
      const q = target.indexOf('?', scheme + 3);
      if (slash < 0 || (q >= 0 && q < slash)) {
        return { rawPath: '/', query: q < 0 ? '' : target.slice(q + 1) };
      }
      start = slash;
    }
  }
  const q = target.indexOf('?', start);
  if (q < 0) return { rawPath: start === 0 ? target : target.slice(start), query: '' };
  return { rawPath: target.slice(start, q), query: target.slice(q + 1) };
}

/**
 * Splits a decoded path into SCRIPT_NAME and PATH_INFO for an app mounted at `scriptName`
 * (ENV-04, ENV-05). A path outside the mount keeps SCRIPT_NAME `''`.
 */
export function splitScriptName(
  path: string,
  scriptName: string,
): [scriptName: string, pathInfo: string] {
  if (scriptName === '' || scriptName === '/') return ['', path];
  const prefix = scriptName.endsWith('/') ? scriptName.slice(0, -1) : scriptName;
  if (path === prefix) return [prefix, ''];
  if (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 0x2f) {
    return [prefix, path.slice(prefix.length)];
  }
  return ['', path];
}

/** Options for `environFromCgi`. */
export interface CgiEnvironOptions {
  /**
   * The mount point to use instead of the front-end's SCRIPT_NAME/PATH_INFO split. When set,
   * SCRIPT_NAME is this value and PATH_INFO is the rest of the decoded REQUEST_URI path: the
   * fix-up for front-ends that split differently (ADP-FCGI-04; nginx without
   * `fastcgi_split_path_info`, lighttpd mounted at `/`).
   */
  scriptName?: string | undefined;
}

// ADP-CGI-15: what a raw request-target cannot contain (RFC 3986 §2 excludes these octets).
const _BAD_TARGET = /[\x00-\x20"<>\\^`{|}\x7f-\uffff]/;

/**
 * Normalises the CGI variables a web server sent (FastCGI PARAMS or a CGI process
 * environment, already as byte strings) into environ (ADP-CGI-01, ADP-FCGI-01). Handles the
 * observed quirks: empty or `-1` CONTENT_LENGTH, empty CONTENT_TYPE, missing PATH_INFO,
 * SCRIPT_NAME `/`, missing REQUEST_URI, SERVER_NAME or SERVER_PORT.
 */
export function environFromCgi(
  params: Readonly<Record<string, string>>,
  keys: Omit<TsgiKeys, 'urlScheme' | 'software'>,
  options: CgiEnvironOptions = {},
): Environ {
  const method = params.REQUEST_METHOD;
  // ADP-CGI-06: without a method this is not a CGI request; never guess one.
  if (!method)
    throw new ContractError('ADP-CGI-06', 'REQUEST_METHOD is missing: not a CGI request');
  const https = params.HTTPS?.toLowerCase();
  // ADP-FCGI-21: HTTPS "on"/"1" in any case, or REQUEST_SCHEME https.
  const secure =
    https === 'on' || https === '1' || params.REQUEST_SCHEME?.toLowerCase() === 'https';
  const query = params.QUERY_STRING ?? '';
  let scriptName = params.SCRIPT_NAME ?? '';
  let pathInfo = params.PATH_INFO ?? '';
  // ADP-CGI-15: a REQUEST_URI that cannot be a raw request-target (busybox passes it decoded)
  // is rebuilt rather than trusted.
  const rawUri =
    params.REQUEST_URI !== undefined && !_BAD_TARGET.test(params.REQUEST_URI)
      ? params.REQUEST_URI
      : undefined;
  if (options.scriptName !== undefined && rawUri !== undefined) {
    [scriptName, pathInfo] = splitScriptName(
      percentDecode(splitTarget(rawUri).rawPath),
      options.scriptName,
    );
  } else {
    // ADP-FCGI-04: the front-end split, normalised.
    if (scriptName === '/') scriptName = '';
    if (scriptName.endsWith('/') && pathInfo === '') {
      scriptName = scriptName.slice(0, -1);
      pathInfo = '/';
    }
    if (pathInfo !== '' && pathInfo.charCodeAt(0) !== 0x2f) pathInfo = `/${pathInfo}`;
  }
  if (scriptName === '' && pathInfo === '') pathInfo = '/';
  const [serverName, serverPort] = _serverAddress(params, secure);
  const protocol = params.SERVER_PROTOCOL;
  const software = params.SERVER_SOFTWARE; // ENV-02: empty is absent, as in the loop below
  const env = createEnviron(
    {
      method,
      scriptName,
      pathInfo,
      queryString: query,
      requestUri:
        rawUri ?? percentEncodePath(scriptName + pathInfo) + (query === '' ? '' : `?${query}`),
      serverName,
      serverPort,
      protocol: protocol !== undefined && isHttpVersion(protocol) ? protocol : 'HTTP/1.0',
    },
    {
      ...keys,
      urlScheme: secure ? 'https' : 'http',
      software: software === undefined || software === '' ? undefined : _cgiValue(software),
    },
  ) as Record<string, unknown>;
  for (const name in params) {
    if (name in env || FORBIDDEN_VARIABLES.has(name) || name.indexOf('.') >= 0) continue;
    const value = params[name]!;
    if (name === 'CONTENT_LENGTH' && !isDigits(value)) continue;
    // ADP-FCGI-11: empty variables are absent variables (ENV-02), except the HTTP_* ones.
    if (value === '' && !mayBeEmpty(name)) continue;
    if (name === 'HTTPS') continue;
    if (name.startsWith('HTTP_') && name.length === 5) continue;
    env[name] = _cgiValue(value);
  }
  if (secure) env.HTTPS = 'on';
  const cookie = env.HTTP_COOKIE;
  if (typeof cookie === 'string') env.HTTP_COOKIE = repairCookieJoin(cookie); // ADP-FCGI-23
  return env as Environ;
}

function _isOws(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

/** A CGI variable's value as environ holds it: see `_trimOws`. */
function _cgiValue(value: string): string {
  return _isOws(value.charCodeAt(0)) || _isOws(value.charCodeAt(value.length - 1))
    ? _trimOws(value)
    : value;
}

/**
 * RFC 9110 §5.5: leading and trailing SP/HTAB are not part of a field value. busybox httpd
 * passes them through, so they are removed here (ENV-12).
 */
function _trimOws(value: string): string {
  let a = 0;
  let b = value.length;
  while (a < b && _isOws(value.charCodeAt(a))) a++;
  while (b > a && _isOws(value.charCodeAt(b - 1))) b--;
  return value.slice(a, b);
}

/** SERVER_NAME and SERVER_PORT, filled from HTTP_HOST or split from `name:port` (ADP-CGI-05). */
function _serverAddress(
  params: Readonly<Record<string, string>>,
  secure: boolean,
): [string, string] {
  let name = params.SERVER_NAME ?? '';
  let port = params.SERVER_PORT ?? '';
  if (name !== '' && port === '') {
    const c = name.lastIndexOf(':');
    if (c > name.lastIndexOf(']') && isDigits(name.slice(c + 1))) {
      port = name.slice(c + 1);
      name = name.slice(0, c);
    }
  }
  const host = params.HTTP_HOST ?? '';
  const c = host.lastIndexOf(':');
  const hasPort = c > host.lastIndexOf(']');
  if (name === '') name = (hasPort ? host.slice(0, c) : host) || 'localhost';
  if (port === '') port = (hasPort ? host.slice(c + 1) : '') || (secure ? '443' : '80');
  return [name, port];
}
