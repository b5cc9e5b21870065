/**
 * One request/response pair: the `ResponseSink` the core engine writes to (ADP-NODE-02, -04,
 * -06) and the `InputSource` that feeds `tsgi.input` from the `IncomingMessage` (ADP-NODE-03).
 * One object per request serves both roles, and node events find it through a symbol on
 * `req`/`res`, so the hot path creates no per-request closures.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BodyFraming,
  ClientDisconnectError,
  type ErrorStream,
  type InputSource,
  InputTruncatedError,
  RequestAbort,
  type RequestInput,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
  statusCode,
} from '@tsgi/core';
import { type _Body, _endBody, _wake, _writeBody } from './_body.js';

/** Where the exchange reports back: the listener's shared state. */
export interface _ExchangeHost {
  readonly errors: ErrorStream;
  /** True once graceful shutdown has begun: new responses get `Connection: close`. */
  readonly closing: boolean;
  /** True once shutdown gave up waiting and is destroying connections (ENV-24). */
  readonly aborting: boolean;
  /** Called exactly once per exchange, when its response has finished or closed. */
  done(ex: _Exchange): void;
}

const kExchange = Symbol('tsgi.exchange');

type _Res = ServerResponse & { [kExchange]?: _Exchange; _sent100?: boolean };
type _Req = IncomingMessage & { [kExchange]?: _Exchange };

const _TEXT = 'text/plain; charset=utf-8';

export class _Exchange implements ResponseSink, InputSource, _Body {
  readonly host: _ExchangeHost;
  readonly req: _Req;
  readonly res: _Res;
  /** `tsgi.signal`, created only if the app reads it (RequestAbort: a per-request AbortController is most of a small request's cost on Node 20). */
  readonly abortState = new RequestAbort();
  /** `tsgi.input` when the request has a body; null for the shared empty input. */
  input: RequestInput | null = null;
  /** The declared body length (CONTENT_LENGTH), or -1 for a chunked body. */
  length = -1;
  /** The body size limit for a chunked body (IN-08), or -1. */
  limit = -1;
  /** The request carried `Expect: 100-continue` (IN-07). */
  expectContinue = false;
  /** Set once `done()` has been reported. */
  done = false;
  /** The engine called end() or abort(): it has finished with this sink. */
  ended = false;
  /** The response closed before finishing: reads and writes now fail (ERR-05). */
  closed = false;
  /** node:http refused the head and the adapter answered 500: the engine's output is dropped. */
  replaced = false;
  /** The chunked body passed `maxBodySize` (IN-08). */
  tooLarge = false;
  reading = false;
  /** The body is an Array (or ended before headers): see _body.ts, like the next two. */
  whole = false;
  held: Uint8Array | null = null;
  inPlace = false;
  reqCloseHooked = false;
  pending: (() => void) | null = null;
  /** For the access log: the status code sent (0: none) and body bytes handed to node. */
  status = 0;
  bytes = 0;
  readonly start: number;

  constructor(host: _ExchangeHost, req: IncomingMessage, res: ServerResponse, start: number) {
    this.host = host;
    this.req = req;
    this.res = res;
    this.start = start;
  }

  /**
   * Watches the response for its end or the client leaving (ADP-NODE-04). Called once the
   * application has not finished synchronously, or when the request has a body; node emits
   * no event during the synchronous call to the application, so none is missed.
   */
  watch(): void {
    const res = this.res;
    if (res[kExchange] === this) return; // already watched (_body.ts waits)
    res[kExchange] = this;
    res.on('close', _onResClose); // emitted once; `on` avoids once()'s wrapper allocation
    // A pipelined request whose response is queued behind another has no socket yet, and
    // node:http never emits 'close' on such a response if the client leaves; its request does.
    if (res.socket === null) this._hookReqClose();
  }

  /**
   * The engine finished synchronously and the request has no body: the response is in node's
   * hands, nothing is left to release or to abort (ENV-24: it completed), so the exchange is
   * accounted for now and no 'close' listener is added (bench/node-overhead.mjs: a listener
   * and a property on every response were a tenth of a hello world's adapter overhead).
   */
  finishNow(): void {
    this.done = true;
    this.host.done(this);
  }

