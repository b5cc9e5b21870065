/**
 * The shape rules of the contract's strings, each written once: the engine's `startResponse`
 * checks (`headers.ts`), environ building (`environ.ts`, `cookie.ts`) and the conformance lint
 * all call these. There is no zod copy: schemas would be a second statement of the same rules,
 * and the engine cannot use them (a zod parse costs far more than these tests on a per-request
 * path), so `@tsgi/core` keeps one hand-written set and the lint reuses it.
 */

// SR-02: three digits 200-599, one space, a reason phrase without controls or edge whitespace.
const _STATUS = /^[2-5][0-9]{2} [!-~\x80-\xff](?:[ \t!-~\x80-\xff]*[!-~\x80-\xff])?$/;
// ENV-11: HTTP/d or HTTP/d.d.
const _HTTP_VERSION = /^HTTP\/\d(\.\d)?$/;
const _TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

/** SR-02: `"NNN Reason"`, NNN from 200 to 599. */
export function isStatusLine(text: string): boolean {
  return _STATUS.test(text);
}

/** ENV-11: an HTTP version as `SERVER_PROTOCOL` carries it, `HTTP/1.1`, `HTTP/2`. */
export function isHttpVersion(text: string): boolean {
  return _HTTP_VERSION.test(text);
}

/** RFC 9110 §5.6.2 tchar: a character of a token. */
export function isTchar(c: number): boolean {
  return (
    (c >= 0x30 && c <= 0x39) ||
    (c >= 0x41 && c <= 0x5a) ||
    (c >= 0x61 && c <= 0x7a) ||
    _TCHAR_SYMBOLS.indexOf(String.fromCharCode(c)) >= 0
  );
}

/** RFC 9110 §5.6.2 token: a method (ENV-03), a header name (SR-04), a cookie-name. */
export function isToken(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) if (!isTchar(text.charCodeAt(i))) return false;
  return true;
}

// Loops rather than regular expressions: values are short, and a loop is about half the cost of
// a RegExp test for them (bench/node-overhead.mjs hello world).

/** SR-05: RFC 9110 §5.5 field-value characters are HTAB, SP, VCHAR and obs-text; nothing else. */
export function isFieldValue(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 : c === 0x7f || c > 0xff) return false;
  }
  return true;
}

/** One or more decimal digits: a content-length (SR-15, ENV-09), a port (ENV-10). */
export function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const d = text.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) return false;
  }
  return true;
}

/** ENV-12 (RFC 3875 §4.1.18): a request header's variable, `HTTP_` + upper case, `-` → `_`. */
export function headerVariable(name: string): string {
  return `HTTP_${name.toUpperCase().replaceAll('-', '_')}`;
}

/**
 * Variables environ never carries, and the rule that forbids each: ENV-09 (they would duplicate
 * CONTENT_TYPE and CONTENT_LENGTH), ENV-27 (httpoxy, CVE-2016-5385).
 */
export const FORBIDDEN_VARIABLES: ReadonlyMap<string, 'ENV-09' | 'ENV-27'> = new Map([
  ['HTTP_CONTENT_TYPE', 'ENV-09'],
  ['HTTP_CONTENT_LENGTH', 'ENV-09'],
  ['HTTP_PROXY', 'ENV-27'],
]);

/** ENV-02: the variables that may hold `''`; any other without a value is left out. */
export function mayBeEmpty(key: string): boolean {
  return (
    key.startsWith('HTTP_') ||
    key === 'SCRIPT_NAME' ||
    key === 'PATH_INFO' ||
    key === 'QUERY_STRING'
  );
}
