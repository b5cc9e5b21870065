/**
 * ADP-FCGI-23 / ADP-CGI-07: undo a front end's `", "` join of several `Cookie` lines.
 *
 * Apache and caddy merge repeated `Cookie` fields with `", "` (the generic RFC 9110 §5.3 rule)
 * where RFC 6265 §5.4 wants `"; "`. A cookie-octet (RFC 6265 §4.1.1) excludes space, comma,
 * `;`, `"` and `\`, so when every piece around `", "` is a well-formed cookie-pair the separator
 * can only be the front end's, and `"; "` restores what a conforming front end sends. A value in
 * which any piece is not a cookie-pair (a non-conforming cookie that really contains `", "`) is
 * returned unchanged: guessing would corrupt it.
 */

import { isTchar } from './syntax.js';

/** RFC 6265 cookie-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E. */
function _isCookieOctet(c: number): boolean {
  return (
    c === 0x21 ||
    (c >= 0x23 && c <= 0x2b) ||
    (c >= 0x2d && c <= 0x3a) ||
    (c >= 0x3c && c <= 0x5b) ||
    (c >= 0x5d && c <= 0x7e)
  );
}

/** `cookie-pair = cookie-name "=" cookie-value` (a cookie-name is a token), the value optionally in double quotes. */
export function isCookiePair(piece: string): boolean {
  const eq = piece.indexOf('=');
  if (eq <= 0) return false;
  for (let i = 0; i < eq; i++) if (!isTchar(piece.charCodeAt(i))) return false;
  let a = eq + 1;
  let b = piece.length;
  if (b - a >= 2 && piece.charCodeAt(a) === 0x22 && piece.charCodeAt(b - 1) === 0x22) {
    a++;
    b--;
  }
  for (let i = a; i < b; i++) if (!_isCookieOctet(piece.charCodeAt(i))) return false;
  return true;
}

/** The `Cookie` value with a front end's `", "` joins replaced by `"; "` when provably safe. */
export function repairCookieJoin(value: string): string {
  if (value.indexOf(', ') < 0) return value;
  const lines = value.split(', ');
  for (const line of lines) {
    // Each joined line is itself `pair *( "; " pair )`.
    for (const piece of line.split('; ')) if (!isCookiePair(piece)) return value;
  }
  return lines.join('; ');
}
