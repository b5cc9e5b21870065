/**
 * The `ResponseSink` side of an exchange: the engine's head, chunks, end and abort, onto the
 * `ServerResponse` (ADP-NODE-02, -06; the body bytes themselves go through _body.ts). When
 * node:http refuses a head the engine validated, the adapter answers 500 itself and drops the
 * engine's output (`replaced`).
 */
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import {
  type BodyFraming,
  ClientDisconnectError,
  errorResponse,
  type OwnResponse,
  type ResponseHeaders,
  type Status,
} from '@tsgi/core';
import { endBody, flushRun, writeBody } from './_body.js';
import type { ExchangeState } from './_exchange-state.js';
import { _h2ResponseFields } from './_h2-request.js';
import { continueUnanswered } from './_request-body.js';

/** ResponseSink.head: the status line and the final headers. */
export function sendHead(
  ex: ExchangeState,
  status: Status,
  headers: ResponseHeaders,
  framing: BodyFraming,
  code: number,
): void {
  if (ex.replaced) return;
  const res = ex.res;
  let list: ReadonlyArray<readonly string[]>;
  if (ex.h2) {
    // ADP-NODE-17: HTTP/2 frames the body itself and has no connection-level fields (RFC 9113
    // §8.2.2); one stream's answer never closes the connection others share.
    list = _h2ResponseFields(headers);
  } else {
    // The headers are final: a content-length the engine knew is among them (BODY-10); without
    // one node:http uses chunked encoding (HTTP/1.1) or closes the connection (HTTP/1.0).
    if (ex.host.closing || ex.tooLarge || continueUnanswered(ex)) res.shouldKeepAlive = false;
    // SR-17: a 426 naming a protocol in `upgrade` lists it in `connection` too (RFC 9110 §7.8).
    list =
      code === 426 && _hasUpgrade(headers)
        ? [...headers, ['connection', res.shouldKeepAlive ? 'upgrade' : 'upgrade, close']]
        : headers;
  }
  try {
    // The tuple-array form keeps repeated names (set-cookie) as separate lines (SR-03) and
    // writes values as latin-1, one octet per code unit (SR-05). SR-16: the app's reason phrase.
    _writeHead(res, code, status.slice(4), list, ex.h2);
    ex.status = code;
    // The whole body is at hand (an Array, APP-08, or a body that ended before any byte):
    // its chunks and end() follow in this same tick.
    ex.whole = framing === 'whole';
  } catch (err) {
    // node:http is stricter than SR-05 about control characters; the engine has already
    // validated, so this is rare. Nothing is on the wire yet: answer 500 ourselves.
    ex.host.errors.write(`SR-05: node:http refused the response head: ${_message(err)}\n`);
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
    (res as unknown as Http2ServerResponse).stream.destroy(new Error('response aborted (ERR-03)'));
    return;
  }
  const socket = res.socket;
  if (socket !== null) while (socket.writableCorked > 0) socket.uncork();
  res.destroy();
}

/**
 * Sends a response the server produces itself (core's `refusalResponse` or `errorResponse`: one
 * shape on every transport), with `Connection: close` when `close`. Returns the body's length,
 * for the access log.
 */
export function reply(res: ServerResponse, own: OwnResponse, close: boolean): number {
  const headers: string[][] = own.headers.map(([n, v]) => [n, v]);
  // HTTP/2 has no `connection` field (RFC 9113 §8.2.2): the refusal ends its stream only.
  const h2 = isH2Response(res);
  if (close && !h2) headers.push(['connection', 'close']);
  _writeHead(res, Number(own.status.slice(0, 3)), own.status.slice(4), headers, h2);
  res.end(own.body);
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
  h2: boolean,
): void {
  if (res.getHeaderNames().length === 0) {
    // HTTP/2 has no reason phrase (RFC 9113 §8.3.2; node warns when given one): SR-16 allows it.
    if (h2) res.writeHead(code, headers as unknown as string[]);
    else res.writeHead(code, reason, headers as unknown as string[]);
    return;
  }
  const merged: Record<string, string | string[]> = {};
  for (const [name = '', value = ''] of headers) {
    const key = name.toLowerCase();
    const seen = merged[key];
    merged[key] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  if (h2) res.writeHead(code, merged);
  else res.writeHead(code, reason, merged);
}

/** An `Http2ServerResponse` (node's HTTP/2 compat API), which has its stream; node:http's has none. */
export function isH2Response(res: ServerResponse): boolean {
  return (res as { stream?: unknown }).stream !== undefined;
}

/** Answers 500 in place of the application and stops the engine (ENV-24: the server aborted it). */
function _replace(ex: ExchangeState, err: unknown): void {
  ex.replaced = true;
  ex.abortState.abort(err);
  ex.status = 500;
  // HTTP/2's writeHead keeps what it accepted before it threw: none of it may reach the 500.
  if (ex.h2 && !ex.res.headersSent)
    for (const name of ex.res.getHeaderNames()) ex.res.removeHeader(name);
  if (ex.res.headersSent) {
    if (ex.h2) (ex.res as unknown as Http2ServerResponse).stream.destroy(_asError(err));
    else ex.res.destroy();
  } else ex.bytes = reply(ex.res, errorResponse(err, false), true); // ERR-02's exact 500
}

function _hasUpgrade(headers: ResponseHeaders): boolean {
  return headers.some((h) => h[0].length === 7 && h[0].toLowerCase() === 'upgrade');
}

function _asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
