/**
 * Checks on the environ a server (or middleware acting as one) hands the application
 * (spec 02-environ.md, ENV-01..27). One block per rule, as in Rack::Lint and wsgiref.validate
 * (research gateway-specs §2.1, §3.2); each message starts with the rule's ID.
 */
import {
  addRequestHeader,
  FORBIDDEN_VARIABLES,
  headerVariable,
  isByteString,
  isDigits,
  isHttpVersion,
  isToken,
  mayBeEmpty,
  percentDecode,
  splitTarget,
} from '@tsgi/core';
import { describe, type Reporter } from './violation.js';

// The shape rules themselves are @tsgi/core's (its syntax.ts), which the engine and the
// adapters' environ building use too; this file says which rule each variable must meet.
const _HTTP_KEY = /^HTTP_[A-Z0-9_]+$/;
// ENV-16: servers own hop-by-hop request headers and may leave them out of environ.
const _HOP = /^HTTP_(CONNECTION|KEEP_ALIVE|TE|TRANSFER_ENCODING|UPGRADE|PROXY_.*)$/;
/** `tsgi.*` keys the spec defines (ENV-15..24) and registered extensions (EXT-01, EXT-04). */
const _TSGI_KEYS = new Set([
  'tsgi.version',
  'tsgi.url_scheme',
  'tsgi.input',
  'tsgi.errors',
  'tsgi.multithread',
  'tsgi.multiprocess',
  'tsgi.run_once',
  'tsgi.input_terminated',
  'tsgi.signal',
  'tsgi.raw_headers',
  'tsgi.file_wrapper',
]);
/** Registered extensions and the type of their value (10-extensions.md registry). */
const _EXTENSIONS: Readonly<Record<string, 'function' | 'array'>> = {
  'tsgi.file_wrapper': 'function',
  'tsgix.early_hints': 'function',
  'tsgix.trailers': 'function',
  'tsgix.response_finished': 'array',
};

/** Reports every environ rule `env` breaks, as the server's fault. */
export function checkEnviron(env: unknown, r: Reporter): void {
  const bad = (id: string, msg: string, severity: 'error' | 'warning' = 'error'): void =>
    r.report(id, 'server', msg, { severity });

  // ENV-01: a plain, extensible object.
  if (env === null || typeof env !== 'object') {
    bad('ENV-01', `environ must be a plain object, got ${describe(env)}`);
    return;
  }
  const proto: unknown = Object.getPrototypeOf(env);
  if (proto !== Object.prototype && proto !== null)
    bad('ENV-01', `environ must be a plain object, got ${describe(env)}`);
  if (!Object.isExtensible(env)) bad('ENV-01', 'environ must be extensible and mutable');
  const e = env as Record<string, unknown>;

  // ENV-02: string keys; CGI keys (no dot) hold strings; absent ones are omitted, not ''.
  // ENV-06: byte strings.
  if (Object.getOwnPropertySymbols(e).length > 0) bad('ENV-02', 'environ keys must be strings');
  for (const key of Object.keys(e)) {
    if (key.includes('.')) continue;
    const v = e[key];
    if (typeof v !== 'string')
      bad('ENV-02', `${key} must be a string, got ${describe(v)} (omit absent variables)`);
    else if (!isByteString(v)) bad('ENV-06', `${key} has code units above 0xFF`);
    else if (v === '' && !mayBeEmpty(key))
      bad('ENV-02', `${key} is ''; a variable without a value is omitted`);
  }
  const str = (k: string): string | undefined => (typeof e[k] === 'string' ? e[k] : undefined);

  // ENV-03
  const method = str('REQUEST_METHOD');
  if (method === undefined || !isToken(method))
    bad('ENV-03', `REQUEST_METHOD must be a token, got ${JSON.stringify(e.REQUEST_METHOD)}`);

  // ENV-04
  const script = str('SCRIPT_NAME');
  if (script === undefined) bad('ENV-04', 'SCRIPT_NAME is required (use "" at the root)');
  else if (script === '/') bad('ENV-04', 'SCRIPT_NAME must not be "/"; use ""');
  else if (script !== '' && !script.startsWith('/'))
    bad('ENV-04', `SCRIPT_NAME must be "" or start with "/", got ${JSON.stringify(script)}`);
  else if (script.endsWith('/'))
    bad('ENV-04', `SCRIPT_NAME should not end with "/": ${JSON.stringify(script)}`, 'warning');

  // ENV-05
  const path = str('PATH_INFO');
  if (path === undefined) bad('ENV-05', 'PATH_INFO is required (possibly "")');
  else if (path === '*' ? method !== 'OPTIONS' : path !== '' && !path.startsWith('/'))
    bad('ENV-05', `PATH_INFO must be "" or start with "/", got ${JSON.stringify(path)}`);
  else if (script === '' && path === '')
    bad('ENV-05', 'SCRIPT_NAME and PATH_INFO cannot both be empty');

  // ENV-07
  const uri = str('REQUEST_URI');
  if (uri === undefined || uri === '') bad('ENV-07', 'REQUEST_URI (the raw target) is required');

  // ENV-08: raw, no "?", and the same query REQUEST_URI carries.
  const query = str('QUERY_STRING');
  if (query === undefined) bad('ENV-08', 'QUERY_STRING is required (possibly "")');
  else if (query.startsWith('?')) bad('ENV-08', 'QUERY_STRING must not start with "?"');
  else if (uri !== undefined && uri !== '*' && splitTarget(uri).query !== query)
    bad('ENV-08', `QUERY_STRING ${JSON.stringify(query)} differs from REQUEST_URI's query`);

  // ENV-05: SCRIPT_NAME + PATH_INFO is the request path decoded once (ENV-06), not
  // normalised (ENV-30).
  if (uri !== undefined && uri !== '*' && path !== undefined && script !== undefined)
    _checkSplit(script + path, percentDecode(splitTarget(uri).rawPath), bad);

  // ENV-09
  const cl = e.CONTENT_LENGTH;
  if (cl !== undefined && (typeof cl !== 'string' || !isDigits(cl)))
    bad('ENV-09', `CONTENT_LENGTH must be digits only, got ${JSON.stringify(cl)}`);
  _checkForbidden(e, 'ENV-09', bad);

  // ENV-10
  if (!str('SERVER_NAME')) bad('ENV-10', 'SERVER_NAME is required and non-empty');
  const port = str('SERVER_PORT');
  if (!port) bad('ENV-10', 'SERVER_PORT is required and non-empty');
  else if (!isDigits(port)) bad('ENV-10', `SERVER_PORT should be digits, got ${port}`, 'warning');

  // ENV-11
  const proto11 = str('SERVER_PROTOCOL');
  if (proto11 === undefined || !isHttpVersion(proto11))
    bad('ENV-11', `SERVER_PROTOCOL must match HTTP/d.d, got ${JSON.stringify(e.SERVER_PROTOCOL)}`);

  // ENV-12: header keys are HTTP_ + upper case with "_".
  for (const k of Object.keys(e))
    if (k.startsWith('HTTP_') && !_HTTP_KEY.test(k))
      bad('ENV-12', `${k} is not HTTP_ + upper-case name with "-" mapped to "_"`);

  checkRawHeaders(e, bad);
  checkTsgiKeys(e, bad);

  // ENV-27: httpoxy (CVE-2016-5385).
  _checkForbidden(e, 'ENV-27', bad);
}

