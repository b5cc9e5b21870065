/**
 * Request-target and `Host` validation for servers that parse HTTP (SRV-15, ENV-34, ENV-35), and
 * the split of a valid authority for ENV-10. Pure functions over byte strings, no I/O: the node
 * adapter refuses with them, the fetch bridge trusts `HTTP_HOST` only when it passes them.
 */

/** The forms of RFC 9112 §3.2 a request-target can take. */
export type RequestTargetForm = 'origin' | 'absolute' | 'authority' | 'asterisk';

// RFC 3986 §3.2.2 reg-name octets other than pct-encoded: unreserved and sub-delims.
const _REG_NAME = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=") {
  _REG_NAME[c.charCodeAt(0)] = 1;
}

// SRV-15: never in a request-target, whatever its form; above 0xFF is not a byte string.
const _BAD_OCTET = /[\x00-\x20#\x7f\u0100-\uffff]/;

function _isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function _isHex(c: number): boolean {
  return _isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/**
 * True when `value` is `uri-host [ ":" port ]` of RFC 3986 (ENV-34): an IP-literal in brackets,
 * or a reg-name (which includes every IPv4 address) of unreserved characters, percent-encodings
 * and sub-delims; `port` is zero or more digits. The empty value is valid (it names no host).
 */
export function isValidHost(value: string): boolean {
  const end = _hostEnd(value, 0, value.length);
  return end >= 0 && _isPort(value, end, value.length);
}

/**
 * Splits a valid `Host` value or authority into name and port (`''` when there is none, or it is
 * empty); `undefined` when `isValidHost` is false. An IPv6 literal keeps its brackets (ENV-10).
 */
export function splitHost(value: string): [name: string, port: string] | undefined {
  const end = _hostEnd(value, 0, value.length);
  if (end < 0 || !_isPort(value, end, value.length)) return undefined;
  return end === value.length ? [value, ''] : [value.slice(0, end), value.slice(end + 1)];
}

/**
 * The form of `target` when a server may accept it for `method`, else `null` (SRV-15): origin-form
 * (starts with `/`), absolute-form with the scheme `http` or `https` (any case) and a non-empty
 * host without userinfo (ENV-35, RFC 9110 §4.2), `*` for `OPTIONS` only, authority-form
 * (`host:port`) for `CONNECT` only. Every form is refused when it holds an octet 0x00-0x20, 0x7F
 * or `#`, or a code unit above 0xFF (not a byte string). Octets 0x80-0xFF and `"<>\^`{|}` pass.
 */
export function requestTargetForm(target: string, method: string): RequestTargetForm | null {
  const n = target.length;
  // A regular expression scans a long target about a third faster than a charCodeAt loop.
  if (n === 0 || _BAD_OCTET.test(target)) return null;
  if (method === 'CONNECT') {
    // RFC 9112 §3.2.3: uri-host ":" port, both present (RFC 9110 §9.3.6: no default port).
    const end = _hostEnd(target, 0, n);
    return end > 0 && end < n - 1 && _isPort(target, end, n) ? 'authority' : null;
  }
  const first = target.charCodeAt(0);
  if (first === 0x2f) return 'origin';
  if (first === 0x2a) return n === 1 && method === 'OPTIONS' ? 'asterisk' : null;
  return _authorityStart(target) > 0 ? 'absolute' : null;
}

/**
 * The authority of an absolute-form target (`http://a.test:8080/x` gives `a.test:8080`), as
 * received; `undefined` for any other form or an invalid one. ENV-35 makes it `HTTP_HOST`.
 */
export function targetAuthority(target: string): string | undefined {
  const start = _authorityStart(target);
  return start < 0 ? undefined : target.slice(start, _authorityEnd(target, start));
}

/** Where the authority of an `http://` or `https://` target starts, or -1 (also when invalid). */
function _authorityStart(t: string): number {
  let i = 4;
  if (
    (t.charCodeAt(0) | 0x20) !== 0x68 ||
    (t.charCodeAt(1) | 0x20) !== 0x74 ||
    (t.charCodeAt(2) | 0x20) !== 0x74 ||
    (t.charCodeAt(3) | 0x20) !== 0x70
  ) {
    return -1;
  }
  if ((t.charCodeAt(4) | 0x20) === 0x73) i = 5;
  if (t.charCodeAt(i) !== 0x3a || t.charCodeAt(i + 1) !== 0x2f || t.charCodeAt(i + 2) !== 0x2f)
    return -1;
  const start = i + 3;
  const end = _authorityEnd(t, start);
  // RFC 9110 §4.2.1: an http(s) URI with an empty host is invalid; `@` (userinfo) fails the grammar.
  const host = _hostEnd(t, start, end);
  return host > start && _isPort(t, host, end) ? start : -1;
}

/** The end of an authority: the first `/`, `?` or `#` after `start`, or the end. */
function _authorityEnd(t: string, start: number): number {
  let i = start;
  for (; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 0x2f || c === 0x3f || c === 0x23) break;
  }
  return i;
}

/** True when `s[at, end)` is empty or `":" *DIGIT`. */
function _isPort(s: string, at: number, end: number): boolean {
  if (at === end) return true;
  if (s.charCodeAt(at) !== 0x3a) return false;
  for (let i = at + 1; i < end; i++) if (!_isDigit(s.charCodeAt(i))) return false;
  return true;
}

/**
 * The index just past the uri-host that starts at `from` (a reg-name stops at the first octet
 * it cannot hold), or -1 for a malformed IP-literal.
 */
function _hostEnd(s: string, from: number, end: number): number {
  if (from < end && s.charCodeAt(from) === 0x5b) {
    const close = s.indexOf(']', from);
    if (close < 0 || close >= end) return -1;
    return _isIpLiteral(s.slice(from + 1, close)) ? close + 1 : -1;
  }
  let i = from;
  while (i < end) {
    const c = s.charCodeAt(i);
    if (c < 128 && _REG_NAME[c] === 1) i++;
    else if (
      c === 0x25 &&
      i + 2 < end &&
      _isHex(s.charCodeAt(i + 1)) &&
      _isHex(s.charCodeAt(i + 2))
    )
      i += 3;
    else break;
  }
  return i;
}

const _IPV_FUTURE = /^[vV][0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$/;
const _H16 = /^[0-9A-Fa-f]{1,4}$/;
const _DEC_OCTET = /^(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])$/;

/** `IPv6address / IPvFuture` (RFC 3986 §3.2.2), the inside of the brackets. */
function _isIpLiteral(s: string): boolean {
  if (_IPV_FUTURE.test(s)) return true;
  const gap = s.indexOf('::');
  if (gap < 0) return _groups(s, true) === 8;
  if (s.indexOf('::', gap + 1) >= 0) return false;
  const head = gap === 0 ? 0 : _groups(s.slice(0, gap), false);
  const tail = gap + 2 === s.length ? 0 : _groups(s.slice(gap + 2), true);
  // "::" stands for at least one group.
  return head >= 0 && tail >= 0 && head + tail <= 7;
}

/** How many 16-bit groups `s` (h16 ":" ... h16, the last maybe an IPv4 address) holds, or -1. */
function _groups(s: string, last: boolean): number {
  const parts = s.split(':');
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (_H16.test(p)) n++;
    else if (last && i === parts.length - 1 && _isIpv4(p)) n += 2;
    else return -1;
  }
  return n;
}

function _isIpv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => _DEC_OCTET.test(p));
}
