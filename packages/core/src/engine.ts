/**
 * The response engine: runs one request of an application against a transport's `ResponseSink`
 * (spec sections 05 startResponse, 06 write, 07 response body, 09 errors). Every adapter uses
 * this; an adapter only builds environ and supplies the sink. The per-request state
 * (`ResponseRun`) and the application's side are here; pulling chunks is in pump.ts, the
 * response side (head, framing, end, error responses) in response.ts, releasing the body in
 * release.ts, as functions of the one `ResponseRun`: a subclass would put its fields out of
 * object (about 30 ns per request on a hello world).
 */
import { describeValue, isChunk } from './chunk.js';
import { ClientDisconnectError, ContractError } from './errors.js';
import { copyHeaders, statusCode, validateHeaders, validateStatus } from './headers.js';
import { RequestInput } from './input.js';
import { drive, iterateAsync, passInput, pumpArray, pumpInput, pumpSync } from './pump.js';
import { callCompletionHook, isThenable, returnIterator, stackOf } from './release.js';
import { finish, send, tooLate } from './response.js';
import type {
  Application,
  Environ,
  ResponseBody,
  ResponseHeader,
  ResponseSink,
  StartResponse,
  Status,
  Write,
} from './types.js';
import { hasNoBody } from './wire-head.js';

/** Options for `runApplication`. */
export interface RunOptions {
  /** Put the error's stack in the 500 body. For development only; default false (ERR-02). */
  exposeErrors?: boolean;
}

const _RESOLVED = Promise.resolve();
const _NO_HEADERS = Object.freeze([]) as unknown as ResponseHeader[];

/**
 * Runs `app` for one request. Resolves when the request is complete (BODY-16): the response has
 * ended or been aborted, the transport is done with the body's bytes (BODY-19), and the body's
 * completion hook has run (and its promise settled). Never rejects: errors go to `tsgi.errors`
 * and the sink.
 */
export function runApplication(
  app: Application,
  environ: Environ,
  sink: ResponseSink,
  options?: RunOptions,
): Promise<void> {
  const response = new ResponseRun(environ, sink, options?.exposeErrors === true);
  try {
    const pending = response.run(app);
    return pending === undefined ? _RESOLVED : pending;
  } catch (err) {
    return Promise.reject(err); // only a throwing sink gets here; adapters expect a promise
  }
}

/**
 * True when `run`, a promise `runApplication` returned, was already settled when returned: the
 * request completed synchronously, completion hook included, so there is nothing to wait for
 * (SRV-09, BODY-24). Lets an adapter track only the requests still in flight without a `then`
 * per request.
 */
export function completedSynchronously(run: Promise<void>): boolean {
  return run === _RESOLVED;
}

/** One request's run of the engine: startResponse, write, and the state pump.ts and response.ts use. */
export class ResponseRun {
  readonly environ: Environ;
  readonly sink: ResponseSink;
  readonly expose: boolean;
  readonly isHead: boolean;
  /** The `tsgi.input` the server put in environ, before the application could replace it. */
  readonly input: unknown;
  status: Status | undefined = undefined;
  /** `status`'s numeric code, computed once in startResponse (0 before). */
  code = 0;
  /** The engine's own copy (SR-13): a content-length it adds goes here. */
  headers: ResponseHeader[] = _NO_HEADERS;
  contentLength = -1;
  calls = 0;
  headersSent = false;
  bodyAllowed = true;
  sent = 0;
  /** No more chunks are wanted: content-length reached, or a bodiless response's head is out. */
  stop = false;
  /** The response has been ended or aborted: SR-14, WR-02 from now on. */
  finished = false;
  usedWrite = false;
  iterating = false;
  /** HEAD, 204, 205, 304 as of the last startResponse: no chunk is needed (BODY-18). */
  bodiless = false;
  /** An Array body's total length, or -1 (APP-08). */
  arrayLength = -1;
  /** The next Array chunk to send. */
  index = 0;
  /** The body's iterator, and whether it has not finished: return() is owed (BODY-05). */
  iter: Iterator<Uint8Array> | AsyncIterator<Uint8Array> | undefined = undefined;
  open = false;
  /** A write() is sending: an overrun is reported to it, not logged by send() (BODY-08). */
  writing = false;
  overrun = false;
  /** Contract errors raised to the application and logged (ERR-08). */
  raised: unknown[] | undefined = undefined;

  constructor(environ: Environ, sink: ResponseSink, expose: boolean) {
    this.environ = environ;
    this.sink = sink;
    this.expose = expose;
    this.isHead = environ.REQUEST_METHOD === 'HEAD';
    this.input = environ['tsgi.input'];
  }

  // SR-01..SR-10. Validation happens here so a bad header throws in the app's own stack (SR-07).
  startResponse: StartResponse = (status, headers, excInfo) => {
    if (this.finished || this.sink.upgraded === true) throw this.raise(tooLate(this.finished));
    if (excInfo !== undefined) {
      // SR-10: too late to replace the response; PEP 3333 re-raises the original error.
      if (this.headersSent) throw excInfo;
    } else if (this.calls > 0) {
      throw this.raise(
        new ContractError('SR-09', 'startResponse called a second time without excInfo'),
      );
    }
    this.calls++;
    let code: number;
    let length: number;
    try {
      validateStatus(status);
      code = statusCode(status);
      length = validateHeaders(headers, code); // SR-06: upgrade on 426 only
    } catch (err) {
      throw this.raise(err);
    }
    this.status = status;
    this.code = code;
    this.headers = copyHeaders(headers); // SR-13: later changes by the app are not sent.
    this.contentLength = length;
    // BODY-18: for HEAD, 204, 205 and 304 no chunk is requested once the status is known.
    this.bodiless = this.isHead || hasNoBody(code);
    return this.write;
  };

