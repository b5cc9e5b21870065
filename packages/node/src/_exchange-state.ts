/**
 * What one node:http request/response pair holds (see _exchange.ts for why it is one object).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type { ErrorStream, RequestAbort, RequestInput } from '@tsgi/core';
import type { BodyState } from './_body.js';

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
 * and not the class that imports them (no import cycle). An interface, not a base class: V8
 * (Node 20) constructs a derived class through its generic construct stub, which cost about 275
 * instructions per hello-world request (0.55 %; bench/instructions.mjs, see bench/README.md).
 */
export interface ExchangeState extends BodyState {
  readonly host: ExchangeHost;
  /**
   * Where the request body comes from: node:http's `IncomingMessage`, or on HTTP/2 the stream,
   * whose readable side is the request body (ADP-NODE-15). Members only node:http has are read
   * behind `h2` (`http1Request`).
   */
  readonly req: IncomingMessage | ServerHttp2Stream;
  /** Where the response goes: node:http's `ServerResponse`, or on HTTP/2 the same stream. */
  readonly res: ServerResponse | ServerHttp2Stream;
  /** `tsgi.signal`, created only if the app reads it (see _exchange.ts). */
  readonly abortState: RequestAbort;
  /**
   * The request came over HTTP/2 (ADP-NODE-15): node's stream API, no connection-level headers,
   * no reason phrase, no socket to uncork.
   */
  readonly h2: boolean;
  /** HTTP/2: the request's header object (node's, pseudo-headers included); null on HTTP/1.x. */
  readonly h2Headers: IncomingHttpHeaders | null;

  // Request body (_request-body.ts).
  /** `tsgi.input` when the request has a body; null for the shared empty input. */
  input: RequestInput | null;
  /** The declared body length (CONTENT_LENGTH), or -1 for a chunked body. */
  length: number;
  /** The body size limit for a chunked body (IN-08), or -1. */
  limit: number;
  /** The request carried `Expect: 100-continue` (IN-07). */
  expectContinue: boolean;
  /** The application has read: the body is flowing into `input`. */
  reading: boolean;
  /** The chunked body passed `maxBodySize` (IN-08): the rest is discarded, the connection closed. */
  tooLarge: boolean;

  // Lifecycle (_lifecycle.ts).
  /** Set once `done()` has been reported. */
  done: boolean;
  /** The engine called end() or abort(): it has finished with this sink. */
  ended: boolean;
  /** The response closed before finishing: reads and writes now fail (ERR-05). */
  closed: boolean;
  /** A 'close' listener is on `res` (`watchResponse`). */
  watched: boolean;
  /** A 'close' listener is on `req` (a pipelined response, or a body being read). */
  reqCloseWatched: boolean;

  // Response (_response-sink.ts; the rest are BodyState's, documented in _body.ts).
  /** node:http refused the head, or the request was refused: the engine's output is dropped. */
  replaced: boolean;

  // Access log: the status code sent (0: none), body bytes handed to node, the start time.
  status: number;
  bytes: number;
  /** HTTP/2: the peer, read at the start (a closed stream no longer reaches its session). */
  remote: string | undefined;
  readonly start: number;

  /** node:http's request; only read where `h2` is false. */
  readonly http1Request: IncomingMessage;
  /** node:http's response; only read where `h2` is false. */
  readonly http1Response: ServerResponse;
  /** The HTTP/2 stream; only read where `h2` is true. */
  readonly stream: ServerHttp2Stream;
  /** The request method, for the access log and shutdown's log. */
  readonly method: string;
  /** The request-target as received (`:path` on HTTP/2). */
  readonly target: string;
  /** ResponseSink.aborted: the engine checks for a disconnect without creating the signal. */
  readonly aborted: boolean;
}
