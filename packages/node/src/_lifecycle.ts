/**
 * An exchange's lifecycle: the response finishing or the client leaving (ADP-NODE-04), what a
 * disconnect does to the application (ENV-24 `tsgi.signal`, ERR-05 writes, IN-04/IN-15 reads),
 * and reporting the exchange done to the listener exactly once (its count, the access log).
 * node events find their exchange through `kExchange` on `req`/`res`: one listener function per
 * event for all requests, no closure per request.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import { ClientDisconnectError, InputTruncatedError } from '@tsgi/core';
import { endWait } from './_body.js';
import type { ExchangeState } from './_exchange-state.js';

export const kExchange = Symbol('tsgi.exchange');

/** A request or response (on HTTP/2 the stream, which is both) that may carry its exchange. */
export type ExchangeRequest = (IncomingMessage | ServerHttp2Stream) & {
  [kExchange]?: ExchangeState;
};
export type ExchangeResponse = (ServerResponse | ServerHttp2Stream) & {
  [kExchange]?: ExchangeState;
};

/**
 * Watches the response for its end or the client leaving. Called once the application has not
 * finished synchronously, or when the request has a body; node emits no event during the
 * synchronous call to the application, so none is missed.
 */
export function watchResponse(ex: ExchangeState): void {
  if (ex.watched) return; // already watched (_body.ts waits)
  ex.watched = true;
  const res = ex.res as ExchangeResponse;
  res[kExchange] = ex; // on HTTP/2 the request's too: one stream
  res.on('close', _onResponseClose); // emitted once; `on` avoids once()'s wrapper allocation
  // A pipelined request whose response is queued behind another has no socket yet, and
  // node:http never emits 'close' on such a response if the client leaves; its request does.
  if (!ex.h2 && ex.http1Response.socket === null) watchRequestClose(ex);
}

/**
 * Watches the request for the connection closing (a pipelined response, a body being read). On
 * HTTP/2 request and response are one stream, whose 'close' `watchResponse` watches.
 */
export function watchRequestClose(ex: ExchangeState): void {
  if (ex.h2) {
    watchResponse(ex);
    return;
  }
  if (ex.reqCloseWatched) return;
  ex.reqCloseWatched = true;
  const req = ex.req as ExchangeRequest;
  req[kExchange] = ex;
  req.once('close', _onRequestClose);
}

/**
 * The engine finished synchronously and the request has no body: the response is in node's
 * hands, nothing is left to release or to abort (ENV-24: it completed), so the exchange is
 * accounted for now and no 'close' listener is added (bench/node-overhead.mjs: a listener and a
 * property on every response were a tenth of a hello world's adapter overhead).
 */
export function markDone(ex: ExchangeState): void {
  ex.done = true;
  ex.host.done(ex);
}

/** ADP-NODE-04: the response closed; before `writableFinished` that is a disconnect. */
function _closed(ex: ExchangeState): void {
  endWait(ex); // a wait for 'drain', a write or 'finish' is over; the engine sees why
  if (ex.done) return;
  ex.done = true;
  const input = ex.input;
  if (_incomplete(ex)) {
    ex.closed = true;
    const err = new ClientDisconnectError(
      ex.host.aborting ? 'server shut down before the response finished' : undefined,
    );
    ex.abortState.abort(err); // ENV-24, ERR-04
    input?.fail(_inputFailure(ex, err)); // ERR-05, IN-04
  } else if (ex.reading && input !== null && !input.ended) {
    // The response is complete but the app stopped reading a paused body: the rest is unwanted
    // (IN-06). Drain it so the connection can carry the next request (node only dumps bodies
    // nobody consumed); cancelling ends pending reads and resumes the stream (_request-body.ts).
    input.cancel();
  }
  ex.host.done(ex);
}

/**
 * The response closed before it was complete. On HTTP/2 node ends the stream's writable side when
 * it closes, even on a reset (so `writableFinished` may be true): it is complete only if the
 * adapter ended it and the stream closed without RST_STREAM, or with NO_ERROR (RFC 9113 §8.1).
 */
function _incomplete(ex: ExchangeState): boolean {
  const res = ex.res;
  if (!ex.h2) return !res.writableFinished;
  return !res.writableEnded || !res.writableFinished || (ex.stream.rstCode ?? 0) !== 0;
}

/**
 * IN-04, IN-15: why a request body stopped short. The client half-closed (its FIN reached the
 * socket) before the declared length: truncation. The connection died otherwise (reset, or a
 * chunked body with no declared length): a disconnect (ERR-05).
 */
function _inputFailure(ex: ExchangeState, disconnect: Error): Error {
  const received = ex.input!.received;
  // HTTP/2 (ADP-NODE-17): nghttp2 resets a stream whose DATA falls short of its content-length
  // (RFC 9113 §8.1.1), so a body cut short there is always the stream's end: a disconnect.
  if (
    !ex.h2 &&
    ex.length >= 0 &&
    received < ex.length &&
    ex.http1Request.socket?.readableEnded === true
  ) {
    return new InputTruncatedError(ex.length, received);
  }
  return disconnect;
}

function _onResponseClose(this: ExchangeResponse): void {
  _closed(this[kExchange]!);
}

function _onRequestClose(this: IncomingMessage & { [kExchange]?: ExchangeState }): void {
  const ex = this[kExchange]!;
  const input = ex.input;
  if (!this.complete && input !== null && !input.ended) {
    input.fail(_inputFailure(ex, new ClientDisconnectError()));
  }
  if (this.socket?.destroyed === true) _closed(ex);
}
