/**
 * Response status/header validation (SR-02..06) and request-header mapping into environ
 * (ENV-09, ENV-12..14, ENV-27). The character rules are `syntax.ts`'s, shared with the lint.
 */
import { ContractError } from './errors.js';
import {
  FORBIDDEN_VARIABLES,
  headerVariable,
  isDigits,
  isFieldValue,
  isStatusLine,
  isToken,
} from './syntax.js';
import type { ResponseHeader, ResponseHeaders } from './types.js';

/** Response headers a server owns (SR-06): RFC 9110 §7.6.1 connection-specific fields. */
export const HOP_BY_HOP_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

// The last status found valid: an app answers with a handful of constant strings, and a string
// compare is cheaper than the expression (bench/node-overhead.mjs hello world).
let _lastStatus = '200 OK'; // a valid status: the cache never starts out accepting anything else

/** Throws `ContractError` (SR-02) unless `status` is a valid status line. */
export function validateStatus(status: unknown): void {
  if (status === _lastStatus) return;
  if (typeof status !== 'string') {
    throw new ContractError('SR-02', `status must be a string like "200 OK", got ${typeof status}`);
  }
  if (!isStatusLine(status)) {
    throw new ContractError(
      'SR-02',
      `status ${JSON.stringify(status)} is not "NNN Reason" (200-599)`,
    );
  }
  _lastStatus = status;
}

// What a valid header name is to the engine. Names are cached once checked: responses repeat
// the same few names, and one lookup replaces a token test, a lower-casing and a set lookup.
const _ORDINARY = 0;
const _CONTENT_LENGTH = 1;
const _STATUS_NAME = 2;
const _HOP_BY_HOP = 3;
const _UPGRADE = 4;
const _names = new Map<string, number>();

/** SR-04: throws unless `name` is a token; otherwise classifies (and caches) it. */
function _classifyName(name: string): number {
  if (!isToken(name))
    throw new ContractError('SR-04', `header name ${JSON.stringify(name)} is not a token`);
  const lower = name.toLowerCase();
  const kind =
    lower === 'content-length'
      ? _CONTENT_LENGTH
      : lower === 'status'
        ? _STATUS_NAME
        : lower === 'upgrade'
          ? _UPGRADE
          : HOP_BY_HOP_HEADERS.has(lower)
            ? _HOP_BY_HOP
            : _ORDINARY;
  // Bounded: an app can produce any number of distinct names.
  if (_names.size < 512) _names.set(name, kind);
  return kind;
}

/**
 * Validates response headers (SR-03..06) and returns the declared content-length, or -1.
 * Throws `ContractError` naming the rule broken. `upgrade` passes only when `status` is 426
 * (SR-06, SR-17); without a status (interim responses) it never does.
 */
export function validateHeaders(headers: unknown, status?: number): number {
  if (!Array.isArray(headers)) {
    throw new ContractError('SR-03', 'headers must be an array of [name, value] tuples');
  }
  let length = -1;
  for (let i = 0; i < headers.length; i++) {
    const h: unknown = headers[i];
    if (!Array.isArray(h) || h.length !== 2) {
      throw new ContractError('SR-03', `header #${i} is not a [name, value] tuple`);
    }
    const name: unknown = h[0];
    const value: unknown = h[1];
    if (typeof name !== 'string' || typeof value !== 'string') {
      throw new ContractError('SR-03', `header #${i}: name and value must be strings`);
    }
    const kind = _names.get(name) ?? _classifyName(name);
    if (!isFieldValue(value)) {
      throw new ContractError(
        'SR-05',
        `header ${name}: value has CR, LF, NUL or a non-byte character`,
      );
    }
    if (kind === _STATUS_NAME)
      throw new ContractError('SR-04', 'a header may not be named "status"');
    if (kind === _HOP_BY_HOP) {
      throw new ContractError('SR-06', `hop-by-hop header "${name}" is the server's to send`);
    }
    if (kind === _UPGRADE && status !== 426)
      throw new ContractError('SR-06', `"${name}" is allowed only on a 426 response`);
    if (kind === _CONTENT_LENGTH) {
      if (!isDigits(value))
        throw new ContractError('SR-15', `content-length ${JSON.stringify(value)} is not digits`);
      const n = Number(value);
      if (length >= 0 && n !== length)
        throw new ContractError('SR-15', 'conflicting content-length headers');
      length = n;
    }
  }
  return length;
}

/** The numeric code of a validated status. */
export function statusCode(status: string): number {
  return (
    (status.charCodeAt(0) - 48) * 100 + (status.charCodeAt(1) - 48) * 10 + status.charCodeAt(2) - 48
  );
}

/**
 * A request header name's environ key, shared by every spelling of the name (`Host`, `host`), and
 * the number of the `addRequestHeaders` call that last set it: a repeat within one call is found
 * by comparing numbers, not by looking the key up on environ, which misses for almost every
 * header and so walks the prototype chain (bench/node-overhead.mjs: about 10 ns per header).
 */
interface _KeyEntry {
  readonly key: string;
  /** False for an entry made while the caches were full: never trust `mark`, look it up. */
  readonly cached: boolean;
  mark: number;
}

// Bounded: a client can send any number of distinct names.
const _CACHE_LIMIT = 512;
const _entries = new Map<string, _KeyEntry | null>();
const _byKey = new Map<string, _KeyEntry>();
let _call = 0;