  // --- ResponseSink -----------------------------------------------------------------------

  head(status: Status, headers: ResponseHeaders, framing: BodyFraming): void {
    if (this.replaced) return;
    const res = this.res;
    // The headers are final: a content-length the engine knew is among them (BODY-10); without
    // one node:http uses chunked encoding (HTTP/1.1) or closes the connection (HTTP/1.0).
    // IN-07/IN-06: the client was told to wait for 100 Continue and never got it, so it may
    // or may not send the body; the connection cannot be reused safely.
    if (
      this.host.closing ||
      this.tooLarge ||
      (this.expectContinue &&
        !this.reading &&
        res._sent100 !== true &&
        this.input !== null &&
        !this.input.ended)
    ) {
      res.shouldKeepAlive = false;
    }
    const code = statusCode(status);
    // SR-17: a 426 naming a protocol in `upgrade` lists it in `connection` too (RFC 9110 §7.8).
    const list =
      code === 426 && _hasUpgrade(headers)
        ? [...headers, ['connection', res.shouldKeepAlive ? 'upgrade' : 'upgrade, close']]
        : headers;
    try {
      // The tuple-array form keeps repeated names (set-cookie) as separate lines (SR-03) and
      // writes values as latin-1, one octet per code unit (SR-05).
      res.writeHead(code, _reason(status), list as unknown as string[]);
      this.status = code;
      // The whole body is at hand (an Array, APP-08, or a body that ended before any byte):
      // its chunks and end() follow in this same tick.
      this.whole = framing === 'whole';
    } catch (err) {
      // node:http is stricter than SR-05 about control characters; the engine has already
      // validated, so this is rare. Nothing is on the wire yet: answer 500 ourselves.
      this.host.errors.write(`SR-05: node:http refused the response head: ${_message(err)}\n`);
      this._replace(err);
    }
  }

  write(chunk: Uint8Array): void | Promise<void> {
    if (this.replaced) return;
    // ERR-05. `destroyed` covers the moment between a socket dying and its close event.
    if (this.closed || this.res.destroyed) return Promise.reject(new ClientDisconnectError());
    this.bytes += chunk.length;
    return _writeBody(this, chunk); // BODY-19, ADP-NODE-12, ADP-NODE-02
  }

  end(): void | Promise<void> {
    this.ended = true;
    if (this.replaced || this.closed || this.res.destroyed) return;
    return _endBody(this); // may wait for node to finish with an Array's chunks (ADP-NODE-12)
  }

  abort(_reason: unknown): void {
    this.ended = true;
    if (this.replaced) return;
    // ERR-03, BODY-09: destroy the socket so no terminating chunk is sent and a declared
    // content-length is left short: the client cannot mistake this for a complete response.
    // What the app produced still goes out first: node:http corks the socket on write until
    // the next tick, and destroy() would silently drop corked data.
    const res = this.res;
    const held = this.held;
    this.held = null;
    if (held !== null && !this.closed) res.write(held);
    const socket = res.socket;
    if (socket !== null) while (socket.writableCorked > 0) socket.uncork();
    res.destroy();
  }

  // --- InputSource ------------------------------------------------------------------------

  firstRead(): void {
    if (this.closed || this.reading) return;
    this.reading = true;
    const res = this.res;
    // ADP-NODE-03 / IN-07: 100 Continue on the first read, never once the response started.
    // `_sent100` is node's own flag: without a 'checkContinue' listener node sent it already.
    if (this.expectContinue && !res.headersSent && res._sent100 !== true) res.writeContinue();
    const req = this.req;
    req[kExchange] = this;
    req.on('data', _onData);
    req.once('end', _onEnd);
    this._hookReqClose();
  }

  pause(): void {
    this.req.pause();
  }

  resume(): void {
    this.req.resume();
  }

  cancel(): void {
    // IN-06: discard the rest. node:http reads a body to its end before parsing the next
    // request on the connection, so keep-alive stays safe; pushes are now ignored.
    if (this.reading) this.req.resume();
  }

  // --- events -----------------------------------------------------------------------------

  _hookReqClose(): void {
    if (this.reqCloseHooked) return;
    this.reqCloseHooked = true;
    this.req[kExchange] = this;
    this.req.once('close', _onReqClose);
  }

