/**
 * The `ResponseSink` side of an exchange: the engine's head, chunks, end and abort, onto the
 * `ServerResponse` (ADP-NODE-02, -06; the body bytes themselves go through _body.ts). When
 * node:http refuses a head the engine validated, the adapter answers 500 itself and drops the
 * engine's output (`replaced`).
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import {
  type BodyFraming,
  ClientDisconnectError,
  errorResponse,
  httpDate,
  type OwnResponse,
  type ResponseHeaders,
  type Status,
} from '@tsgi/core';
import { endBody, flushRun, writeBody } from './_body.js';
import type { ExchangeState } from './_exchange-state.js';
import { _h2ResponseFields } from './_h2-request.js';
import { continueUnanswered } from './_request-body.js';

// RFC 9113 §7: the RST_STREAM code of a response the server could not complete, INTERNAL_ERROR
// (0x2, node:http2's constants.NGHTTP2_INTERNAL_ERROR; spelled out so that a plain HTTP/1.1
// server does not load node:http2).
const _INTERNAL_ERROR = 0x2;

/** ResponseSink.head: the status line and the final headers. */
export function sendHead(
  ex: ExchangeState,
  status: Status,
  headers: ResponseHeaders,
  framing: BodyFraming,
  code: number,
): void {
  if (ex.replaced) return;
  try {
    if (ex.h2) {
      // ADP-NODE-17: HTTP/2 frames the body itself and has no connection-level fields (RFC 9113
      // §8.2.2); one stream's answer never closes the connection others share. With no body to
      // follow, the HEADERS frame ends the stream.
      _respond(ex.stream, code, _h2ResponseFields(headers), framing === 'none');
    } else {
      const res = ex.http1Response;
      // The headers are final: a content-length the engine knew is among them (BODY-10); without
      // one node:http uses chunked encoding (HTTP/1.1) or closes the connection (HTTP/1.0).
      if (ex.host.closing || ex.tooLarge || continueUnanswered(ex)) res.shouldKeepAlive = false;
      // SR-17: a 426 naming a protocol in `upgrade` lists it in `connection` too (RFC 9110 §7.8).
      const list =
        code === 426 && _hasUpgrade(headers)
          ? [...headers, ['connection', res.shouldKeepAlive ? 'upgrade' : 'upgrade, close']]
          : headers;
      // The tuple-array form keeps repeated names (set-cookie) as separate lines (SR-03) and
      // writes values as latin-1, one octet per code unit (SR-05). SR-16: the app's reason phrase.
      _writeHead(res, code, status.slice(4), list);
    }
    ex.status = code;
    // The whole body is at hand (an Array, APP-08, or a body that ended before any byte):
    // its chunks and end() follow in this same tick.
    ex.whole = framing === 'whole';
  } catch (err) {
    // node is stricter than SR-05 about control characters; the engine has already validated,
    // so this is rare. Nothing is on the wire yet: answer 500 ourselves.
    ex.host.errors.write(`SR-05: node refused the response head: ${_message(err)}\n`);
    _replace(ex, err);
  }
}

/** ResponseSink.write. */
export function sendChunk(
  ex: ExchangeState,
  chunk: Uint8Array,
  owned: boolean,
): void | Promise<void> {
  if (ex.replaced) return;
  // ERR-05. `destroyed` covers the moment between a socket dying and its close event.
  if (ex.closed || ex.res.destroyed) return Promise.reject(new ClientDisconnectError());
  ex.bytes += chunk.length;
  return writeBody(ex, chunk, owned); // BODY-19, ADP-NODE-12, ADP-NODE-02
}

/** ResponseSink.end. */
export function endResponse(ex: ExchangeState): void | Promise<void> {
  ex.ended = true;
  if (ex.replaced || ex.closed || ex.res.destroyed) return;
  return endBody(ex); // may wait for node to finish with an Array's chunks (ADP-NODE-12)
}

/**
 * ResponseSink.abort (ERR-03, BODY-09): destroy the socket so no terminating chunk is sent and a
 * declared content-length is left short: the client cannot mistake this for a complete response.
 * What the app produced still goes out first: node:http corks the socket on write until the
 * next tick, and destroy() would silently drop corked data.
 */
export function abortResponse(ex: ExchangeState): void {
  ex.ended = true;
  if (ex.replaced) return;
  const res = ex.res;
  const held = ex.held;
  ex.held = null;
  if (!ex.closed) flushRun(ex);
  if (held !== null && !ex.closed) res.write(held);
  if (ex.h2) {
    // RFC 9113 §8.1: RST_STREAM with INTERNAL_ERROR, never END_STREAM, so the client cannot take
    // it for a whole response; the session and its other streams go on (ADP-NODE-17).
    ex.stream.close(_INTERNAL_ERROR);
    return;
  }
  const socket = ex.http1Response.socket;
  if (socket !== null) while (socket.writableCorked > 0) socket.uncork();
  res.destroy();
}

