/**
 * Response status/header validation (SR-02..06) and request-header mapping into environ
 * (ENV-09, ENV-12..14, ENV-27). Hand-written rather than zod so the hot path loads nothing.
 */
import { ContractError } from './errors.js';

// SR-02: three digits 200-599, one space, a reason phrase without controls or edge whitespace.
const _STATUS = /^[2-5][0-9]{2} [!-~\x80-\xff](?:[ \t!-~\x80-\xff]*[!-~\x80-\xff])?$/;
// SR-04: RFC 9110 §5.6.2 token.
const _TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// SR-05: CR, LF, NUL, and anything that is not a byte.
// SR-05: RFC 9110 §5.5 field-value characters are HTAB, SP, VCHAR and obs-text; nothing else.
const _BAD_VALUE = /[^\t\x20-\x7e\x80-\xff]/;
const _DIGITS = /^[0-9]+$/;

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
  if (!_STATUS.test(status)) {
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
const _names = new Map<string, number>();

/** SR-04: throws unless `name` is a token; otherwise classifies (and caches) it. */
function _classifyName(name: string): number {
  if (!_TOKEN.test(name))
    throw new ContractError('SR-04', `header name ${JSON.stringify(name)} is not a token`);
  const lower = name.toLowerCase();
  const kind =
    lower === 'content-length'
      ? _CONTENT_LENGTH
      : lower === 'status'
        ? _STATUS_NAME
        : HOP_BY_HOP_HEADERS.has(lower)
          ? _HOP_BY_HOP
          : _ORDINARY;
  // Bounded: an app can produce any number of distinct names.
  if (_names.size < 512) _names.set(name, kind);
  return kind;
}

/**
 * Validates response headers (SR-03..06) and returns the declared content-length, or -1.
 * Throws `ContractError` naming the rule broken.
 */
export function validateHeaders(headers: unknown): number {
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
    if (_BAD_VALUE.test(value)) {
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
    if (kind === _CONTENT_LENGTH) {
      if (!_DIGITS.test(value))
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

const _keys = new Map<string, string | null>();

/**
 * The environ key for a request header name (ENV-12): `HTTP_` + upper-case, `-` → `_`.
 * `null` for names that must not reach environ: names with `_` (ENV-14), `Proxy` (ENV-27).
 * `CONTENT_TYPE`/`CONTENT_LENGTH` map without the prefix (ENV-09).
 */
export function environKey(name: string): string | null {
  let key = _keys.get(name);
  if (key !== undefined) return key;
  const upper = name.toUpperCase();
  if (upper.includes('_') || upper === 'PROXY') key = null;
  else if (upper === 'CONTENT-TYPE' || upper === 'CONTENT-LENGTH') key = upper.replace('-', '_');
  else key = `HTTP_${upper.replaceAll('-', '_')}`;
  // Bounded: a client can send any number of distinct names.
  if (_keys.size < 512) _keys.set(name, key);
  return key;
}

/**
 * Adds one request header to environ, joining repeats with `", "` and Cookie with `"; "` (ENV-13).
 * Returns false when the header was dropped (ENV-14, ENV-27).
 */
export function addRequestHeader(
  environ: Record<string, unknown>,
  name: string,
  value: string,
): boolean {
  const key = environKey(name);
  if (key === null) return false;
  const prev = environ[key];
  if (prev === undefined) environ[key] = value;
  else environ[key] = `${prev}${key === 'HTTP_COOKIE' ? '; ' : ', '}${value}`;
  return true;
}
