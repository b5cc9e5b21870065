/**
 * The access log, one line per request in one of three formats (issue 23):
 * - `common`, Apache's `%h %l %u %t "%r" %>s %b`:
 *   `127.0.0.1 - - [25/Nov/2026:07:03:00 +0000] "GET /path?q HTTP/1.1" 200 1234`;
 * - `combined`, the same plus `"%{Referer}i" "%{User-agent}i"` (nginx's default `combined`);
 * - `json`, one object per line with the same fields and the duration, for log shippers.
 * A status is `-` (JSON `null`) when none was sent (the client left first); `%b` is `-` for no
 * body. A line refused before its request line was parsed has `-` for `%r` (ADP-NODE-14).
 */
import type { IncomingMessage } from 'node:http';
import type { ExchangeState } from './_exchange-state.js';

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

// Apache escapes `"`, `\\` and non-printable octets in the request line so a line stays a line.
const _UNSAFE = /["\\\x00-\x1f\x7f-\xff]/g;

function _escape(text: string): string {
  return text.replace(_UNSAFE, (c) => {
    if (c === '"' || c === '\\') return `\\${c}`;
    const code = c.charCodeAt(0);
    return `\\x${code < 16 ? '0' : ''}${code.toString(16)}`;
  });
}

/** The access-log formats. */
export type AccessLogFormat = 'common' | 'combined' | 'json';

/** What one line says. */
export interface AccessEntry {
  remote: string | undefined;
  /** `METHOD target HTTP/x.y`, or undefined when no request line was parsed. */
  request: string | undefined;
  /** 0 when no status was sent. */
  status: number;
  bytes: number;
  /** When the request arrived (ms since the epoch). */
  start: number;
  referer?: string | undefined;
  userAgent?: string | undefined;
}

/** The entry of a finished request: an exchange, HTTP/1.x or HTTP/2. */
export function exchangeEntry(ex: ExchangeState): AccessEntry {
  if (!ex.h2) return requestEntry(ex.http1Request, ex.status, ex.bytes, ex.start);
  const headers = ex.h2Headers!;
  return {
    remote: ex.remote,
    request: `${ex.method} ${ex.target} HTTP/2.0`, // as nginx and Apache log HTTP/2
    status: ex.status,
    bytes: ex.bytes,
    start: ex.start,
    referer: headers.referer,
    userAgent: headers['user-agent'],
  };
}

/** The entry of a finished node:http request (an exchange, or a WebSocket's handshake). */
export function requestEntry(
  req: IncomingMessage,
  status: number,
  bytes: number,
  start: number,
): AccessEntry {
  return {
    remote: req.socket?.remoteAddress,
    request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
    status,
    bytes,
    start,
    referer: req.headers.referer,
    userAgent: req.headers['user-agent'],
  };
}

/** One access-log line (no newline). */
export function formatAccess(entry: AccessEntry, format: AccessLogFormat = 'common'): string {
  if (format === 'json') {
    return JSON.stringify({
      time: new Date(entry.start).toISOString(),
      remote: entry.remote ?? null,
      request: entry.request ?? null,
      status: entry.status === 0 ? null : entry.status,
      bytes: entry.bytes,
      duration_ms: Date.now() - entry.start,
      referer: entry.referer ?? null,
      user_agent: entry.userAgent ?? null,
    });
  }
  const request = entry.request === undefined ? '-' : _escape(entry.request);
  const status = entry.status === 0 ? '-' : entry.status;
  const line = `${entry.remote ?? '-'} - - ${clfTime(entry.start)} "${request}" ${status} ${entry.bytes === 0 ? '-' : entry.bytes}`;
  if (format !== 'combined') return line;
  return `${line} "${_escape(entry.referer ?? '-')}" "${_escape(entry.userAgent ?? '-')}"`;
}

/** The `accessLog` option: a function, `true` for stdout, or nothing. */
export function accessLogWriter(
  log: boolean | ((line: string) => void) | undefined,
): ((line: string) => void) | undefined {
  if (typeof log === 'function') return log;
  return log === true ? (line) => void process.stdout.write(`${line}\n`) : undefined;
}

/** The `accessLogFormat` option, checked at setup (default `common`). */
export function checkAccessLogFormat(format: AccessLogFormat | undefined): AccessLogFormat {
  const checked = format ?? 'common';
  if (!['common', 'combined', 'json'].includes(checked)) {
    throw new RangeError(
      `accessLogFormat must be 'common', 'combined' or 'json', got ${String(checked)}`,
    );
  }
  return checked;
}
