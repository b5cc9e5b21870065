/**
 * The response engine: runs one request of an application against a transport's `ResponseSink`
 * (spec sections 05 startResponse, 06 write, 07 response body, 09 errors). Every adapter uses
 * this; an adapter only builds environ and supplies the sink.
 */
import { ClientDisconnectError, ContractError, InputTooLargeError } from './errors.js';
import { statusCode, validateHeaders, validateStatus } from './headers.js';
import type {
  Application,
  Environ,
  ResponseBody,
  ResponseHeaders,
  ResponseSink,
  StartResponse,
  Status,
  Write,
} from './types.js';

/** Options for `runApplication`. */
export interface RunOptions {
  /** Put the error's stack in the 500 body. For development only; default false (ERR-02). */
  exposeErrors?: boolean;
}

const _RESOLVED = Promise.resolve();
const _ABORTED = Symbol('aborted');
const _ERROR_BODY = new TextEncoder().encode('Internal Server Error\n');
const _ERROR_STATUS: Status = '500 Internal Server Error';
const _TOO_LARGE_BODY = new TextEncoder().encode('Content Too Large\n');
const _NO_HEADERS: ResponseHeaders = Object.freeze([]);

function _noop(): void {}

function _isThenable(v: unknown): v is PromiseLike<unknown> {
  return (
    v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function'
  );
}

function _describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Uint8Array) return 'a bare Uint8Array';
  return typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
}

/**
 * Runs `app` for one request. Resolves when the response has ended or been aborted and the body
 * has been released; never rejects (errors go to `tsgi.errors` and the sink).
 */
export function runApplication(
  app: Application,
  environ: Environ,
  sink: ResponseSink,
  options?: RunOptions,
): Promise<void> {
  const exchange = new _Exchange(environ, sink, options?.exposeErrors === true);
  try {
    const pending = exchange.run(app);
    return pending === undefined ? _RESOLVED : pending;
  } catch (err) {
    return Promise.reject(err); // only a throwing sink gets here; adapters expect a promise
  }
}

class _Exchange {
  readonly environ: Environ;
  readonly sink: ResponseSink;
  readonly expose: boolean;
  readonly isHead: boolean;
  status: Status | undefined = undefined;
  headers: ResponseHeaders = _NO_HEADERS;
  contentLength = -1;
  calls = 0;
  headersSent = false;
  bodyAllowed = true;
  sent = 0;
  stop = false;
  finished = false;
  usedWrite = false;
  iterating = false;
  bodiless = false;
  arrayLength = -1;
  /** The next Array chunk to send. */
  index = 0;
  /** The body's iterator, and whether it has not finished: return() is owed (BODY-05). */
  iter: Iterator<Uint8Array> | AsyncIterator<Uint8Array> | undefined = undefined;
  open = false;
  abortPromise: Promise<typeof _ABORTED> | undefined = undefined;

  constructor(environ: Environ, sink: ResponseSink, expose: boolean) {
    this.environ = environ;
    this.sink = sink;
    this.expose = expose;
    this.isHead = environ.REQUEST_METHOD === 'HEAD';
  }

  // SR-01..SR-10. Validation happens here so a bad header throws in the app's own stack (SR-07).
  startResponse: StartResponse = (status, headers, excInfo) => {
    if (this.finished)
      throw new ContractError('SR-14', 'startResponse called after the request completed');
    if (excInfo !== undefined) {
      // SR-10: too late to replace the response; PEP 3333 re-raises the original error.
      if (this.headersSent) throw excInfo;
    } else if (this.calls > 0) {
      throw new ContractError('SR-09', 'startResponse called a second time without excInfo');
    }
    this.calls++;
    validateStatus(status);
    const length = validateHeaders(headers, statusCode(status)); // SR-06: upgrade on 426 only
    this.status = status;
    this.headers = _copyHeaders(headers); // SR-13: later changes by the app are not sent.
    this.contentLength = length;
    // BODY-18: for HEAD, 204 and 304 no chunk is requested once the status is known.
    const code = statusCode(status);
    this.bodiless = this.isHead || code === 204 || code === 304;
    return this.write;
  };

