/**
 * `createRequestListener`: a `(req, res)` handler that runs a TSGI application for each
 * request. The response engine, validation, body iteration and release all live in
 * `@tsgi/core`'s `runApplication`; this file only builds environ, frames the request body and
 * hands the engine a sink (the design rule of spec section 10).
 */
import cluster from 'node:cluster';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerResponse, ServerHttp2Stream } from 'node:http2';
import type { Duplex } from 'node:stream';
import {
  type Application,
  checkBodyLimit,
  checkConfigKeys,
  createErrorStream,
  type ErrorStream,
  type OwnResponse,
  type RunOptions,
  requestFraming,
  requestInput,
  runApplication,
  tooLargeResponse,
} from '@tsgi/core';
import { PendingRuns, positiveOption } from '@tsgi/server-node';
import {
  type AccessLogFormat,
  accessLogWriter,
  checkAccessLogFormat,
  exchangeEntry,
  formatAccess,
} from './_access-log.js';
import { markServed } from './_connection-limit.js';
import { type _EnvironConfig, buildEnviron } from './_environ.js';
import { type ExchangeHost, NodeExchange } from './_exchange.js';
import { _checkH2Request, isH2Request } from './_h2-request.js';
import { type ExchangeResponse, kExchange } from './_lifecycle.js';
import { _BodyFacts, type _Refusal } from './_refusal.js';
import {
  _checkRequest,
  _MAX_HEADERS,
  _parserRefusal,
  _refusalCode,
  _refuse,
  _refusedConnection,
} from './_reject.js';
import type { ListenerOptions } from './options.js';

/** The version reported in SERVER_SOFTWARE. */
export const VERSION = '0.1.0';

// ENV-22: a cluster worker is one of several processes serving the same app.
const _IS_WORKER = cluster.isWorker;

// SRV-05: core's 413, the bytes every adapter sends.
const _TOO_LARGE = tooLargeResponse();

/** The listener's shared, per-server context; `serve` uses it for graceful shutdown. */
export class ListenerContext implements ExchangeHost {
  readonly app: Application;
  readonly errors: ErrorStream;
  readonly env: _EnvironConfig;
  readonly run: RunOptions;
  /** What `_checkRequest` reads about each request's body, with `maxBodySize` (IN-08). */
  readonly body: _BodyFacts;
  readonly maxHeaders: number;
  readonly accessLog: ((line: string) => void) | undefined;
  readonly accessLogFormat: AccessLogFormat;
  /** Requests whose response has not finished or closed (a count: shutdown needs no list). */
  active = 0;
  /** Requests whose completion hook (or application) has not settled (SRV-09, BODY-24). */
  readonly runs = new PendingRuns<NodeExchange>(_describe);
  /** Graceful shutdown has begun (`beginClosing`): new responses get `Connection: close`. */
  closing = false;
  /** Out of time (`beginAborting`): connections are destroyed under running requests. */
  aborting = false;
  /** Told as shutdown drains and aborts (the WebSocket side: 1001, then a drop). */
  readonly #shutdownWatchers: ShutdownWatcher[] = [];
  /** Called when a request finishes while `closing`. */
  onDrained: (() => void) | null = null;

  constructor(app: Application, options: ListenerOptions) {
    if (typeof app !== 'function')
      throw new TypeError('createRequestListener: app must be a function (APP-01)');
    this.app = app;
    const errors = options.errors;
    this.errors = createErrorStream(errors ?? ((text) => void process.stderr.write(text)));
    const scriptName = options.scriptName ?? '';
    if (scriptName !== '' && scriptName.charCodeAt(0) !== 0x2f) {
      throw new TypeError(`scriptName ${JSON.stringify(scriptName)} must start with "/" (ENV-04)`);
    }
    this.env = {
      scriptName: scriptName === '/' ? '' : scriptName,
      errors: this.errors,
      multiprocess: options.multiprocess ?? _IS_WORKER,
      software: options.serverSoftware ?? `tsgi-node/${VERSION}`,
      extra: checkConfigKeys(options.environ), // SRV-11: refused here, at setup
      websocket: false, // _websocket.ts turns it on
    };
    this.run = { exposeErrors: options.exposeErrors === true };
    this.body = new _BodyFacts(checkBodyLimit(options.maxBodySize));
    this.maxHeaders = positiveOption(
      'serve',
      'maxHeaders (SRV-07)',
      options.maxHeaders,
      _MAX_HEADERS,
    );
    this.accessLog = accessLogWriter(options.accessLog);
    this.accessLogFormat = checkAccessLogFormat(options.accessLogFormat);
  }

