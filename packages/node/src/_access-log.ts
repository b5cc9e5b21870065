/**
 * Common Log Format, as Apache's `%h %l %u %t "%r" %>s %b`:
 * `127.0.0.1 - - [25/Nov/2026:07:03:00 +0000] "GET /path?q HTTP/1.1" 200 1234`.
 * `%>s` is `-` when no status was sent (the client left first) and `%b` is `-` for no body.
 */
import type { IncomingMessage } from 'node:http';

const _MONTHS = [
  'Jan',
  'Feb',
  'Mar',
  'Apr',
  'May',
  'Jun',
  'Jul',
  'Aug',
  'Sep',
  'Oct',
  'Nov',
  'Dec',
];

let _second = -1;
let _stamp = '';

function _pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `[10/Oct/2000:13:55:36 -0700]` in local time; cached per second. */
export function clfTime(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second === _second) return _stamp;
  const d = new Date(second * 1000);
  const off = -d.getTimezoneOffset();
  const abs = Math.abs(off);
  const zone = `${off < 0 ? '-' : '+'}${_pad(Math.floor(abs / 60))}${_pad(abs % 60)}`;
  _stamp =
    `[${_pad(d.getDate())}/${_MONTHS[d.getMonth()]}/${d.getFullYear()}:` +
    `${_pad(d.getHours())}:${_pad(d.getMinutes())}:${_pad(d.getSeconds())} ${zone}]`;
  _second = second;
  return _stamp;
}

// Apache escapes `"`, `\` and non-printable octets in the request line so a line stays a line.
const _UNSAFE = /["\\\x00-\x1f\x7f-\xff]/g;

function _escape(text: string): string {
  return text.replace(_UNSAFE, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const code = c.charCodeAt(0);
    return `\\x${code < 16 ? '0' : ''}${code.toString(16)}`;
  });
}

/**
 * The line for a request refused before a request line was parsed (node's parser refused it,
 * SRV-02; the connection limit refused the connection, SRV-08): `%r` is `-`, as Apache logs a
 * connection that timed out before one; `%>s` is `-` when nothing could be sent.
 */
export function formatRefusalLog(
  remote: string | undefined,
  status: number,
  start: number,
  bytes = 0,
): string {
  return `${remote ?? '-'} - - ${clfTime(start)} "-" ${status === 0 ? '-' : status} ${bytes === 0 ? '-' : bytes}`;
}

/** One access-log line (no newline) for a finished request. */
export function formatAccessLog(
  req: IncomingMessage,
  status: number,
  bytes: number,
  start: number,
): string {
  const host = req.socket?.remoteAddress ?? '-';
  const line = _escape(`${req.method} ${req.url} HTTP/${req.httpVersion}`);
  return `${host} - - ${clfTime(start)} "${line}" ${status === 0 ? '-' : status} ${bytes === 0 ? '-' : bytes}`;
}