  // WR-01..WR-03: the promise is the backpressure signal.
  write: Write = (chunk) => {
    if (this.finished) {
      return Promise.reject(
        this.aborted
          ? new ClientDisconnectError()
          : new ContractError('WR-02', 'write() called after the response completed'),
      );
    }
    if (this.iterating) {
      return Promise.reject(
        new ContractError('WR-02', 'write() called after body iteration began'),
      );
    }
    if (!(chunk instanceof Uint8Array)) {
      return Promise.reject(
        new ContractError('APP-04', `write() chunk must be a Uint8Array, got ${_describe(chunk)}`),
      );
    }
    this.usedWrite = true;
    const r = this.send(chunk);
    return r === undefined ? _RESOLVED : Promise.resolve(r);
  };

  /** Sends one chunk, honouring deferred headers and content-length. */
  send(chunk: Uint8Array): void | Promise<void> {
    if (chunk.length === 0) return; // APP-07: an empty chunk sends nothing and ends nothing.
    if (!this.headersSent) {
      if (this.status === undefined)
        throw new ContractError('APP-05', 'body produced bytes before startResponse');
      this.sendHead(
        this.usedWrite ? undefined : this.arrayLength >= 0 ? this.arrayLength : undefined,
      );
    }
    if (!this.bodyAllowed) {
      // BODY-12, BODY-13: headers are out; stop iterating and release at once.
      this.stop = true;
      return;
    }
    if (this.contentLength >= 0) {
      const room = this.contentLength - this.sent;
      if (chunk.length >= room) {
        // BODY-08: never send past the declared length; stop the body there.
        this.stop = true;
        if (chunk.length > room) {
          this.log(`BODY-08: body exceeds content-length ${this.contentLength}; truncated`);
          if (room === 0) return;
          chunk = chunk.subarray(0, room);
        }
      }
    }
    this.sent += chunk.length;
    return this.sink.write(chunk);
  }

  sendHead(knownLength: number | undefined): void {
    this.headersSent = true;
    const code = statusCode(this.status!);
    this.bodyAllowed = !(this.isHead || code === 204 || code === 304);
    this.sink.head(this.status!, this.headers, knownLength);
  }

  /** The client is gone (ENV-24), read without creating a lazy signal when the sink knows. */
  get aborted(): boolean {
    const known = this.sink.aborted;
    return known !== undefined ? known : this.environ['tsgi.signal'].aborted;
  }

  log(message: string): void {
    this.environ['tsgi.errors'].write(`${message}\n`);
  }

