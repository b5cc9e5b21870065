/**
 * Building environ (spec section 02): the `tsgi.*` keys every adapter sets, the request-target
 * split used by HTTP adapters, and the CGI-variable normaliser shared by FastCGI and CGI.
 */
import { percentDecode, percentEncodePath } from './bytes.js';
import type { Environ, ErrorStream, InputStream } from './types.js';

/** `tsgi.version` (ENV-18), shared and frozen. */
export const TSGI_VERSION: readonly [1, 0] = Object.freeze([1, 0] as const);

/** The `tsgi.*` values an adapter supplies for one request. */
export interface TsgiKeys {
  input: InputStream;
  errors: ErrorStream;
  signal: AbortSignal;
  urlScheme: 'http' | 'https';
  multithread: boolean;
  multiprocess: boolean;
  runOnce: boolean;
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
 * request). Headers are then added with `addRequestHeader`.
 */
export function createEnviron(line: RequestLine, keys: TsgiKeys): Environ {
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
    'tsgi.signal': keys.signal,
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

const _DIGITS = /^[0-9]+$/;

// Variables a CGI front-end sends that environ must not carry: ENV-09 (they duplicate
// CONTENT_*), ENV-27 (httpoxy, CVE-2016-5385).
const _DROP = new Set(['HTTP_CONTENT_LENGTH', 'HTTP_CONTENT_TYPE', 'HTTP_PROXY']);

/**
 * Normalises the CGI variables a web server sent (FastCGI PARAMS or a CGI process
 * environment, already as byte strings) into environ (ADP-CGI-01, ADP-FCGI-01). Handles the
 * observed quirks: empty or `-1` CONTENT_LENGTH, empty CONTENT_TYPE, missing PATH_INFO,
 * SCRIPT_NAME `/`, missing REQUEST_URI, SERVER_NAME or SERVER_PORT.
 */
export function environFromCgi(
  params: Readonly<Record<string, string>>,
  keys: Omit<TsgiKeys, 'urlScheme'>,
  options: CgiEnvironOptions = {},
): Environ {
  const https = params.HTTPS?.toLowerCase();
  const secure =
    https === 'on' || https === '1' || params.REQUEST_SCHEME?.toLowerCase() === 'https';
  const query = params.QUERY_STRING ?? '';
  let scriptName = params.SCRIPT_NAME ?? '';
  let pathInfo = params.PATH_INFO ?? '';
  const rawUri = params.REQUEST_URI;
  if (options.scriptName !== undefined && rawUri !== undefined) {
    [scriptName, pathInfo] = splitScriptName(
      percentDecode(splitTarget(rawUri).rawPath),
      options.scriptName,
    );
  } else {
    if (scriptName === '/') scriptName = '';
    if (scriptName.endsWith('/') && pathInfo === '') {
      scriptName = scriptName.slice(0, -1);
      pathInfo = '/';
    }
    if (pathInfo !== '' && pathInfo.charCodeAt(0) !== 0x2f) pathInfo = `/${pathInfo}`;
  }
  if (scriptName === '' && pathInfo === '') pathInfo = '/';
  const host = params.HTTP_HOST ?? '';
  const colon = host.lastIndexOf(':');
  const hostPort = colon > host.lastIndexOf(']') ? host.slice(colon + 1) : '';
  const env = createEnviron(
    {
      method: params.REQUEST_METHOD || 'GET',
      scriptName,
      pathInfo,
      queryString: query,
      requestUri:
        rawUri ?? percentEncodePath(scriptName + pathInfo) + (query === '' ? '' : `?${query}`),
      serverName:
        params.SERVER_NAME ||
        (colon > host.lastIndexOf(']') ? host.slice(0, colon) : host) ||
        'localhost',
      serverPort: params.SERVER_PORT || hostPort || (secure ? '443' : '80'),
      protocol: params.SERVER_PROTOCOL || 'HTTP/1.0',
    },
    { ...keys, urlScheme: secure ? 'https' : 'http' },
  ) as Record<string, unknown>;
  for (const name in params) {
    if (name in env || _DROP.has(name)) continue;
    const value = params[name]!;
    if (name === 'CONTENT_LENGTH' && !_DIGITS.test(value)) continue;
    if (name === 'CONTENT_TYPE' && value === '') continue;
    if (name.startsWith('HTTP_') && name.length > 5) {
      env[name] = value;
    } else if (!name.startsWith('tsgi.') && name.indexOf('.') < 0) {
      env[name] = value;
    }
  }
  return env as Environ;
}
