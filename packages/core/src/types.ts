/**
 * The TSGI 1.1 contract: every public type lives in this one file (spec/00-overview.md).
 * @module
 */

type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

/** A final status code as text, `"200"` to `"599"` (SR-02). */
export type StatusCode = `${2 | 3 | 4 | 5}${Digit}${Digit}`;

/**
 * A status line without the protocol: three digits, one space, a reason phrase (SR-02).
 * A number is not a status: `startResponse(200, ...)` does not type-check.
 * @example "200 OK"
 */
export type Status = `${StatusCode} ${string}`;

/** One response header as a `[name, value]` tuple; names are case-insensitive (SR-03, SR-04). */
export type ResponseHeader = readonly [name: string, value: string];

/** Response headers: an ordered list of tuples, repeated names kept apart (SR-03). */
export type ResponseHeaders = readonly ResponseHeader[];

/** A response body: chunks are `Uint8Array` only, never strings (APP-03, APP-04). */
export type ResponseBody = Iterable<Uint8Array> | AsyncIterable<Uint8Array>;

/**
 * The legacy imperative writer returned by `startResponse` (WR-01..03). The promise settles once
 * the chunk is handed to the transport, which is how backpressure reaches the application.
 */
export type Write = (chunk: Uint8Array) => Promise<void>;

/**
 * Begins the response (SR-01..12). Validates synchronously and throws on a bad status or header;
 * sends nothing until the first non-empty chunk or the end of the body (SR-08).
 * @param excInfo - the error being handled, to replace a response not yet sent (SR-10).
 */
export type StartResponse = (status: Status, headers: ResponseHeaders, excInfo?: unknown) => Write;

/** `tsgi.input`: the request body, de-chunked and terminated (IN-01..09). */
export interface InputStream extends AsyncIterable<Uint8Array> {
  /**
   * Reads up to `maxBytes` (all that is buffered when omitted). Resolves to an empty array at the
   * end of the body, on every call after it too; rejects with `InputTruncatedError` when the
   * client stopped early (IN-04) and `ClientDisconnectError` after a disconnect (ERR-05).
   */
  read(maxBytes?: number): Promise<Uint8Array>;
  /** Tells the server the rest of the body is not wanted (IN-06). */
  cancel(): void;
}

/** `tsgi.errors`: a text sink for diagnostics (ERRS-01, ERRS-02). */
export interface ErrorStream {
  /** Writes text; accepts any string and never throws. */
  write(text: string): void;
  /** Resolves once written text is durable. */
  flush(): Promise<void>;
}

/** Request headers as received, order and case preserved, byte-transparent (ENV-15). */
export type RawHeaders = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * The request environment: CGI meta-variables plus `tsgi.*` keys (ENV-01..27).
 * Strings that carry bytes from the wire hold one UTF-16 code unit per octet (ENV-06).
 */
export interface Environ {
  REQUEST_METHOD: string;
  /** Where the application is mounted; `''` at the root, never `'/'` (ENV-04). */
  SCRIPT_NAME: string;
  /** The rest of the path, percent-decoded once, byte-transparent (ENV-05, ENV-06). */
  PATH_INFO: string;
  /** Raw query, without `?` (ENV-08). */
  QUERY_STRING: string;
  /** Raw request-target as received (ENV-07). */
  REQUEST_URI: string;
  SERVER_NAME: string;
  SERVER_PORT: string;
  SERVER_PROTOCOL: string;
  CONTENT_TYPE?: string;
  CONTENT_LENGTH?: string;
  REMOTE_ADDR?: string;
  REMOTE_PORT?: string;
  HTTPS?: string;
  SERVER_SOFTWARE?: string;
  [header: `HTTP_${string}`]: string | undefined;
  /** `[1, minor]`, frozen: the highest TSGI 1.x whose rules the server meets (ENV-18). */
  'tsgi.version': readonly [1, number];
  'tsgi.url_scheme': 'http' | 'https';
  'tsgi.input': InputStream;
  'tsgi.errors': ErrorStream;
  'tsgi.multithread': boolean;
  'tsgi.multiprocess': boolean;
  'tsgi.run_once': boolean;
  'tsgi.input_terminated': true;
  /** Aborted when the client goes away, the request is aborted or the server shuts down (ENV-24). */
  'tsgi.signal': AbortSignal;
  'tsgi.raw_headers'?: RawHeaders;
  /** Present on servers that can carry WebSocket connections (WS-01). */
  'tsgix.websocket'?: WebSocketUpgrade;
  [key: string]: unknown;
}

/** A TSGI application (APP-01..08). */
export type Application = (
  environ: Environ,
  startResponse: StartResponse,
) => ResponseBody | Promise<ResponseBody>;

/**
 * How the body that follows `ResponseSink.head` is framed, decided by the engine (BODY-10,
 * BODY-12, BODY-13, BODY-18):
 * - `'none'`: no body bytes follow (HEAD, 204, 205, 304); a `content-length` among the headers
 *   describes the GET response or is the 205's `0`, never the bytes sent.
 * - `'whole'`: the whole body is at hand: its chunks, then `end()`, follow without waiting on the
 *   application (only on the sink's own promises), and the headers carry its `content-length`
 *   (the application's, or the one the engine added).
 * - `'length'`: the headers carry the application's `content-length`; the body follows over time.
 * - `'open'`: no `content-length`: the transport delimits the body (chunked, or closing).
 */
export type BodyFraming = 'none' | 'whole' | 'length' | 'open';

/**
 * What an adapter supplies so the response engine can run one request over its transport.
 * The engine calls `head` at most once, then `write` zero or more times, then exactly one of
 * `end` or `abort`.
 */
