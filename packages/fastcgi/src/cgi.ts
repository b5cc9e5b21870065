/** CGI response syntax on FCGI_STDOUT (RFC 3875 §6): writing the head, parsing a response. */

import type { ResponseHeaders } from '@tsgi/core';
import { latin1 } from './pairs.js';

/**
 * The CGI head for a response: `Status:` first (every front end accepts it there), the headers
 * in order, then the empty line (ADP-FCGI-15). The headers are the engine's final ones: a
 * `Content-Length` it knew is among them, so the front end can frame the response and detect a
 * short one (BODY-10).
 */
export function formatCgiHead(status: string, headers: ResponseHeaders): string {
  let head = `Status: ${status}\r\n`;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    head += `${h[0]}: ${h[1]}\r\n`;
  }
  return `${head}\r\n`;
}

/** A CGI response parsed from STDOUT: status, headers in order, body. */
export interface CgiResponse {
  status: number;
  reason: string;
  headers: Array<[name: string, value: string]>;
  body: Uint8Array;
}

/**
 * Parses a CGI response (RFC 3875 §6) from STDOUT bytes: header lines up to the empty line,
 * `Status:` giving the status (200 without it, 302 with only `Location`). Header text is kept
 * as byte strings. Throws when the header block is not terminated.
 */
export function parseCgiResponse(stdout: Uint8Array): CgiResponse {
  let end = -1;
  let sep = 0;
  for (let i = 0; i < stdout.length; i++) {
    if (stdout[i] === 0x0a) {
      if (stdout[i + 1] === 0x0a) {
        end = i;
        sep = 2;
        break;
      }
      if (stdout[i + 1] === 0x0d && stdout[i + 2] === 0x0a) {
        end = i;
        sep = 3;
        break;
      }
    }
  }
  if (end < 0) throw new Error('CGI response has no end of headers');
  const text = latin1(stdout, 0, end);
  const headers: Array<[string, string]> = [];
  let status = 200;
  let reason = 'OK';
  let sawStatus = false;
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) throw new Error(`malformed CGI header line ${JSON.stringify(line)}`);
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
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
  return { status, reason, headers, body: stdout.subarray(end + sep) };
}