  // WR-01..WR-03: the promise is the backpressure signal. Never throws (ERRS-01 style): every
  // refusal is a rejected promise.
  write: Write = (chunk) => {
    if (this.finished) {
      if (this.aborted) return Promise.reject(new ClientDisconnectError());
      return this.refuse('WR-02', 'write() called after the response ended');
    }
    if (this.iterating) return this.refuse('WR-02', 'write() called after body iteration began');
    if (!isChunk(chunk))
      return this.refuse(
        'APP-04',
        `write() chunk must be a Uint8Array, got ${describeValue(chunk)}`,
      );
    this.usedWrite = true;
    this.overrun = false;
    this.writing = true;
    let r: void | Promise<void>;
    try {
      r = send(this, chunk);
    } catch (err) {
      return Promise.reject(err);
    } finally {
      this.writing = false;
    }
    if (this.overrun) {
      // BODY-08: the bytes up to content-length were sent; the caller learns the rest were not.
      const err = this.raise(
        new ContractError(
          'BODY-08',
          `write() went past content-length ${this.contentLength}; the bytes after it were not sent`,
        ),
      );
      return r === undefined ? Promise.reject(err) : r.then(() => Promise.reject(err));
    }
    return r === undefined ? _RESOLVED : Promise.resolve(r);
  };

  refuse(requirement: string, message: string): Promise<never> {
    return Promise.reject(this.raise(new ContractError(requirement, message)));
  }

  /** ERR-08: a contract error raised to the application is logged now, caught or not. */
  raise<E>(err: E): E {
    if (err instanceof ContractError) {
      if (this.raised === undefined) this.raised = [err];
      else this.raised.push(err);
      this.log(`ERR-08: contract error raised to the application: ${stackOf(err)}`);
    }
    return err;
  }

  /** The client is gone (ENV-24), read without creating a lazy signal when the sink knows. */
  get aborted(): boolean {
    const known = this.sink.aborted;
    return known !== undefined ? known : this.environ['tsgi.signal'].aborted;
  }

  /**
   * A line of the server's own to `tsgi.errors`, naming the request (issue 23: a bare
   * `ERR-01: application error` left an operator guessing which request failed).
   */
  log(message: string): void {
    const e = this.environ;
    const target = typeof e.REQUEST_URI === 'string' ? e.REQUEST_URI : e.SCRIPT_NAME + e.PATH_INFO;
    e['tsgi.errors'].write(`${e.REQUEST_METHOD} ${target}: ${message}\n`);
  }

  /**
   * Runs the application. Returns `undefined` when the whole response was produced and handed
   * to the sink synchronously (an Array body without backpressure nor hook: most small
   * responses), a promise otherwise. The synchronous path saves the promises and microtask turns
   * of an async function per request (bench/node-overhead.mjs: about 0.2 µs of a hello world's).
   */
  run(app: Application): void | Promise<void> {
    let result: ResponseBody | Promise<ResponseBody>;
    try {
      result = app(this.environ, this.startResponse);
    } catch (err) {
      return this.complete(undefined, err);
    }
    if (isThenable(result)) return this.awaitBody(result);
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
      // BODY-18: the status already says no content: nothing is taken from the body. WS-06: a
      // connection taken over sends no body either.
      if (this.bodiless || this.sink.upgraded === true) return this.complete(body, undefined);
      // APP-08: an Array is finite, so its length can frame the response.
      this.iterating = true;
      let total = 0;
      for (const c of body) total = total >= 0 && isChunk(c) ? total + c.length : -1;
      this.arrayLength = total;
      return drive(this, body, pumpArray);
    }
    if (
      body === null ||
      typeof body !== 'object' ||
      isChunk(body) ||
      (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] !== 'function' &&
        typeof (body as Iterable<Uint8Array>)[Symbol.iterator] !== 'function')
    ) {
      const message = `application returned ${describeValue(body)}, not an iterable of Uint8Array`;
      return this.complete(undefined, new ContractError('APP-03', message));
    }
    // BODY-18: no iterator is obtained at all (no [Symbol.iterator]() call, no return()).
    if (this.bodiless || this.sink.upgraded === true) return this.complete(body, undefined);
    this.iterating = true;
    // The server's own tsgi.input, returned as it is: see pumpInput and passInput.
    if (body === this.input && body instanceof RequestInput) {
      return this.sink.passThrough === true ? passInput(this, body) : pumpInput(this, body);
    }
    if (typeof (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator] === 'function') {
      return iterateAsync(this, body as AsyncIterable<Uint8Array>);
    }
    return drive(this, body as Iterable<Uint8Array>, pumpSync);
  }

  /**
   * BODY-16: iteration has stopped. `return()` if owed (BODY-05, never after next() threw,
   * BODY-04), then the response is ended or aborted, then, once the transport is done with the
   * chunks (a promise from `end()`, BODY-19), exactly one completion hook (BODY-06).
   */
  complete(body: object | undefined, error: unknown): void | Promise<void> {
    if (this.open) {
      this.open = false;
      returnIterator(this.iter!, this);
    }
    const ended = finish(this, error);
    if (body === undefined) return ended;
    if (ended === undefined) return callCompletionHook(body, this);
    const hook = (): void | Promise<void> => callCompletionHook(body, this);
    return ended.then(hook, hook);
  }

  checkChunk(chunk: unknown): Uint8Array {
    if (isChunk(chunk)) return chunk;
    throw new ContractError(
      'APP-04',
      `body chunk must be a Uint8Array, got ${describeValue(chunk)}`,
    );
  }
}
