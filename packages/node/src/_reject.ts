/**
 * Requests refused before the application runs, for what node:http's parser lets through:
 * too many header lines (SRV-07), a missing or repeated Host (SRV-02, RFC 9112 §3.2) and a
 * transfer coding other than `chunked` (SRV-02, RFC 9112 §6.1). A refusal closes the
 * connection, and no later request received on it reaches the application (SRV-02).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { reply } from './_exchange.js';

const kRefused = Symbol('tsgi.refused');

type _Socket = Socket & { [kRefused]?: true };

/** The default for the `maxHeaders` option. */
export const _MAX_HEADERS = 100;

const _CHUNKED = /^[ \t]*chunked[ \t]*$/i;

/** A refusal: status code and reason phrase. */
export type _Refusal = readonly [code: number, reason: string];

const _TOO_MANY: _Refusal = [431, 'Request Header Fields Too Large'];
const _BAD_HOST: _Refusal = [400, 'Bad Request'];
const _CODING: _Refusal = [501, 'Not Implemented'];

/** True when an earlier request on this connection was refused: drop this one. */
export function _refusedConnection(req: IncomingMessage): boolean {
  return (req.socket as _Socket | null)?.[kRefused] === true;
}

/** Why `req` must be refused without the application, or null. */
export function _checkRequest(req: IncomingMessage, maxHeaders: number): _Refusal | null {
  const raw = req.rawHeaders;
  // SRV-07: node keeps at most maxHeadersCount lines (serve() sets it to maxHeaders + 1) and
  // drops the rest silently, so one line over the limit stands for any number of them.
  if (raw.length > maxHeaders * 2) return _TOO_MANY;
  let hosts = 0;
  let coding: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4) {
      if (_isHost(name)) hosts++;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      // Several lines are one list (RFC 9110 §5.3): `chunked` twice is not `chunked`.
      coding = coding === undefined ? raw[i + 1]! : `${coding}, ${raw[i + 1]!}`;
    }
  }
  // RFC 9112 §3.2: 400 for an HTTP/1.1 request without Host, and for any with several.
  if (hosts > 1 || (hosts === 0 && req.httpVersionMajor === 1 && req.httpVersionMinor >= 1)) {
    return _BAD_HOST;
  }
  // RFC 9112 §6.1: node:http decodes `chunked` only; anything else is a body the adapter
  // cannot frame or decode (node even accepts `gzip, chunked`).
  if (coding !== undefined && !_CHUNKED.test(coding)) return _CODING;
  return null;
}

/** `name.toLowerCase() === 'host'` without making a lower-case copy of every request's Host. */
function _isHost(name: string): boolean {
  return (
    (name.charCodeAt(0) | 0x20) === 0x68 &&
    (name.charCodeAt(1) | 0x20) === 0x6f &&
    (name.charCodeAt(2) | 0x20) === 0x73 &&
    (name.charCodeAt(3) | 0x20) === 0x74
  );
}

/**
 * Answers `code` with `Connection: close` and marks the connection refused: requests already
 * parsed behind this one are dropped (_refusedConnection), and node destroys the socket once
 * the answer is flushed.
 */
export function _refuse(req: IncomingMessage, res: ServerResponse, refusal: _Refusal): void {
  const socket = req.socket as _Socket | null;
  if (socket !== null) socket[kRefused] = true;
  reply(res, refusal[0], refusal[1], true);
  // node:http corks the socket until the next tick; a parse error later in this same chunk
  // (an undecodable body) would destroy it with the answer still corked.
  const out = res.socket;
  if (out !== null) while (out.writableCorked > 0) out.uncork();
}
