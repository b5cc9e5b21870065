/**
 * The response side of the engine (spec 05, 07, 09): the head with the engine's framing and
 * content-length decision, chunks within content-length, the end or abort, and the server's own
 * error response. Functions of the one per-request `_Exchange` (engine.ts): a subclass would put
 * its fields out of object (about 30 ns per request on a hello world).
 */
import { ClientDisconnectError, ContractError } from './errors.js';
import type { _ExchangeState as _Exchange } from './exchange.js';
import { statusCode } from './headers.js';
import { stackOf } from './release.js';
import type { BodyFraming } from './types.js';
import { errorResponse, hasNoBody } from './wire-head.js';

/** Sends one chunk, honouring deferred headers and content-length. */
export function send(ex: _Exchange, chunk: Uint8Array): void | Promise<void> {
  if (chunk.length === 0) return; // APP-07: an empty chunk sends nothing and ends nothing.
  if (!ex.headersSent) {
    if (ex.status === undefined)
      throw new ContractError('APP-05', 'body produced bytes before startResponse');
    // APP-08: an Array body (without write) is whole before its first chunk goes out.
    sendHead(ex, ex.arrayLength >= 0 && !ex.usedWrite ? ex.arrayLength : -1);
  }
  if (!ex.bodyAllowed) {
    // BODY-12, BODY-13: headers are out; stop iterating and release at once.
    ex.stop = true;
    return;
  }
  if (ex.contentLength >= 0) {
    const room = ex.contentLength - ex.sent;
    if (chunk.length >= room) {
      // BODY-08: never send past the declared length; stop the body there, ask for no more.
      ex.stop = true;
      if (chunk.length > room) {
        ex.overrun = true;
        if (!ex.writing)
          ex.log(`BODY-08: body exceeds content-length ${ex.contentLength}; truncated`);
        if (room === 0) return;
        chunk = chunk.subarray(0, room);
      }
    }
  }
  ex.sent += chunk.length;
  return ex.sink.write(chunk);
}

/**
 * Sends the head with the final headers. `total` is the whole body's length when the engine
 * has all of it before the head goes out, else -1. The one place that decides about
 * content-length: never added for HEAD, 204 or 304 (BODY-25); `0` for a 205 (BODY-23);
 * otherwise the total when known and the application declared none (BODY-10).
 */
export function sendHead(ex: _Exchange, total: number): void {
  ex.headersSent = true;
  const status = ex.status!;
  const code = statusCode(status);
  let framing: BodyFraming;
  if (ex.isHead || hasNoBody(code)) {
    framing = 'none';
    if (code === 205 && !ex.isHead && ex.contentLength < 0) _addLength(ex, 0);
  } else if (total >= 0) {
    framing = 'whole';
    if (ex.contentLength < 0) _addLength(ex, total);
  } else {
    framing = ex.contentLength >= 0 ? 'length' : 'open';
  }
  ex.bodyAllowed = framing !== 'none';
  ex.sink.head(status, ex.headers, framing);
}

function _addLength(ex: _Exchange, length: number): void {
  ex.headers.push(['content-length', String(length)]);
  ex.contentLength = length;
}

/** Ends or aborts the response; from here on the response is finished (SR-14, WR-02). */
export function finish(ex: _Exchange, error: unknown): void | Promise<void> {
  ex.finished = true;
  if (ex.aborted) {
    // ERR-04: a client that left is expected; no 500, no error log.
    ex.sink.abort(error ?? new ClientDisconnectError());
    return;
  }
  if (error === undefined && ex.status === undefined) {
    error = new ContractError('APP-06', 'the body ended without startResponse being called');
  }
  if (error !== undefined) return _fail(ex, error);
  // BODY-10: the body ended before any byte went out, so its whole length (0) is known.
  if (!ex.headersSent) sendHead(ex, ex.sent);
  // BODY-09 (never for a bodiless response): fewer bytes than declared must not look complete.
  if (ex.bodyAllowed && ex.contentLength >= 0 && ex.sent < ex.contentLength) {
    ex.log(`BODY-09: body ended after ${ex.sent} of ${ex.contentLength} declared bytes; aborting`);
    ex.sink.abort(new ContractError('BODY-09', 'content-length underrun'));
    return;
  }
  return ex.sink.end();
}

/** ERR-01..03: logs the error; a 500 (413 for IN-08) if nothing was sent yet, else an abort. */
function _fail(ex: _Exchange, error: unknown): void | Promise<void> {
  if (ex.raised?.includes(error)) {
    // ERR-08 logged it with its stack when it was raised.
    const message = (error as Error).message;
    ex.log(`ERR-01: application error: the contract error above escaped (${message})`);
  } else {
    ex.log(`ERR-01: application error: ${stackOf(error)}`);
  }
  if (ex.headersSent) {
    ex.sink.abort(error); // ERR-03: the client must see a truncated response.
    return;
  }
  const response = errorResponse(error, ex.expose); // ERR-02
  ex.status = response.status;
  ex.headers = response.headers;
  ex.contentLength = response.body.length;
  sendHead(ex, response.body.length);
  const written = ex.bodyAllowed ? ex.sink.write(response.body) : undefined;
  return written === undefined ? ex.sink.end() : written.then(() => ex.sink.end());
}
