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

import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';
import type {
  BodyFraming,
  InputSource,
  RequestInput,
  ResponseHeaders,
  ResponseSink,
  Status,
} from '@tsgi/core';
import { RequestAbort } from '@tsgi/core';
import type { Slab } from './_body.js';
import type { ExchangeHost, ExchangeState } from './_exchange-state.js';
import { markDone, watchResponse } from './_lifecycle.js';
import { cancelBody, expectBody, startReading } from './_request-body.js';
import { abortResponse, endResponse, sendChunk, sendHead } from './_response-sink.js';

export type { ExchangeHost } from './_exchange-state.js';

/** The fields are documented on `ExchangeState`, which this class is (see there for why). */
export class NodeExchange implements ExchangeState, ResponseSink, InputSource {
  readonly host: ExchangeHost;
  readonly req: IncomingMessage | ServerHttp2Stream;
  readonly res: ServerResponse | ServerHttp2Stream;
  readonly abortState = new RequestAbort();
  readonly h2: boolean;
  readonly h2Headers: IncomingHttpHeaders | null;
  input: RequestInput | null = null;
  length = -1;
  limit = -1;
  expectContinue = false;
  reading = false;
  tooLarge = false;
  done = false;
  ended = false;
  closed = false;
  watched = false;
  reqCloseWatched = false;
  replaced = false;
  whole = false;
  held: Uint8Array | null = null;
  inPlace = false;
  pending: (() => void) | null = null;
  runSlab: Slab | null = null;
  runStart = 0;
  runEnd = 0;
  status = 0;
  bytes = 0;
  remote: string | undefined = undefined;
  readonly start: number;

  /** An HTTP/1.x exchange (`h2Headers` null) or an HTTP/2 stream (`req` and `res` the stream). */
  constructor(
    host: ExchangeHost,
    req: IncomingMessage | ServerHttp2Stream,
    res: ServerResponse | ServerHttp2Stream,
    start: number,
    h2Headers: IncomingHttpHeaders | null,
  ) {
    this.host = host;
    this.req = req;
    this.res = res;
    this.start = start;
    this.h2Headers = h2Headers;
    this.h2 = h2Headers !== null;
  }

  get http1Request(): IncomingMessage {
    return this.req as IncomingMessage;
  }

  get http1Response(): ServerResponse {
    return this.res as ServerResponse;
  }

  get stream(): ServerHttp2Stream {
    return this.res as ServerHttp2Stream;
  }

  get method(): string {
    return this.h2 ? String(this.h2Headers![':method']) : this.http1Request.method!;
  }

  get target(): string {
    return this.h2 ? String(this.h2Headers![':path']) : this.http1Request.url!;
  }

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

  /** An echo is written from the 'data' event (core's passInput); a disconnect fails the input. */
  get passThrough(): boolean {
    return true;
  }

  head(status: Status, headers: ResponseHeaders, framing: BodyFraming, code: number): void {
    sendHead(this, status, headers, framing, code);
  }

  write(chunk: Uint8Array, owned?: boolean): void | Promise<void> {
    return sendChunk(this, chunk, owned === true);
  }

  end(): void | Promise<void> {
    return endResponse(this);
  }

  abort(_reason: unknown): void {
    abortResponse(this);
  }

  // --- InputSource ----------------------------------------------------------------------------

  /** The request has a body: see `expectBody` (the listener's only write to the exchange). */
  hasBody(
    framing: Parameters<typeof expectBody>[1],
    input: RequestInput,
    expectContinue: boolean,
  ): void {
    expectBody(this, framing, input, expectContinue);
  }

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