type Bad = (id: string, msg: string, severity?: 'error' | 'warning') => void;

/** ENV-09, ENV-27: the variables environ never carries that `id` forbids. */
function _checkForbidden(e: Record<string, unknown>, id: string, bad: Bad): void {
  for (const [k, rule] of FORBIDDEN_VARIABLES)
    if (rule === id && k in e)
      bad(id, `${k} must not be present (${id === 'ENV-27' ? 'httpoxy' : `use ${k.slice(5)}`})`);
}

/** Names the rule a wrong SCRIPT_NAME + PATH_INFO breaks: ENV-06, ENV-30 or ENV-05. */
function _checkSplit(joined: string, decoded: string, bad: Bad): void {
  if (joined === decoded) return;
  const msg = `SCRIPT_NAME + PATH_INFO is ${JSON.stringify(joined)}; the request path decoded once is ${JSON.stringify(decoded)}`;
  if (joined === percentDecode(decoded)) bad('ENV-06', `${msg} (decoded twice)`);
  else if (!isByteString(joined)) bad('ENV-06', `${msg} (not a byte string)`);
  else if (joined === _normalise(decoded)) bad('ENV-30', `${msg} (normalised)`);
  else bad('ENV-05', msg);
}

/** Merges repeated slashes and removes dot-segments, as a normalising server would. */
function _normalise(path: string): string {
  const out: string[] = [];
  for (const seg of path.replace(/\/{2,}/g, '/').split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.') out.push(seg);
  }
  return out.join('/');
}