  /**
   * Runs the application. Returns `undefined` when the whole response was produced and handed
   * to the sink synchronously (an Array body without backpressure: most small responses), a
   * promise otherwise. The synchronous path saves the promises and microtask turns of an
   * async function per request (bench/node-overhead.mjs: about 0.2 µs of a hello world's).
   */
  run(app: Application): void | Promise<void> {
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = app(this.environ, this.startResponse);
    } catch (err) {
      return this.complete(undefined, err);
    }
    if (_isThenable(result)) return this.awaitBody(result);
    return this.iterate(result);
  }

  async awaitBody(result: PromiseLike<ResponseBody>): Promise<void> {
    let body: ResponseBody;
    try {
      body = await result;
    } catch (err) {
      return this.complete(undefined, err);
    }
    return this.iterate(body);
  }

  iterate(body: ResponseBody): void | Promise<void> {
    if (Array.isArray(body)) {
      // APP-08: an Array is finite, so its length can frame the response.
      this.iterating = true;
      let total = 0;
      for (const c of body) total = c instanceof Uint8Array && total >= 0 ? total + c.length : -1;
      this.arrayLength = total;
      return this.drive(body, this.pumpArray);
    }
    if (
      body === null ||
      typeof body !== 'object' ||
      body instanceof Uint8Array ||
      (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function' &&
        typeof (body as Iterable<Uint8Array>)[Symbol.iterator] !== 'function')
    ) {
      return this.complete(
        undefined,
        new ContractError(
          'APP-03',
          `application returned ${_describe(body)}, not an iterable of Uint8Array`,
        ),
      );
    }
    this.iterating = true;
    if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
      return this.iterateAsync(body as AsyncIterable<Uint8Array>);
    }
    return this.drive(body as Iterable<Uint8Array>, this.pumpSync);
  }

  /**
   * Runs `pump` over a synchronous body. It returns at once when the body is done and no write
   * had to wait, which is the usual small response; only a sink that asks to wait (backpressure)
   * makes the rest asynchronous (see `resume`).
   */
  drive<B extends object>(body: B, pump: (this: _Exchange, body: B) => Promise<void> | null) {
    let pending: Promise<void> | null;
    try {
      pending = pump.call(this, body);
    } catch (err) {
      return this.complete(body, err);
    }
    return pending === null ? this.complete(body, undefined) : this.resume(body, pending, pump);
  }

  async resume<B extends object>(
    body: B,
    pending: Promise<void>,
    pump: (this: _Exchange, body: B) => Promise<void> | null,
  ): Promise<void> {
    let error: unknown;
    try {
      for (let p: Promise<void> | null = pending; p !== null; p = pump.call(this, body)) await p;
    } catch (err) {
      error = err;
    }
    return this.complete(body, error);
  }

  /** Sends an Array body's chunks from `index`; the sink's promise when it asks to wait. */
  pumpArray(body: readonly unknown[]): Promise<void> | null {
    while (this.index < body.length && !this.stop && !this.aborted && !this.bodiless) {
      const r = this.send(this.checkChunk(body[this.index++]));
      if (r !== undefined) return r;
    }
    return null;
  }

  /** Sends a synchronous iterable's chunks; the sink's promise when it asks to wait. */
  pumpSync(body: Iterable<Uint8Array>): Promise<void> | null {
    let it = this.iter as Iterator<Uint8Array> | undefined;
    if (it === undefined) {
      it = body[Symbol.iterator]();
      this.iter = it;
      this.open = true;
    }
    while (!this.stop && !this.aborted && !this.bodiless) {
      this.open = false; // BODY-04: if next() throws, the iterator is finished and owes no return().
      const res = it.next();
      this.open = true;
      if (res.done) {
        this.open = false;
        return null;
      }
      const r = this.send(this.checkChunk(res.value));
      if (r !== undefined) return r;
    }
    return null;
  }

  async iterateAsync(body: AsyncIterable<Uint8Array>): Promise<void> {
    let error: unknown;
    try {
      const it = body[Symbol.asyncIterator]();
      this.iter = it;
      this.open = true;
      while (!this.stop && !this.aborted && !this.bodiless) {
        const p = it.next();
        this.open = false; // BODY-04: if next() rejects, the iterator is finished and owes no return().
        // BODY-05: an idle body is released on disconnect without waiting for its next chunk.
        const res = await Promise.race([
          p,
          this.abortPromise ?? this.watchAbort(this.environ['tsgi.signal']),
        ]);
        this.open = true;
        if (res === _ABORTED) {
          p.then(_noop, _noop);
          break;
        }
        if (res.done) {
          this.open = false;
          break;
        }
        const r = this.send(this.checkChunk(res.value));
        if (r !== undefined) await r;
      }
    } catch (err) {
      error = err;
    }
    return this.complete(body, error);
  }

  /** Releases the body (BODY-05..07), then ends or aborts the response. */
  complete(body: object | undefined, error: unknown): void | Promise<void> {
    this.release(body, this.open ? this.iter : undefined);
    return this.finish(error);
  }

  checkChunk(chunk: unknown): Uint8Array {
    if (chunk instanceof Uint8Array) return chunk;
    throw new ContractError('APP-04', `body chunk must be a Uint8Array, got ${_describe(chunk)}`);
  }

  watchAbort(signal: AbortSignal): Promise<typeof _ABORTED> {
    this.abortPromise = new Promise((resolve) => {
      if (signal.aborted) resolve(_ABORTED);
      else signal.addEventListener('abort', () => resolve(_ABORTED), { once: true });
    });
    return this.abortPromise;
  }

  /** BODY-05/06/07: return() on an unfinished iterator, then exactly one completion hook. */
  release(
    body: object | undefined,
    openIter: Iterator<Uint8Array> | AsyncIterator<Uint8Array> | undefined,
  ): void {
    if (openIter !== undefined && typeof openIter.return === 'function') {
      this.settle('return()', () => openIter.return!());
    }
    if (body === undefined) return;
    const b = body as Partial<AsyncDisposable & Disposable & { close(): unknown }>;
    if (typeof b[Symbol.asyncDispose] === 'function')
      this.settle('[Symbol.asyncDispose]()', () => b[Symbol.asyncDispose]!());
    else if (typeof b[Symbol.dispose] === 'function')
      this.settle('[Symbol.dispose]()', () => b[Symbol.dispose]!());
    else if (typeof b.close === 'function') this.settle('close()', () => b.close!());
  }

  /** Calls a release hook; its failure is logged, never raised (BODY-07). Not awaited: it may hang. */
  settle(what: string, call: () => unknown): void {
    const onError = (err: unknown): void => this.log(`BODY-07: body ${what} threw: ${_stack(err)}`);
    try {
      const r = call();
      if (_isThenable(r)) r.then(_noop, onError);
    } catch (err) {
      onError(err);
    }
  }

  finish(error: unknown): void | Promise<void> {
    this.finished = true;
    const aborted = this.aborted;
    if (aborted) {
      // ERR-04: a client that left is expected; no 500, no error log.
      this.sink.abort(error ?? new ClientDisconnectError());
      return;
    }
    if (error === undefined && this.status === undefined) {
      error = new ContractError('APP-06', 'the body ended without startResponse being called');
    }
    if (error !== undefined) {
      this.log(`ERR-01: application error: ${_stack(error)}`);
      if (this.headersSent) {
        this.sink.abort(error); // ERR-03: the client must see a truncated response.
        return;
      }
      const tooLarge = error instanceof InputTooLargeError; // IN-08: the client's fault, not a 500
      const body = tooLarge
        ? _TOO_LARGE_BODY
        : this.expose
          ? new TextEncoder().encode(`${_stack(error)}\n`)
          : _ERROR_BODY;
      this.status = tooLarge ? '413 Content Too Large' : _ERROR_STATUS;
      this.headers = [
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', String(body.length)],
      ];
      this.contentLength = body.length;
      this.sendHead(body.length); // ERR-02
      const written = this.bodyAllowed ? this.sink.write(body) : undefined;
      return written === undefined ? this.sink.end() : written.then(() => this.sink.end());
    }
    if (!this.headersSent) {
      // BODY-10, BODY-12: the length is known only when the whole body was produced; a HEAD that
      // stopped early knows it only from an Array body (APP-08).
      this.sendHead(
        this.bodiless
          ? this.arrayLength >= 0 && this.isHead
            ? this.arrayLength
            : undefined
          : this.sent,
      );
    }
    if (this.bodyAllowed && this.contentLength >= 0 && this.sent < this.contentLength) {
      // BODY-09: fewer bytes than declared; the client must not take this as complete.
      this.log(
        `BODY-09: body ended after ${this.sent} of ${this.contentLength} declared bytes; aborting`,
      );
      this.sink.abort(new ContractError('BODY-09', 'content-length underrun'));
      return;
    }
    return this.sink.end();
  }
}

function _copyHeaders(headers: ResponseHeaders): ResponseHeaders {
  const copy = new Array<readonly [string, string]>(headers.length);
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    copy[i] = [h[0], h[1]];
  }
  return copy;
}

function _stack(err: unknown): string {
  return err instanceof Error ? (err.stack ?? String(err)) : String(err);
}