  // A list, not accessors on `closing`: redefined as getter/setter, they made this object, which
  // every request reads, a dictionary-mode one (2.7 µs per hello world; object-shapes.test.ts).
  watchShutdown(watcher: ShutdownWatcher): void {
    this.#shutdownWatchers.push(watcher);
  }

  /** The shutdown's drain: see `closing`. */
  beginClosing(): void {
    this.closing = true;
    for (const watcher of this.#shutdownWatchers) watcher.closing();
  }

  /** The shutdown's abort: see `aborting`. */
  beginAborting(): void {
    this.aborting = true;
    for (const watcher of this.#shutdownWatchers) watcher.aborting();
  }

  done(ex: NodeExchange): void {
    this.active--;
    if (this.accessLog !== undefined)
      this._log(formatAccess(exchangeEntry(ex), this.accessLogFormat));
    if (this.closing) this.onDrained?.();
  }

  /** serve()'s 'clientError' listener: node's parser refused a request (SRV-02, SRV-16). */
  clientError(err: Error, socket: Duplex): void {
    // Read before the socket is destroyed: node looks the peer up lazily.
    const remote = (socket as { remoteAddress?: string }).remoteAddress;
    const status = _parserRefusal(err, socket);
    // A request already under way (its body was malformed, say a bad chunk size): its exchange
    // writes the one log line when it closes, with the status the client got.
    const res = (socket as { _httpMessage?: ExchangeResponse | null })._httpMessage;
    const ex = res?.[kExchange];
    if (ex !== undefined) {
      if (status !== 0) ex.status = status;
      return;
    }
    if (status !== 0 && this.accessLog !== undefined) {
      this._refused(remote, status, 0);
    }
  }

  /** A connection refused before node:http saw it (SRV-08, _connection-limit.ts). */
  connectionRefused(socket: Duplex, status: number, bytes: number): void {
    if (this.accessLog === undefined) return;
    this._refused((socket as { remoteAddress?: string }).remoteAddress, status, bytes);
  }

  /** The line of a request refused before its request line was parsed (ADP-NODE-14). */
  _refused(remote: string | undefined, status: number, bytes: number): void {
    const entry = { remote, request: undefined, status, bytes, start: Date.now() };
    this._log(formatAccess(entry, this.accessLogFormat));
  }

  _log(line: string): void {
    try {
      this.accessLog!(line);
    } catch (err) {
      this.errors.write(`access log failed: ${String(err)}\n`);
    }
  }

  /** Handles one request of node:http (or of node's HTTP/2 compat API, passed to `handleStream`). */
  handle(req: IncomingMessage, res: ServerResponse): void {
    if (isH2Request(req)) {
      // A host's own node:http2 server with this listener on 'request': the stream under node's
      // compat objects is served as `serve` serves it (one HTTP/2 path); the compat objects are
      // left unused.
      const stream = (res as unknown as Http2ServerResponse).stream;
      this.handleStream(stream, req.headers, req.rawHeaders);
      return;
    }
    // SRV-02: an earlier request on this connection was refused; node:http parsed this one
    // before the socket closed. It never reaches the application, and gets no answer.
    if (_refusedConnection(req)) return;
    markServed(req.socket); // no longer a fresh connection for the shutdown's grace (closeIdle)
    const start = this.accessLog === undefined ? 0 : Date.now();
    const ex = new NodeExchange(this, req, res, start, null);
    this.active++;
    const refusal = _checkRequest(req, this.maxHeaders, this.body);
    if (refusal !== null) this._refuse(ex, refusal);
    else this._run(ex, req.rawHeaders);
  }

  /**
   * Handles one HTTP/2 stream (ADP-NODE-15): `serve`'s HTTP/2 server emits 'stream' with node's
   * header object and raw lines. node's stream API, not its compat API: the compat objects cost
   * a third of a hello world's server CPU (bench/http2.mjs: compat 31.7 µs per request, stream
   * API 19.3 µs, same run); on the stream the exchange writes the response itself.
   */
  handleStream(
    stream: ServerHttp2Stream,
    headers: IncomingHttpHeaders,
    rawHeaders: readonly string[],
  ): void {
    // A stream's errors (a reset by the client, our own RST_STREAM on abort) are followed by its
    // 'close', where the exchange learns of them (ADP-NODE-04); unheard, one would crash the process.
    stream.on('error', _ignore);
    const start = this.accessLog === undefined ? 0 : Date.now();
    const ex = new NodeExchange(this, stream, stream, start, headers);
    this.active++;
    // Read at the start: a closed stream no longer reaches its session's socket.
    if (this.accessLog !== undefined) ex.remote = stream.session?.socket?.remoteAddress;
    const refusal = _checkH2Request(
      headers,
      rawHeaders,
      stream.endAfterHeaders,
      this.maxHeaders,
      this.body,
    );
    if (refusal !== null) this._refuse(ex, refusal);
    else this._run(ex, rawHeaders);
  }

  /** Frames the request body, builds environ and runs the application. */
  _run(ex: NodeExchange, rawHeaders: readonly string[]): void {
    // IN-02, IN-03: node has removed chunked framing (HTTP/2: DATA frames); Content-Length
    // (validated by node's parser, SRV-02) bounds the body. Without either header a request has
    // no body (RFC 9112 §6.3).
    const framing = requestFraming(this.body);
    if (framing.kind === 'refuse') {
      // SRV-05: refused before the application runs; closed, since the body was not read.
      this._refuse(ex, _TOO_LARGE);
      return;
    }
    const input = requestInput(framing, ex, { errors: this.errors });
    const environ = buildEnviron(ex, rawHeaders, this.env, input);
    if (framing.kind !== 'none') {
      ex.hasBody(framing, input, this.body.expectContinue);
    } else if (!ex.h2) {
      // ADP-NODE-09: a request without a body has no bytes to drain, but node:http resumes every
      // stream nobody read once the response finishes (`req._dump()`), which costs a chain of
      // ticks and events per request. `read()` marks the stream consumed and returns null, so
      // that is skipped (bench/node-overhead.mjs hello world: about 0.4 µs per request).
      // An idle keep-alive connection then holds this request (about 0.8 KiB) until its next one.
      // (An HTTP/2 stream whose HEADERS ended it has its readable side ended already.)
      ex.http1Request.read();
    }
    this.runs.track(ex, runApplication(this.app, environ, ex, this.run));
    if (ex.ended && ex.input === null) ex.finishNow();
    else ex.watch();
  }

  /** Answers in place of the application and closes the connection (SRV-02, SRV-05, SRV-07). */
  _refuse(ex: NodeExchange, refusal: _Refusal | OwnResponse): void {
    ex.watch();
    ex.replaced = true;
    ex.status = _refusalCode(refusal);
    ex.bytes = _refuse(ex, refusal);
  }
}

/** What follows a listener's shutdown besides its requests (`watchShutdown`). */
export type ShutdownWatcher = { closing(): void; aborting(): void };

function _ignore(): void {}

/** A request pending at the end of a shutdown, for its log (BODY-24). */
function _describe(ex: NodeExchange): string {
  const waiting = ex.ended
    ? 'the completion hook of its response body'
    : 'its application, which has not ended its response';
  return `${ex.method} ${ex.target} still waiting for ${waiting}`;
}

/** A node request listener with access to its state (for `serve`). */
export type _Listener = ((req: IncomingMessage, res: ServerResponse) => void) & {
  readonly state: ListenerContext;
};

/** Internal: the listener plus its state. */
export function _createListener(app: Application, options: ListenerOptions = {}): _Listener {
  const state = new ListenerContext(app, options);
  const listener = (req: IncomingMessage, res: ServerResponse): void => state.handle(req, res);
  return Object.assign(listener, { state });
}

/**
 * Returns a `(req, res)` listener running `app` for each request, for an existing `node:http`
 * or `node:https` server. Register it for `'checkContinue'` too, so 100 Continue is sent only
 * when the app reads the body (IN-07): `server.on('request', l).on('checkContinue', l)`.
 */
export function createRequestListener(
  app: Application,
  options: ListenerOptions = {},
): (req: IncomingMessage, res: ServerResponse) => void {
  return _createListener(app, options);
}
