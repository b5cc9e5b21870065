/**
 * `fromNodeHandler`: a node `(req, res)` request listener (an Express app, `koa.callback()`,
 * Fastify's routing function) as a TSGI application, so it runs on every TSGI server: node:http,
 * FastCGI, SCGI, CGI. The bridge is an Application like any other (spec section 8): the engine
 * still decides content-length, HEAD, 413 and framing; the bridge only turns environ into node's
 * own `IncomingMessage`/`ServerResponse` and the response those produce back into a status, header
 * tuples and a body.
 */
import type { Application, Environ, ResponseBody, StartResponse, Write } from '@tsgi/core';
import {
  BridgeRequest,
  connectionReset,
  dumpBody,
  requestUrls,
  type ScriptNameMode,
  unconsumed,
} from './_request.js';
import { BridgeResponse, type Head, socketDrained } from './_response.js';
import { BridgeSocket } from './_socket.js';

/** A node request listener: what `http.createServer(listener)` takes. */
export type NodeHandler = (
  req: import('node:http').IncomingMessage,
  res: import('node:http').ServerResponse,
) => unknown;

/** Options for `fromNodeHandler`. */
export interface FromNodeHandlerOptions {
  /**
   * `'strip'` (default): `req.url` is PATH_INFO and the query, so the handler routes the same
   * wherever it is mounted (a FastCGI location, a CGI script path, `mount()`), and
   * `req.originalUrl`/`req.baseUrl` carry SCRIPT_NAME as Express's own mounting does (ENV-04).
   * `'keep'`: `req.url` is SCRIPT_NAME + PATH_INFO and the query, the URL the client asked for.
   */
  scriptName?: ScriptNameMode;
}

/**
 * Wraps a node request listener as a TSGI application.
 *
 * ```ts
 * import express from 'express';
 * import { fromNodeHandler } from '@tsgi/node-bridge';
 * const app = express();
 * app.get('/', (req, res) => res.send('hello'));
 * export default fromNodeHandler(app);   // tsgi serve | tsgi fastcgi | tsgi cgi app.js
 * ```
 *
 * `req` and `res` are node's own classes over a socket look-alike: the request body streams from
 * `tsgi.input` (backpressure: nothing is read ahead of the handler), response chunks are lent to
 * the engine and `write()`'s callback and `'drain'` wait for the sink (BODY-02, BODY-19), and a
 * client disconnect (`tsgi.signal`, ENV-24) gives node's `'aborted'` and `'close'`. An error the
 * handler throws (or a rejected promise it returns) before the head answers 500 (ERR-02); after
 * it, the response is cut short (ERR-03).
 */
export function fromNodeHandler(
  handler: NodeHandler,
  options: FromNodeHandlerOptions = {},
): Application {
  if (typeof handler !== 'function')
    throw new TypeError('fromNodeHandler: handler must be a (req, res) function');
  const mode = options.scriptName ?? 'strip';
  return (environ, startResponse) => new _Exchange(environ, mode).run(handler, startResponse);
}

/** One request through the bridge. */
class _Exchange {
  readonly socket: BridgeSocket;
  readonly req: BridgeRequest;
  readonly res: BridgeResponse;
  readonly #environ: Environ;
  #signal: AbortSignal | null = null;
  readonly #input: Environ['tsgi.input'];
  #head: Head | null = null;
  #failed: { err: unknown } | null = null;
  #wake: (() => void) | null = null;
  #done = false;
  /** Settles the streamed response's body promise (see `#stream`). */
  #settle: { resolve(body: ResponseBody): void; reject(err: unknown): void } | null = null;

