/**
 * Requests refused before the application runs, for what node:http's parser lets through:
 * too many header lines (SRV-07), a missing, repeated or malformed Host (ENV-34), a version other
 * than HTTP/1.0 and 1.1 (SRV-16), a request-target in no form a server accepts (SRV-15) and a
 * transfer coding other than `chunked` (SRV-02, RFC 9112 §6.1). A refusal closes the connection,
 * and no later request received on it reaches the application (SRV-02). What the parser itself
 * refuses is answered by `_parserRefusal` (serve's 'clientError' listener).
 */
import { type IncomingMessage, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  isValidHost,
  type OwnResponse,
  refusalResponse,
  requestTargetForm,
  type Status,
  statusCode,
} from '@tsgi/core';
import { _lastHost } from './_environ.js';
import type { ExchangeState } from './_exchange-state.js';
import {
  _100_CONTINUE,
  _BAD_REQUEST,
  type _BodyFacts,
  type _Refusal,
  _TOO_MANY,
} from './_refusal.js';
import { reply } from './_response-sink.js';

const kRefused = Symbol('tsgi.refused');

type _Socket = Socket & { [kRefused]?: true };

/** The default for the `maxHeaders` option. */
export const _MAX_HEADERS = 100;

const _CHUNKED = /^[ \t]*chunked[ \t]*$/i;

const _VERSION: _Refusal = [505, 'HTTP Version Not Supported'];
const _CODING: _Refusal = [501, 'Not Implemented'];

/** True when an earlier request on this connection was refused: drop this one. */
export function _refusedConnection(req: IncomingMessage): boolean {
  return (req.socket as _Socket | null)?.[kRefused] === true;
}

/** Why `req` must be refused without the application, or null. Fills `body` as it scans. */
export function _checkRequest(
  req: IncomingMessage,
  maxHeaders: number,
  body: _BodyFacts,
): _Refusal | null {
  const raw = req.rawHeaders;
  // SRV-07: node keeps at most maxHeadersCount lines (serve() sets it to maxHeaders + 1) and
  // drops the rest silently, so one line over the limit stands for any number of them.
  if (raw.length > maxHeaders * 2) return _TOO_MANY;
  // SRV-16: llhttp passes HTTP/2.0 (and, with insecureHTTPParser, any digit.digit) to 'request'.
  // A request line without a version comes as 0.9, the same as an explicit `HTTP/0.9`: 400.
  const minor = req.httpVersionMinor;
  if (req.httpVersionMajor !== 1 || minor > 1) {
    return req.httpVersionMajor === 0 ? _BAD_REQUEST : _VERSION;
  }
  let hosts = 0;
  let host = '';
  let coding: string | undefined;
  let length: string | undefined;
  let expect: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === 4) {
      if (_isHost(name)) {
        hosts++;
        host = raw[i + 1]!;
      }
    } else if (name.length === 14) {
      if (name.toLowerCase() === 'content-length') length = raw[i + 1]!;
    } else if (name.length === 6 && name.toLowerCase() === 'expect') {
      expect = expect === undefined ? raw[i + 1]! : `${expect}, ${raw[i + 1]!}`;
    } else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      // Several lines are one list (RFC 9110 §5.3): `chunked` twice is not `chunked`.
      coding = coding === undefined ? raw[i + 1]! : `${coding}, ${raw[i + 1]!}`;
    }
  }
  body.contentLength = length;
  body.streamed = coding !== undefined;
  body.expectContinue = expect !== undefined && _100_CONTINUE.test(expect);
  // ENV-34 (RFC 9112 §3.2): 400 for an HTTP/1.1 request without Host, for any with several, and
  // for a value that is not `uri-host [":" port]` (node takes `a b` or `x/y@z`). A keep-alive
  // connection usually repeats the Host its last request had, which was checked then.
  if (
    hosts === 1 ? host !== _lastHost(req.socket) && !isValidHost(host) : hosts > 1 || minor === 1
  ) {
    return _BAD_REQUEST;
  }
  // SRV-15: llhttp passes `GET *`, `*x`, `a://b`, `ftp://...`, `http://a:8x/` and `#`, but refuses
  // every other octet SRV-15 forbids (0x00-0x20, 0x7F; the tests hold it to that), so an
  // origin-form target only needs the `#` search, a memchr rather than a loop over the target.
  const url = req.url!;
  if (
    url.charCodeAt(0) === 0x2f
      ? url.indexOf('#') >= 0
      : requestTargetForm(url, req.method!) === null
  ) {
    return _BAD_REQUEST;
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
 * Answers `refusal` in place of the application. On HTTP/1.x with `Connection: close`, marking
 * the connection refused: requests already parsed behind this one are dropped
 * (_refusedConnection), and node destroys the socket once the answer is flushed. On HTTP/2
 * (ADP-NODE-17) the refusal ends this stream only; the session's others go on. Returns the
 * body's length, for the access log.
 */
export function _refuse(ex: ExchangeState, refusal: _Refusal | OwnResponse): number {
  // Refusals and SRV-05's 413 come from core: the same bytes as every other adapter's.
  const own = _isTuple(refusal)
    ? refusalResponse(`${refusal[0]} ${refusal[1]}` as Status)
    : refusal;
  if (ex.h2) return reply(ex, own);
  const socket = ex.http1Request.socket as _Socket | null;
  if (socket !== null) socket[kRefused] = true;
  const bytes = reply(ex, own);
  // node:http corks the socket until the next tick; a parse error later in this same chunk
  // (an undecodable body) would destroy it with the answer still corked.
  const out = ex.http1Response.socket;
  if (out !== null) while (out.writableCorked > 0) out.uncork();
  return bytes;
}

function _isTuple(refusal: _Refusal | OwnResponse): refusal is _Refusal {
  return Array.isArray(refusal);
}

/** The status code of a refusal, for the access log. */
export function _refusalCode(refusal: _Refusal | OwnResponse): number {
  return _isTuple(refusal) ? refusal[0] : statusCode(refusal.status);
}

/** What node's parser reports on a 'clientError' (`reason` is llhttp's). */
type _ParseError = Error & { code?: string; reason?: string };

/** node:http's answers to what its parser refuses (lib/_http_server.js, socketOnError). */
const _PARSER_ANSWERS: Readonly<Record<string, number>> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

/**
 * serve()'s 'clientError' listener: node:http's own answer to a request its parser refused
 * (400; 431, 413 or 408 for those errors) and its socket destroyed, as node does without a
 * listener, except that a well-formed version node does not speak gets 505 (SRV-16): llhttp
 * refuses `HTTP/1.2`, `HTTP/3.0`... with "Invalid HTTP version" (its check of a digit.digit it
 * read) and the HTTP/2 preface `PRI * HTTP/2.0` by pausing. Returns the status sent, or 0 when the
 * socket could not carry one (closed, or a response already under way on it).
 */
export function _parserRefusal(err: _ParseError, socket: Duplex): number {
  const message = (socket as Duplex & { _httpMessage?: { _headerSent?: boolean } | null })
    ._httpMessage;
  let status = 0;
  if (socket.writable && (message == null || message._headerSent !== true)) {
    const code = err.code ?? '';
    status =
      (code === 'HPE_INVALID_VERSION' && err.reason === 'Invalid HTTP version') ||
      code === 'HPE_PAUSED_H2_UPGRADE'
        ? 505
        : (_PARSER_ANSWERS[code] ?? 400);
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`);
  }
  socket.destroy(err);
  return status;
}
