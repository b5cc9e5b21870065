/**
 * The CGI response head (RFC 3875 §6), written once for `@tsgi/cgi` (standard output) and
 * `@tsgi/fastcgi` (FCGI_STDOUT), with the non-parsed-header variant (§5) CGI alone has, and
 * parsed once for the FastCGI client and the tests. Pure: no I/O and no imports beyond the
 * language and core's own pure files.
 *
 * A head is a byte string (one code unit per octet, SR-05), as both sinks write it without a
 * further copy: FastCGI encodes it straight into its STDOUT record, CGI into the bytes it writes.
 * The headers given are the engine's final ones (a `content-length` it decided on is among
 * them, BODY-10), so a head is the same for every method: nothing here knows HEAD, 204 or 304.
 */
import { bytesToLatin1 } from './bytes.js';
import { httpDate } from './http-date.js';
import type { BodyFraming, ResponseHeaders, Status } from './types.js';

/**
 * ADP-CGI-02, ADP-FCGI-15: `Status: NNN Reason` first (busybox httpd needs it as the very first
 * bytes; every front end accepts it there), then one `name: value` line per header in order
 * (repeats kept apart, SR-03), then the empty line. Every line ends in CRLF.
 */
export function formatCgiHead(status: Status, headers: ResponseHeaders): string {
  let head = `Status: ${status}\r\n`;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    head += `${h[0]}: ${h[1]}\r\n`;
  }
  return `${head}\r\n`;
}

/** A non-parsed-header head, and whether the body that follows must be sent chunked. */
export interface NphHead {
  text: string;
  chunked: boolean;
}

function _hasHeader(headers: ResponseHeaders, lower: string): boolean {
  for (let i = 0; i < headers.length; i++) if (headers[i]![0].toLowerCase() === lower) return true;
  return false;
}

/**
 * ADP-CGI-08: the head of a complete HTTP response, for an NPH script, which is the HTTP server
 * for its response: the status line (`HTTP/1.0` when `protocol`, the request's SERVER_PROTOCOL,
 * is `HTTP/1.0`, else `HTTP/1.1`), the headers, `date` unless the headers carry one (SR-12; the
 * value is `date`, by default now) and `connection: close` (RFC 3875 §5 forbids offering the
 * connection again), then the empty line.
 *
 * The framing is the engine's: `'whole'` and `'length'` are framed by the `content-length` among
 * the headers, `'none'` has no body; `'open'` is chunked on HTTP/1.1 (so that a response aborted
 * midway lacks its last chunk and the client can tell, ERR-03), delimited by the close on 1.0.
 */
export function formatNphHead(
  status: Status,
  headers: ResponseHeaders,
  framing: BodyFraming,
  protocol: string,
  date?: string,
): NphHead {
  const http11 = protocol !== 'HTTP/1.0';
  let text = `${http11 ? 'HTTP/1.1' : 'HTTP/1.0'} ${status}\r\n`;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    text += `${h[0]}: ${h[1]}\r\n`;
  }
  const chunked = framing === 'open' && http11;
  if (chunked) text += 'transfer-encoding: chunked\r\n';
  if (!_hasHeader(headers, 'date')) text += `date: ${date ?? httpDate()}\r\n`;
  return { text: `${text}connection: close\r\n\r\n`, chunked };
}

/** A CGI response parsed from its bytes: status, headers in order (byte strings), body. */
export interface CgiResponse {
  status: number;
  reason: string;
  headers: Array<[name: string, value: string]>;
  body: Uint8Array;
}

/**
 * Where the header block's text ends (before the last line's CRLF or LF) and where the body
 * starts (after the empty line), or -1s when there is no empty line.
 */
function _endOfHead(bytes: Uint8Array): [headEnd: number, bodyStart: number] {
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    const headEnd = i > 0 && bytes[i - 1] === 0x0d ? i - 1 : i;
    if (bytes[i + 1] === 0x0a) return [headEnd, i + 2];
    if (bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return [headEnd, i + 3];
  }
  return [-1, -1];
}

/** Leading and trailing SP and HTAB off (RFC 9110 §5.5 OWS); obs-text such as 0xA0 stays. */
function _trimOws(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && (text[start] === ' ' || text[start] === '\t')) start++;
  while (end > start && (text[end - 1] === ' ' || text[end - 1] === '\t')) end--;
  return text.slice(start, end);
}

/**
 * Parses a CGI response (RFC 3875 §6) from bytes: header lines, ended by CRLF or LF, up to the
 * empty line; `Status:` gives the status (200 without it, 302 with only `Location`, §6.2.3).
 * Header text is kept as byte strings; the body is a view of the rest. Throws when the header
 * block is not terminated or a line is not `name: value`.
 */
export function parseCgiResponse(bytes: Uint8Array): CgiResponse {
  const [end, bodyStart] = _endOfHead(bytes);
  if (end < 0) throw new Error('CGI response has no end of headers');
  const headers: Array<[string, string]> = [];
  let status = 200;
  let reason = 'OK';
  let sawStatus = false;
  for (const line of bytesToLatin1(bytes.subarray(0, end)).split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed CGI header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon);
    const value = _trimOws(line.slice(colon + 1));
    if (name.toLowerCase() === 'status') {
      sawStatus = true;
      status = Number(value.slice(0, 3));
      reason = value.slice(4);
    } else headers.push([name, value]);
  }
  if (!sawStatus && headers.some(([n]) => n.toLowerCase() === 'location')) {
    status = 302;
    reason = 'Found';
  }
  return { status, reason, headers, body: bytes.subarray(bodyStart) };
}
