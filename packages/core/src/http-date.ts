/**
 * The `Date` field's value (RFC 9110 §5.6.7, IMF-fixdate: `Sun, 06 Dec 2026 17:40:00 GMT`) for
 * the servers that add it themselves, computed once a second as node:http does.
 */
let _second = -1;
let _text = '';

/** Now, as an HTTP date; the same string for every call within one second. */
export function httpDate(): string {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  if (second !== _second) {
    _second = second;
    _text = new Date(now).toUTCString();
  }
  return _text;
}