export interface ResponseSink {
  /**
   * Sends the status and the final headers (validated; a `content-length` the engine decided to
   * add is already among them, so a sink neither scans them nor knows HEAD, 204 or 304).
   * `framing` says what follows. `code` is the status's numeric code (`statusCode(status)`),
   * which the engine has already computed: a sink that needs the number takes it from here.
   */
  head(status: Status, headers: ResponseHeaders, framing: BodyFraming, code: number): void;
  /**
   * Sends one non-empty chunk. Returns nothing only when the sink is done with the bytes (copied
   * or written, BODY-19); otherwise a promise that settles when it is, which is also how the
   * transport makes the engine wait (backpressure, BODY-02). One exception: with `'whole'`
   * framing (an Array body, whose chunks the application lends until the completion hook,
   * BODY-17) a sink may keep references and return nothing, as long as `end()` then returns a
   * promise that settles once the transport is done with them.
   *
   * `owned` is true when the chunk is the transport's own: the body is the very `tsgi.input`
   * the server put in `environ`, returned as it is (an echo), so no application code holds the
   * chunk and lending does not apply. A sink whose transport never reuses the buffers it pushed
   * into `tsgi.input` may then keep the chunk without copying it.
   */
  write(chunk: Uint8Array, owned?: boolean): void | Promise<void>;
  /**
   * Finishes the response cleanly. Returns nothing when no chunk's bytes are still referenced,
   * else a promise that settles once the transport is done with them: the engine calls the
   * body's completion hook only then (BODY-16, BODY-19).
   */
  end(): void | Promise<void>;
  /** Ends the response so the client can tell it is incomplete (ERR-03, BODY-09). */
  abort(reason: unknown): void;
  /**
   * Whether the client has gone. When the sink defines it, the engine reads this instead of
   * `tsgi.signal.aborted`, so a lazily created signal (`RequestAbort`) is never created for a
   * request nobody asked about.
   */
  readonly aborted?: boolean;
  /**
   * True once an extension took the connection over (EXT-05, WS-06: a WebSocket `accept()`):
   * the engine then refuses `startResponse`, releases the body without sending it, and ends the
   * run with `end()` (the application returned) or `abort(error)` (it threw).
   */
  readonly upgraded?: boolean;
  /**
   * True when an echo (the body is the very `tsgi.input` the server put in `environ`, returned
   * as it is) may be passed through: the engine then calls `write(chunk, true)` from within the
   * transport's own `push()` into `tsgi.input` (its data callback) and may end the response from
   * within its `end()`; while a promise from `write` is pending the input buffers and pauses the
   * transport as usual. Such a transport must fail `tsgi.input` when the client goes (IN-15): the
   * engine does not watch `tsgi.signal` for it. Without it the engine reads the input as an
   * application would, a promise per chunk.
   */
  readonly passThrough?: boolean;
}

/** A WebSocket message: text as a `string`, binary as a `Uint8Array`; never a fragment (WS-10). */
export type WebSocketMessage = string | Uint8Array;

/** How a WebSocket connection ended (WS-13): the close frame's code and reason. */
export interface WebSocketClose {
  /** 1000..4999 from the close frame; 1005 when it had none; 1006 when the connection was lost. */
  readonly code: number;
  /** The close frame's reason, UTF-8 decoded; `''` when none. */
  readonly reason: string;
}

/** What `accept()` takes (WS-05). */
export interface WebSocketAcceptOptions {
  /** The subprotocol, one of `protocols` exactly; none when omitted. */
  protocol?: string;
  /** permessage-deflate (RFC 7692) when the client offered it and the server can; default false. */
  compress?: boolean;
  /** Extra fields for the 101 response, checked as `startResponse` checks them (SR-03..SR-06). */
  headers?: ResponseHeaders;
}

/**
 * `environ['tsgix.websocket']` (EXT-05, spec 20): present on every request of a server that can
 * carry WebSocket connections, absent elsewhere (EXT-07).
 */
export interface WebSocketUpgrade {
  /** True when this request is a valid WebSocket opening handshake (WS-03). */
  readonly requested: boolean;
  /** The subprotocols the client offered, in its order (`Sec-WebSocket-Protocol`). */
  readonly protocols: readonly string[];
  /** The extension names the client offered (`Sec-WebSocket-Extensions`), e.g. `permessage-deflate`. */
  readonly extensions: readonly string[];
  /** Takes the connection over and returns it (WS-05); throws a `ContractError` when it cannot. */
  accept(options?: WebSocketAcceptOptions): WebSocketConnection;
}

/**
 * An accepted WebSocket connection (WS-09..WS-16). Iterating it yields each received message
 * once, whole; the iteration ends when the connection closes.
 */
export interface WebSocketConnection extends AsyncIterable<WebSocketMessage> {
  /** The subprotocol agreed, `''` when none. */
  readonly protocol: string;
  /** The extensions agreed (the response's `Sec-WebSocket-Extensions`), `''` when none. */
  readonly extensions: string;
  /** Bytes handed to `send()` that the transport has not yet passed to the operating system. */
  readonly bufferedAmount: number;
  /**
   * Sends one message. Resolves once the server is done with the bytes and its buffer is under
   * its high-water mark (WS-11); rejects with a `ClientDisconnectError` once the connection closed.
   */
  send(message: WebSocketMessage): Promise<void>;
  /** Starts the closing handshake (WS-13); resolves as `closed` does. */
  close(code?: number, reason?: string): Promise<WebSocketClose>;
  /** Settles once the connection is closed, whoever closed it. Never rejects. */
  readonly closed: Promise<WebSocketClose>;
}