/** ENV-12..14, ENV-28: `tsgi.raw_headers` is lossless, and HTTP_* agree with it. */
function checkRawHeaders(e: Record<string, unknown>, bad: Bad): void {
  const raw = e['tsgi.raw_headers'];
  if (raw === undefined) return;
  if (
    !Array.isArray(raw) ||
    !raw.every(
      (h: unknown) =>
        Array.isArray(h) &&
        h.length === 2 &&
        typeof h[0] === 'string' &&
        typeof h[1] === 'string' &&
        isByteString(h[1]),
    )
  ) {
    bad('ENV-28', 'tsgi.raw_headers must be an array of [name, value] byte-string pairs');
    return;
  }
  const expected: Record<string, unknown> = {};
  const underscored = new Set<string>();
  for (const [name, value] of raw as Array<[string, string]>) {
    if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers are not headers
    if (name.includes('_')) underscored.add(headerVariable(name));
    addRequestHeader(expected, name, value.trim()); // ENV-12: surrounding whitespace removed
  }
  for (const [k, v] of Object.entries(expected)) {
    if (!k.startsWith('HTTP_') || _HOP.test(k)) continue;
    if (!(k in e)) bad('ENV-12', `request header for ${k} is in tsgi.raw_headers but not environ`);
    else if (e[k] !== v)
      bad(
        'ENV-13',
        `${k} is ${JSON.stringify(e[k])} but the request's headers give ${JSON.stringify(v)}`,
      );
  }
  for (const k of Object.keys(e)) {
    if (!k.startsWith('HTTP_') || k in expected) continue;
    if (underscored.has(k))
      bad('ENV-14', `${k} comes from a header name containing "_"; such headers must be dropped`);
    else if (!_HOP.test(k))
      bad('ENV-12', `${k} is in environ but no such request header was received`, 'warning');
  }
}

/** ENV-18..25: the `tsgi.*` keys. */
function checkTsgiKeys(e: Record<string, unknown>, bad: Bad): void {
  // ENV-18
  const v = e['tsgi.version'];
  // Any TSGI 1.x: [1, minor], the highest minor whose rules the server meets.
  if (
    !Array.isArray(v) ||
    v.length !== 2 ||
    v[0] !== 1 ||
    !Number.isInteger(v[1]) ||
    (v[1] as number) < 0
  )
    bad('ENV-18', `tsgi.version must be [1, n] (n an integer >= 0), got ${JSON.stringify(v)}`);
  else if (!Object.isFrozen(v)) bad('ENV-18', 'tsgi.version must be frozen');

  // ENV-19
  if (e['tsgi.url_scheme'] !== 'http' && e['tsgi.url_scheme'] !== 'https')
    bad('ENV-19', `tsgi.url_scheme must be "http" or "https"`);

  // ENV-20, IN-01
  const input = e['tsgi.input'] as Record<string | symbol, unknown> | undefined;
  if (
    typeof input !== 'object' ||
    input === null ||
    typeof input.read !== 'function' ||
    typeof input.cancel !== 'function' ||
    typeof input[Symbol.asyncIterator] !== 'function'
  )
    bad('ENV-20', 'tsgi.input must have read(), cancel() and [Symbol.asyncIterator]');

  // ENV-21, ERRS-01
  const errors = e['tsgi.errors'] as Record<string, unknown> | undefined;
  if (
    typeof errors !== 'object' ||
    errors === null ||
    typeof errors.write !== 'function' ||
    typeof errors.flush !== 'function'
  )
    bad('ENV-21', 'tsgi.errors must have write() and flush()');

  // ENV-22
  for (const k of ['tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once'])
    if (typeof e[k] !== 'boolean') bad('ENV-22', `${k} must be a boolean`);

  // ENV-23
  if (e['tsgi.input_terminated'] !== true) bad('ENV-23', 'tsgi.input_terminated must be true');

  // ENV-24
  if (!(e['tsgi.signal'] instanceof AbortSignal))
    bad('ENV-24', `tsgi.signal must be an AbortSignal, got ${describe(e['tsgi.signal'])}`);

  // EXT-07: an unsupported extension is absent, never a placeholder; EXT-04: starts empty.
  for (const [k, type] of Object.entries(_EXTENSIONS)) {
    if (!(k in e)) continue;
    const ok = type === 'array' ? Array.isArray(e[k]) : typeof e[k] === 'function';
    if (!ok) bad('EXT-07', `${k} is ${describe(e[k])}; leave unsupported extensions out`);
    else if (type === 'array' && (e[k] as unknown[]).length > 0)
      bad('EXT-04', `${k} must be empty when the server builds environ`);
  }

  // ENV-25: extension keys have a lower-case prefix; "tsgi." is reserved to the spec.
  for (const k of Object.keys(e)) {
    const dot = k.indexOf('.');
    if (dot < 0) continue;
    const prefix = k.slice(0, dot);
    if (prefix !== prefix.toLowerCase() || prefix === '')
      bad('ENV-25', `extension key ${k} needs a lower-case prefix`);
    else if (prefix === 'tsgi' && !_TSGI_KEYS.has(k))
      bad('ENV-25', `${k}: the "tsgi." prefix is reserved to the specification`, 'warning');
  }
}
