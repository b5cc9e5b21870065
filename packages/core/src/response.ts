/**
 * The response side of the engine (spec 05, 07, 09): the head with the engine's framing and
 * content-length decision, chunks within content-length, the end or abort, and the server's own
 * error response. Functions of the one per-request `ResponseRun` (engine.ts).
 */

import { ClientDisconnectError, ContractError } from './errors.js';
import { statusCode } from './headers.js';
import { stackOf } from './release.js';
import type { RunState as ResponseRun } from './run-state.js';
import type { BodyFraming } from './types.js';
import { errorResponse, hasNoBody } from './wire-head.js';

/**
 * Sends one chunk, honouring deferred headers and content-length. `owned`: the chunk came from
 * the server's own `tsgi.input` untouched (see `ResponseSink.write`).
 */
export function send(run: ResponseRun, chunk: Uint8Array, owned = false): void | Promise<void> {
  if (chunk.length === 0) return; // APP-07: an empty chunk sends nothing and ends nothing.
  if (!run.headersSent) {
    if (run.status === undefined)
      throw new ContractError('APP-05', 'body produced bytes before startResponse');
    // APP-08: an Array body (without write) is whole before its first chunk goes out.
    sendHead(run, run.arrayLength >= 0 && !run.usedWrite ? run.arrayLength : -1);
  }
  if (!run.bodyAllowed) {
    // BODY-12, BODY-13: headers are out; stop iterating and release at once.
    run.stop = true;
    return;
  }
  if (run.contentLength >= 0) {
    const room = run.contentLength - run.sent;
    if (chunk.length >= room) {
      // BODY-08: never send past the declared length; stop the body there, ask for no more.
      run.stop = true;
      if (chunk.length > room) {
        run.overrun = true;
        if (!run.writing)
          run.log(`BODY-08: body exceeds content-length ${run.contentLength}; truncated`);
        if (room === 0) return;
        chunk = chunk.subarray(0, room);
      }
    }
  }
  run.sent += chunk.length;
  return run.sink.write(chunk, owned);
}

/**
 * Sends the head with the final headers. `total` is the whole body's length when the engine
 * has all of it before the head goes out, else -1. The one place that decides about
 * content-length: never added for HEAD, 204 or 304 (BODY-25); `0` for a 205 (BODY-23);
 * otherwise the total when known and the application declared none (BODY-10).
 */
export function sendHead(run: ResponseRun, total: number): void {
  run.headersSent = true;
  const code = run.code;
  let framing: BodyFraming;
  if (run.isHead || hasNoBody(code)) {
    framing = 'none';
    if (code === 205 && !run.isHead && run.contentLength < 0) _addLength(run, 0);
  } else if (total >= 0) {
    framing = 'whole';
    if (run.contentLength < 0) _addLength(run, total);
  } else {
    framing = run.contentLength >= 0 ? 'length' : 'open';
  }
  run.bodyAllowed = framing !== 'none';
  run.sink.head(run.status!, run.headers, framing, code);
}

function _addLength(run: ResponseRun, length: number): void {
  // A copy one longer, not push(): `headers` is copyHeaders' exact-size array, and V8 grows an
  // array that is pushed to by half plus 16 slots (node hello world: 90 bytes a request).
  const headers = run.headers;
  const framed: ResponseRun['headers'] = new Array(headers.length + 1);
  for (let i = 0; i < headers.length; i++) framed[i] = headers[i]!;
  framed[headers.length] = ['content-length', String(length)];
  run.headers = framed;
  run.contentLength = length;
}

/** Ends or aborts the response; from here on the response is finished (SR-14, WR-02). */
export function finish(run: ResponseRun, error: unknown): void | Promise<void> {
  run.finished = true;
  // WS-06, WS-15: a connection taken over has no response to end; the adapter closes it with
  // 1000 when the application returned, 1011 when it threw (logged here as any ERR-01).
  if (run.sink.upgraded === true) {
    if (error !== undefined && !run.aborted)
      run.log(`ERR-01: application error: ${stackOf(error)}`);
    return error !== undefined ? run.sink.abort(error) : run.sink.end();
  }
  if (run.aborted) {
    // ERR-04: a client that left is expected; no 500, no error log.
    run.sink.abort(error ?? new ClientDisconnectError());
    return;
  }
  if (error === undefined && run.status === undefined) {
    error = new ContractError('APP-06', 'the body ended without startResponse being called');
  }
  if (error !== undefined) return _fail(run, error);
  // BODY-10: the body ended before any byte went out, so its whole length (0) is known.
  if (!run.headersSent) sendHead(run, run.sent);
  // BODY-09 (never for a bodiless response): fewer bytes than declared must not look complete.
  if (run.bodyAllowed && run.contentLength >= 0 && run.sent < run.contentLength) {
    run.log(
      `BODY-09: body ended after ${run.sent} of ${run.contentLength} declared bytes; aborting`,
    );
    run.sink.abort(new ContractError('BODY-09', 'content-length underrun'));
    return;
  }
  return run.sink.end();
}

/** ERR-01..03: logs the error; a 500 (413 for IN-08) if nothing was sent yet, else an abort. */
function _fail(run: ResponseRun, error: unknown): void | Promise<void> {
  if (run.raised?.includes(error)) {
    // ERR-08 logged it with its stack when it was raised.
    const message = (error as Error).message;
    run.log(`ERR-01: application error: the contract error above escaped (${message})`);
  } else {
    run.log(`ERR-01: application error: ${stackOf(error)}`);
  }
  if (run.headersSent) {
    run.sink.abort(error); // ERR-03: the client must see a truncated response.
    return;
  }
  const response = errorResponse(error, run.expose); // ERR-02
  run.status = response.status;
  run.code = statusCode(response.status);
  run.headers = response.headers;
  run.contentLength = response.body.length;
  sendHead(run, response.body.length);
  const written = run.bodyAllowed ? run.sink.write(response.body) : undefined;
  return written === undefined ? run.sink.end() : written.then(() => run.sink.end());
}

/** SR-14 after the response ended; WS-06 after a WebSocket `accept()` took the connection. */
export function tooLate(finished: boolean): ContractError {
  return finished
    ? new ContractError('SR-14', 'startResponse called after the response ended')
    : new ContractError('WS-06', 'startResponse called after the WebSocket was accepted');
}