/**
 * Sends a response the server produces itself (core's `refusalResponse` or `errorResponse`: one
 * shape on every transport): on HTTP/1.x with `Connection: close`; on HTTP/2, which has no
 * `connection` field (RFC 9113 §8.2.2), it ends its stream only. Returns the body's length, for
 * the access log.
 */
export function reply(ex: ExchangeState, own: OwnResponse): number {
  const code = Number(own.status.slice(0, 3));
  if (ex.h2) {
    if (ex.stream.closed || ex.stream.destroyed) return 0; // see _respond
    _respond(ex.stream, code, own.headers, false);
    ex.stream.end(own.body);
  } else {
    const headers: string[][] = own.headers.map(([n, v]) => [n, v]);
    headers.push(['connection', 'close']);
    _writeHead(ex.http1Response, code, own.status.slice(4), headers);
    ex.http1Response.end(own.body);
  }
  return own.body.length;
}

/**
 * `res.writeHead` with the final headers. The raw tuple form keeps repeated names and their case
 * (SR-03), but node refuses it once anything called `res.setHeader` (a framework hosting
 * `createRequestListener` that set `X-Powered-By`, say): then the headers go as an object,
 * repeated names as arrays, merged over what was set before, as `writeHead` documents (issue 19:
 * the refusal used to fail the 500 fallback too, and the request hung).
 */
function _writeHead(
  res: ServerResponse,
  code: number,
  reason: string,
  headers: ReadonlyArray<readonly string[]>,
): void {
  if (res.getHeaderNames().length === 0) {
    res.writeHead(code, reason, headers as unknown as string[]);
    return;
  }
  const merged: Record<string, string | string[]> = {};
  for (const [name = '', value = ''] of headers) _addField(merged, name, value);
  res.writeHead(code, reason, merged);
}

/**
 * `stream.respond` with the final headers (ADP-NODE-17): node's header object, names lower case
 * (RFC 9113 §8.2.1), a repeated name (set-cookie) as an array, which node sends as one field line
 * per value (SR-03). No reason phrase: HTTP/2 has none (RFC 9113 §8.3.2; SR-16 allows it).
 * `endStream`: no body follows (node also ends the stream itself for HEAD, 204, 205 and 304).
 */
function _respond(
  stream: ServerHttp2Stream,
  code: number,
  headers: ReadonlyArray<readonly [string, string]>,
  endStream: boolean,
): void {
  // Reset by the client (or the session gone) a moment before its 'close' event: there is
  // nothing to answer, and node would throw; the lifecycle sees the disconnect (ADP-NODE-04).
  if (stream.closed || stream.destroyed) return;
  const fields: OutgoingHttpHeaders = { ':status': code };
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    _addField(fields, h[0], h[1]);
  }
  // node adds `date` (RFC 9110 §6.6.1) when it is missing; given here from a per-second cache,
  // as node:http does for HTTP/1.1. node's own insertion cost 1.6 µs of a hello world's server
  // CPU (bench/http2.mjs, profiled: the line of `processHeaders` that stores it).
  fields.date ??= httpDate();
  stream.respond(fields, endStream ? _END_STREAM : undefined);
}

const _END_STREAM = { endStream: true };

/** Adds a field to a header object, a repeated name as an array of its values. */
function _addField(
  fields: Record<string, string | string[] | number | undefined>,
  name: string,
  value: string,
): void {
  const key = name.toLowerCase();
  const seen = fields[key];
  if (seen === undefined) fields[key] = value;
  else fields[key] = Array.isArray(seen) ? [...seen, value] : [String(seen), value];
}

/** Answers 500 in place of the application and stops the engine (ENV-24: the server aborted it). */
function _replace(ex: ExchangeState, err: unknown): void {
  ex.replaced = true;
  ex.abortState.abort(err);
  ex.status = 500;
  if (ex.res.headersSent) {
    if (ex.h2) ex.stream.close(_INTERNAL_ERROR);
    else ex.http1Response.destroy();
  } else ex.bytes = reply(ex, errorResponse(err, false)); // ERR-02's exact 500
}

function _hasUpgrade(headers: ResponseHeaders): boolean {
  return headers.some((h) => h[0].length === 7 && h[0].toLowerCase() === 'upgrade');
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
