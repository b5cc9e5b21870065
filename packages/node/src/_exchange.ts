/**
 * `NodeExchange`: one request/response pair on node:http, and the one object the adapter makes
 * per request. It is the `ResponseSink` the core engine writes to (_response-sink.ts: ADP-NODE-02,
 * -06, the 500 replacement), the `InputSource` that feeds `tsgi.input` from the `IncomingMessage`
 * (_request-body.ts: ADP-NODE-03, IN-07 100-continue, IN-08) and the body writer's state
 * (_body.ts: ADP-NODE-12); its lifecycle, the end or the client leaving (ADP-NODE-04, ENV-24) and
 * the listener's accounting, is in _lifecycle.ts. This class holds the state and forwards each
 * role's methods to those files' functions.
 *
 * One object, not one per role, and no per-request closures: node events find the exchange
 * through a symbol on `req`/`res` (_lifecycle.ts). bench/node-overhead.mjs measured each: a
 * per-request AbortController was most of a small request's cost on Node 20 (hence the lazy
 * `RequestAbort`), a 'close' listener and a property on every response a tenth of a hello
 * world's adapter overhead (hence `finishNow`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type BodyFraming,
  type ErrorStream,
  type InputSource,
  RequestAbort,
  type RequestInput,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
} from '@tsgi/core';
import type { BodyState } from './_body.js';
import { markDone, watchResponse } from './_lifecycle.js';
import { cancelBody, startReading } from './_request-body.js';
import { abortResponse, endResponse, sendChunk, sendHead } from './_response-sink.js';

/** Where an exchange reports back: the listener's shared context. */
export interface ExchangeHost {
  readonly errors: ErrorStream;
  /** True once graceful shutdown has begun: new responses get `Connection: close`. */
  readonly closing: boolean;
  /** True once shutdown gave up waiting and is destroying connections (ENV-24). */
  readonly aborting: boolean;
  /** Called exactly once per exchange, when its response has finished or closed. */
  done(ex: NodeExchange): void;
}

export class NodeExchange implements ResponseSink, InputSource, BodyState {
  readonly host: ExchangeHost;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** `tsgi.signal`, created only if the app reads it (see the module comment). */
  readonly abortState = new RequestAbort();

  // Request body (_request-body.ts).
  /** `tsgi.input` when the request has a body; null for the shared empty input. */
  input: RequestInput | null = null;
  /** The declared body length (CONTENT_LENGTH), or -1 for a chunked body. */
  length = -1;
  /** The body size limit for a chunked body (IN-08), or -1. */
  limit = -1;
  /** The request carried `Expect: 100-continue` (IN-07). */
  expectContinue = false;
  /** The application has read: the body is flowing into `input`. */
  reading = false;
  /** The chunked body passed `maxBodySize` (IN-08): the rest is discarded, the connection closed. */
  tooLarge = false;

  // Lifecycle (_lifecycle.ts).
  /** Set once `done()` has been reported. */
  done = false;
  /** The engine called end() or abort(): it has finished with this sink. */
  ended = false;
  /** The response closed before finishing: reads and writes now fail (ERR-05). */
  closed = false;
  /** A 'close' listener is on `req` (a pipelined response, or a body being read). */
  reqCloseWatched = false;

  // Response (_response-sink.ts; the next four are BodyState's, documented in _body.ts).
  /** node:http refused the head, or the request was refused: the engine's output is dropped. */
  replaced = false;
  whole = false;
  held: Uint8Array | null = null;
  inPlace = false;
  pending: (() => void) | null = null;

  // Access log: the status code sent (0: none), body bytes handed to node, the start time.
  status = 0;
  bytes = 0;
  readonly start: number;

  constructor(host: ExchangeHost, req: IncomingMessage, res: ServerResponse, start: number) {
    this.host = host;
    this.req = req;
    this.res = res;
    this.start = start;
  }

  /** ResponseSink.aborted: the engine checks for a disconnect without creating the signal. */
  get aborted(): boolean {
    return this.abortState.aborted;
  }

  // --- lifecycle ------------------------------------------------------------------------------

  /** Watches the response for its end or the client leaving (idempotent). */
  watch(): void {
    watchResponse(this);
  }

  /** The response is in node's hands and nothing is left to watch: accounted for now. */
  finishNow(): void {
    markDone(this);
  }

  // --- ResponseSink ---------------------------------------------------------------------------

  head(status: Status, headers: ResponseHeaders, framing: BodyFraming, code: number): void {
    sendHead(this, status, headers, framing, code);
  }

  write(chunk: Uint8Array): void | Promise<void> {
    return sendChunk(this, chunk);
  }

  end(): void | Promise<void> {
    return endResponse(this);
  }

  abort(_reason: unknown): void {
    abortResponse(this);
  }

  // --- InputSource ----------------------------------------------------------------------------

  firstRead(): void {
    startReading(this);
  }

  pause(): void {
    this.req.pause();
  }

  resume(): void {
    this.req.resume();
  }

  cancel(): void {
    cancelBody(this);
  }
}
