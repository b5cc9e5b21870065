/**
 * What one node:http request/response pair holds (see _exchange.ts for why it is one object).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ErrorStream, RequestAbort, type RequestInput } from '@tsgi/core';
import type { BodyState, Slab } from './_body.js';

/** Where an exchange reports back: the listener's shared context. */
export interface ExchangeHost {
  readonly errors: ErrorStream;
  /** True once graceful shutdown has begun: new responses get `Connection: close`. */
  readonly closing: boolean;
  /** True once shutdown gave up waiting and is destroying connections (ENV-24). */
  readonly aborting: boolean;
  /** Called exactly once per exchange, when its response has finished or closed. */
  done(ex: ExchangeState): void;
}

/**
 * The per-request state of a `NodeExchange`, apart from its methods, so that the files that
 * implement those methods (_lifecycle.ts, _request-body.ts, _response-sink.ts) import this type
 * and not the class that imports them (no import cycle).
 */
export abstract class ExchangeState implements BodyState {
  readonly host: ExchangeHost;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** `tsgi.signal`, created only if the app reads it (see the module comment). */
  readonly abortState = new RequestAbort();
  /**
   * The request came over HTTP/2 (node's compat API: `Http2ServerRequest`/`Http2ServerResponse`,
   * ADP-NODE-15): no connection-level headers, no reason phrase, no socket to uncork.
   */
  readonly h2: boolean;

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

  // Response (_response-sink.ts; the next seven are BodyState's, documented in _body.ts).
  /** node:http refused the head, or the request was refused: the engine's output is dropped. */
  replaced = false;
  whole = false;
  held: Uint8Array | null = null;
  inPlace = false;
  pending: (() => void) | null = null;
  runSlab: Slab | null = null;
  runStart = 0;
  runEnd = 0;

  // Access log: the status code sent (0: none), body bytes handed to node, the start time.
  status = 0;
  bytes = 0;
  /** HTTP/2: the peer, read at the start (a closed stream no longer reaches its session). */
  remote: string | undefined = undefined;
  readonly start: number;

  constructor(
    host: ExchangeHost,
    req: IncomingMessage,
    res: ServerResponse,
    start: number,
    h2: boolean,
  ) {
    this.host = host;
    this.req = req;
    this.res = res;
    this.start = start;
    this.h2 = h2;
  }

  /** ResponseSink.aborted: the engine checks for a disconnect without creating the signal. */
  get aborted(): boolean {
    return this.abortState.aborted;
  }

  /** Watches the response for its end or the client leaving (idempotent). */
  abstract watch(): void;
}