  constructor(environ: Environ, mode: ScriptNameMode) {
    this.socket = new BridgeSocket(environ);
    this.req = new BridgeRequest(this.socket, environ, requestUrls(environ, mode));
    this.res = new BridgeResponse(this.req);
    this.res.assignSocket(this.socket as never);
    this.res.onHead = (head) => {
      this.#head = head;
      this.#notify();
    };
    this.res.once('finish', () => this.#finish());
    this.socket.on('drain', () => socketDrained(this.res));
    // 'close' on the socket: node's own listener (assignSocket) marks res destroyed and emits
    // 'close' on it; here it also ends the wait for a head that will never come, or the stream.
    this.socket.once('close', () => {
      this.#notify();
      this.#end(this.socket.errored ?? new Error('@tsgi/node-bridge: response destroyed'));
    });
    this.#environ = environ;
    this.#input = environ['tsgi.input'];
  }

  async run(handler: NodeHandler, startResponse: StartResponse): Promise<ResponseBody> {
    try {
      const r = handler(this.req, this.res);
      if (r !== null && typeof r === 'object' && typeof (r as Promise<void>).then === 'function')
        (r as Promise<void>).then(undefined, (err: unknown) => this.#fail(err));
    } catch (err) {
      this.#fail(err);
    }
    while (this.#head === null && this.#failed === null && !this.socket.destroyed) {
      this.#watch(); // the handler answers later: a disconnect meanwhile must reach it
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
    const head = this.#head;
    if (head === null) {
      this.#cleanup();
      // ERR-02: the engine answers 500 (or nothing, when the client is already gone).
      throw (
        this.#failed?.err ?? this.#signal?.reason ?? new Error('@tsgi/node-bridge: no response')
      );
    }
    const write = startResponse(head.status, head.headers);
    const socket = this.socket;
    // The whole body already written (`res.send`, `res.end(data)`): an Array lets the engine
    // send it with its length in one write ('whole' framing). Not for HEAD: an Array would tell
    // the engine the GET body is empty (APP-08).
    if (
      this.res.writableEnded &&
      !socket.destroyed &&
      socket.unreleased === socket.held &&
      this.req.method !== 'HEAD'
    ) {
      return Object.assign(socket.takeAll(), { close: () => this.#release() });
    }
    this.#watch();
    return this.#stream(write);
  }

  /**
   * A response written piece by piece (`res.write`, `req.pipe(res)`): each chunk goes to
   * `startResponse`'s `write` from within node's own `write()` (WR-01 applies backpressure and
   * lends the chunk), and the body is `[]` once node's 'finish' says the last one was written
   * (WR-03). Pushing from the framework's `write()`, as node:http writes to its socket, instead
   * of the engine pulling each chunk through an async iterator: Express's 1 MiB echo allocated
   * 148.7 KB per request through the iterator against Express's own 70.1 (heap sampling), and ran
   * at 0.84 to 0.95 of Express on node:http (bench/run.mjs --only express).
   */
  #stream(write: Write): Promise<ResponseBody> {
    // WR-04: sends nothing, but marks the response as written, so the `[]` at the end is not read
    // as a whole, empty body (a HEAD response keeps the handler's Content-Length, BODY-25).
    write(_EMPTY).then(_noop, _noop);
    this.socket.stream(write);
    if (this.#done) return Promise.resolve([]);
    if (this.socket.destroyed)
      return Promise.reject(this.socket.errored ?? this.#signal?.reason ?? connectionReset());
    return new Promise<ResponseBody>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
  }

  /** The streamed body's end: `[]` after 'finish', the failure otherwise (ERR-03, ENV-24); once. */
  #end(err?: unknown): void {
    const settle = this.#settle;
    this.#settle = null;
    if (settle === null) return;
    if (err === undefined) settle.resolve([]);
    else settle.reject(err);
  }

  /** The engine is done with the body: what is still written is dropped. */
  #release(): void {
    this.socket.discard();
  }

  /** 'finish': node handed over the last chunk. Then node's server's `resOnFinish`. */
  #finish(): void {
    this.#done = true;
    this.#end();
    // An unread request body is not wanted (IN-06); node's server dumps it the same way.
    if (unconsumed(this.req)) dumpBody(this.req, this.#input);
    process.nextTick(() => {
      const res = this.res as unknown as { _closed: boolean; destroyed: boolean };
      this.res.detachSocket(this.socket as never);
      if (!res._closed) {
        res.destroyed = true;
        res._closed = true;
        this.res.emit('close');
      }
      this.#cleanup();
    });
  }

  #fail(err: unknown): void {
    if (this.#failed !== null) return;
    this.#failed = { err };
    if (this.#head === null) this.#notify();
    this.#abort(err instanceof Error ? err : new Error(String(err)));
  }

  readonly #onAbort = (): void => this.#abort();

  /** ENV-24: the client went away, or the response was cut short. */
  #abort(err?: Error): void {
    if (this.#done) return; // 'finish' came first: node's 'close' follows it as usual
    if (!this.req.complete && !this.req.destroyed) this.req.destroy(connectionReset());
    if (!this.socket.destroyed) this.socket.destroy(err);
    this.#end(err ?? this.#signal?.reason ?? connectionReset());
    this.#cleanup();
  }

  /**
   * ENV-24: follow `tsgi.signal` only once the exchange outlives the handler's first turn. A
   * response written at once (most) never touches it, and servers create it lazily.
   */
  #watch(): void {
    if (this.#signal !== null || this.#done) return;
    const signal = this.#environ['tsgi.signal'];
    this.#signal = signal;
    if (signal.aborted) queueMicrotask(this.#onAbort);
    else signal.addEventListener('abort', this.#onAbort);
  }

  #cleanup(): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}

const _EMPTY = new Uint8Array(0);

function _noop(): void {}