// A client sends the same header names in the same order on every request (a browser, a load
// generator, a proxy), so the entry found at each position last time is checked first: comparing
// two equal short strings costs a few ns, hashing a new string for the Map about 17.
const _MEMO_SIZE = 32;
const _memoNames: string[] = [];
const _memoEntries: Array<_KeyEntry | null> = [];

function _keyFor(name: string): string | null {
  if (name.includes('_')) return null; // ENV-14
  const key = headerVariable(name);
  const rule = FORBIDDEN_VARIABLES.get(key);
  // ENV-09: Content-Type and Content-Length drop the prefix; ENV-27: Proxy is dropped.
  return rule === undefined ? key : rule === 'ENV-09' ? key.slice(5) : null;
}

function _entry(name: string): _KeyEntry | null {
  let entry = _entries.get(name);
  if (entry !== undefined) return entry;
  const key = _keyFor(name);
  if (key === null) entry = null;
  else {
    entry = _byKey.get(key);
    if (entry === undefined) {
      const cached = _byKey.size < _CACHE_LIMIT;
      entry = { key, cached, mark: 0 };
      if (cached) _byKey.set(key, entry);
    }
  }
  if (_entries.size < _CACHE_LIMIT) _entries.set(name, entry);
  return entry;
}

/**
 * The environ key for a request header name (ENV-12): `HTTP_` + upper-case, `-` → `_`.
 * `null` for names that must not reach environ: names with `_` (ENV-14), `Proxy` (ENV-27).
 * `CONTENT_TYPE`/`CONTENT_LENGTH` map without the prefix (ENV-09).
 */
export function environKey(name: string): string | null {
  const entry = _entry(name);
  return entry === null ? null : entry.key;
}

/**
 * ENV-13: a repeated request header's variable, `prev` and the next line's `value` joined in
 * order received: `"; "` for `HTTP_COOKIE`, `", "` for any other. The one place that joins,
 * for header lines (below) and FastCGI's repeated `HTTP_*` parameters (ADP-FCGI-12).
 */
export function joinHeaderValues(key: string, prev: string, value: string): string {
  return `${prev}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
}

/**
 * Adds one request header to environ, joining repeats with `", "` and Cookie with `"; "` (ENV-13).
 * Returns false when the header was dropped (ENV-14, ENV-27, or an empty Content-Type: ENV-09).
 */
export function addRequestHeader(
  environ: Record<string, unknown>,
  name: string,
  value: string,
): boolean {
  const entry = _entry(name);
  if (entry === null) return false;
  const key = entry.key;
  if (value.length === 0 && key === 'CONTENT_TYPE') return false; // ENV-09: empty is absent
  const prev = environ[key];
  environ[key] = prev === undefined ? value : joinHeaderValues(key, prev as string, value);
  return true;
}

/**
 * Adds every request header line to an environ that has none yet (ENV-12..14, ENV-27), and
 * returns the lines as `tsgi.raw_headers` tuples (ENV-28). `lines` alternates names and values,
 * as node:http's `rawHeaders` does.
 */
export function addRequestHeaders(
  environ: Record<string, unknown>,
  lines: readonly string[],
): Array<readonly [string, string]> {
  const call = ++_call;
  const pairs = new Array<readonly [string, string]>(lines.length >> 1);
  for (let i = 0, j = 0; i < lines.length; i += 2, j++) {
    const name = lines[i]!;
    const value = lines[i + 1]!;
    pairs[j] = [name, value];
    let entry: _KeyEntry | null;
    if (j < _MEMO_SIZE && _memoNames[j] === name) entry = _memoEntries[j]!;
    else {
      entry = _entry(name);
      if (j < _MEMO_SIZE) {
        _memoNames[j] = name;
        _memoEntries[j] = entry;
      }
    }
    if (entry === null) continue;
    const key = entry.key;
    // ENV-09: an empty Content-Type counts as absent (no CONTENT_TYPE).
    if (value.length === 0 && key === 'CONTENT_TYPE') continue;
    if (entry.mark !== call && entry.cached) {
      entry.mark = call;
      environ[key] = value;
    } else {
      // A repeat in this call, or a name the caches could not hold: join with what is there.
      const prev = environ[key];
      environ[key] = prev === undefined ? value : joinHeaderValues(key, prev as string, value);
    }
  }
  return pairs;
}

const _headerNames = new Map<string, string>();

/**
 * The header name an `HTTP_*` environ key stands for: `HTTP_X_FOO` → `x-foo` (ENV-12 in reverse,
 * for bridges that rebuild a request from environ). Cached, with a bound: a client can send any
 * number of distinct names.
 */
export function headerNameOf(key: string): string {
  let name = _headerNames.get(key);
  if (name === undefined) {
    name = key.slice(5).toLowerCase().replaceAll('_', '-');
    if (_headerNames.size < 512) _headerNames.set(key, name);
  }
  return name;
}

/** A copy of the application's headers, pair by pair (SR-13: later changes are not sent). */
export function copyHeaders(headers: ResponseHeaders): ResponseHeader[] {
  const copy = new Array<readonly [string, string]>(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    copy[i] = [h[0], h[1]];
  }
  return copy;
}