  /** ResponseSink.aborted: the engine checks for a disconnect without creating the signal. */
  get aborted(): boolean {
    return this.abortState.aborted;
  }

  /** ADP-NODE-04: the response closed; before `writableFinished` that is a disconnect. */
  _onClose(): void {
    _wake(this); // a wait for 'drain', a write or 'finish' is over; the engine sees why
    if (this.done) return;
    this.done = true;
    const res = this.res;
    if (!res.writableFinished) {
      this.closed = true;
      const err = new ClientDisconnectError(
        this.host.aborting ? 'server shut down before the response finished' : undefined,
      );
      this.abortState.abort(err); // ENV-24, ERR-04
      this.input?.fail(_inputFailure(this, err)); // ERR-05, IN-04
    } else if (this.reading && this.input !== null && !this.input.ended) {
      // The response is complete but the app stopped reading a paused body: the rest is
      // unwanted (IN-06). Drain it so the connection can carry the next request (node only
      // dumps bodies nobody consumed); cancel() resumes the stream and ends pending reads.
      this.req.off('data', _onData);
      this.input.cancel();
    }
    this.host.done(this);
  }

  /**
   * IN-08: a chunked body grew past `maxBodySize`; `tsgi.input` has already failed with
   * InputTooLargeError, which the engine answers with 413 if the app lets it through. The
   * rest of the body is discarded, and the connection closed after the response.
   */
  _tooLarge(): void {
    if (this.tooLarge) return;
    this.tooLarge = true;
    this.req.off('data', _onData);
    this.req.resume();
  }

  /** Answers 500 in place of the application and stops the engine (ENV-24: the server aborted it). */
  _replace(err: unknown): void {
    this.replaced = true;
    this.abortState.abort(err);
    this.status = 500;
    if (this.res.headersSent) this.res.destroy();
    else reply(this.res, 500, 'Internal Server Error', true);
  }
}

/** Sends a small plain-text response; `close` adds `Connection: close`. */
export function reply(res: ServerResponse, code: number, reason: string, close: boolean): void {
  const body = `${code} ${reason}\n`;
  const headers: string[][] = [
    ['content-type', _TEXT],
    ['content-length', String(body.length)],
  ];
  if (close) headers.push(['connection', 'close']);
  res.writeHead(code, reason, headers as unknown as string[]);
  res.end(body);
}

// An app answers with a handful of statuses, most often one: keep the last reason phrase
// rather than slicing a new string per response.
let _lastStatus = '200 OK';
let _lastReason = 'OK';

function _reason(status: Status): string {
  if (status !== _lastStatus) {
    _lastReason = status.slice(4);
    _lastStatus = status;
  }
  return _lastReason;
}

function _hasUpgrade(headers: ResponseHeaders): boolean {
  return headers.some((h) => h[0].length === 7 && h[0].toLowerCase() === 'upgrade');
}

function _message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * IN-04: why a request body stopped short. The client half-closed (its FIN reached the socket)
 * before the declared length: truncation. The connection died otherwise (reset, or a chunked
 * body with no declared length): a disconnect (ERR-05).
 */
function _inputFailure(ex: _Exchange, disconnect: Error): Error {
  const received = ex.input!.received;
  if (ex.length >= 0 && received < ex.length && ex.req.socket?.readableEnded === true) {
    return new InputTruncatedError(ex.length, received);
  }
  return disconnect;
}

function _onResClose(this: _Res): void {
  this[kExchange]!._onClose();
}

function _onData(this: _Req, chunk: Buffer): void {
  const ex = this[kExchange]!;
  const input = ex.input!;
  input.push(chunk);
  if (ex.limit >= 0 && input.received > ex.limit) ex._tooLarge();
}

function _onEnd(this: _Req): void {
  this[kExchange]!.input!.end(); // IN-04: RequestInput turns a short body into InputTruncatedError
}

function _onReqClose(this: _Req): void {
  const ex = this[kExchange]!;
  if (!this.complete && ex.input !== null && !ex.input.ended) {
    ex.input.fail(_inputFailure(ex, new ClientDisconnectError()));
  }
  if (this.socket?.destroyed === true) ex._onClose();
}
