/**
 * The request body's way from the `IncomingMessage` into `tsgi.input` (ADP-NODE-03): nothing is
 * read until the application reads, which is also when `100 Continue` goes out (IN-07); node's
 * backpressure follows the input's (pause/resume); the rest is discarded when the application
 * cancels (IN-06) or a chunked body passes `maxBodySize` (IN-08). A body that stops short is
 * the lifecycle's to classify (_lifecycle.ts: truncation or disconnect, IN-04/IN-15).
 */
import type { ServerResponse } from 'node:http';
import type { RequestFraming, RequestInput } from '@tsgi/core';
import type { ExchangeState } from './_exchange-state.js';
import { type ExchangeRequest, kExchange, watchRequestClose } from './_lifecycle.js';

/** node's own flag: without a 'checkContinue' listener node sent 100 Continue itself. */
type _ContinueResponse = ServerResponse & { _sent100?: boolean };

/** An HTTP/2 interim response (RFC 9113 §8.1): a HEADERS frame with `:status` 100. */
const _CONTINUE = { ':status': 100 };

/**
 * The request has a body (core's `requestFraming` said `length` or `stream`): what reading it
 * needs, the truncation check (IN-04), the limit (IN-08) and 100-continue (IN-07).
 */
export function expectBody(
  ex: ExchangeState,
  framing: Exclude<RequestFraming, { kind: 'none' | 'refuse' }>,
  input: RequestInput,
  expectContinue: boolean,
): void {
  if (framing.kind === 'length') ex.length = framing.length;
  else if (framing.limit !== undefined) ex.limit = framing.limit;
  ex.input = input;
  ex.expectContinue = expectContinue;
}

/** InputSource.firstRead: the application reads for the first time. */
export function startReading(ex: ExchangeState): void {
  if (ex.closed || ex.reading) return;
  ex.reading = true;
  // IN-07: 100 Continue on the first read, never once the response started.
  if (ex.expectContinue && !ex.res.headersSent) {
    if (ex.h2) ex.stream.additionalHeaders(_CONTINUE);
    else if ((ex.res as _ContinueResponse)._sent100 !== true) ex.http1Response.writeContinue();
  }
  const req = ex.req as ExchangeRequest;
  req[kExchange] = ex;
  req.on('data', _onData);
  req.once('end', _onEnd);
  watchRequestClose(ex);
}

/**
 * IN-06: discard the rest (InputSource.cancel, and the lifecycle once the response is complete).
 * node:http reads a body to its end before parsing the next request on the connection, so
 * keep-alive stays safe.
 */
export function cancelBody(ex: ExchangeState): void {
  if (ex.reading) _discard(ex);
}

/**
 * IN-07, IN-06: the client was told to wait for 100 Continue and never got it, so it may or may
 * not send the body: the connection cannot carry another request safely.
 */
export function continueUnanswered(ex: ExchangeState): boolean {
  return (
    ex.expectContinue &&
    !ex.reading &&
    (ex.res as _ContinueResponse)._sent100 !== true &&
    ex.input !== null &&
    !ex.input.ended
  );
}

function _discard(ex: ExchangeState): void {
  ex.req.off('data', _onData);
  ex.req.resume();
}

function _onData(this: ExchangeRequest, chunk: Buffer): void {
  const ex = this[kExchange]!;
  const input = ex.input!;
  input.push(chunk);
  if (ex.limit >= 0 && input.received > ex.limit) {
    // IN-08: `tsgi.input` has already failed with InputTooLargeError, which the engine answers
    // with 413 if the app lets it through. The rest of the body is discarded, and the
    // connection closed after the response (_response-sink.ts).
    ex.tooLarge = true;
    _discard(ex);
  }
}

function _onEnd(this: ExchangeRequest): void {
  this[kExchange]!.input!.end(); // IN-04: RequestInput turns a short body into InputTruncatedError
}
