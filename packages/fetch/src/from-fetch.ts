/**
 * `fromFetch`: runs a fetch handler (`(request) => Response`, the Hono/itty/h3/Workers shape) as a
 * TSGI application. environ becomes a `Request`; the `Response` becomes a status line, header
 * tuples and an async-iterable body that the core engine drives.
 */
import { type Application, type Environ, HOP_BY_HOP_HEADERS, type Status, utf8 } from '@tsgi/core';
import { Context, type FetchContext } from './context.js';
import { reasonPhrase } from './reasons.js';
import { hasBody, inputStream, requestHeaders, requestUrl } from './request.js';
import { takenOver } from './websocket-response.js';

/** A fetch handler: what `app.fetch` is in Hono, itty-router, h3 and Workers-style modules. */
export type FetchHandler = (
  request: Request,
  context: FetchContext,
) => Response | PromiseLike<Response>;

/** Options for `fromFetch`. */
export interface FromFetchOptions {
  /**
   * Leave SCRIPT_NAME out of `request.url`, so a handler mounted below `/` (by `mount`, a CGI
   * script path or a FastCGI location) routes on PATH_INFO as TSGI-native apps do. Default false:
   * `request.url` is the URL the client asked for, and the handler sees its mount point (Hono's
   * `basePath`; `context.environ.SCRIPT_NAME` says where it is).
   */
  stripScriptName?: boolean;
}

// Methods `new Request` refuses (Fetch §forbidden method).
const _FORBIDDEN = new Set(['CONNECT', 'TRACE', 'TRACK']);
const _NOT_IMPLEMENTED = '501 Not Implemented';
// SR-02's reason phrase; anything else (`''`, edge whitespace) is replaced from the table.
const _REASON = /^[!-~\x80-\xff](?:[ \t!-~\x80-\xff]*[!-~\x80-\xff])?$/;
const _PENDING = Symbol('pending');
type _ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<unknown>['read']>>;
// Response-body peeking (see _respond): how many microtask turns a "ready" chunk may take (undici
// string and byte bodies need 2), and how much is gathered before streaming anyway.
const _TICKS = 8;
const _PEEK_CHUNKS = 16;
const _PEEK_BYTES = 1 << 20;

function _noop(): void {}
function _id<T>(v: T): T {
  return v;
}

/** `p`'s result if it settles within a few microtask turns (no timer), else `_PENDING`. */
function _soon<T>(p: Promise<T>): Promise<T | typeof _PENDING> {
  let t: Promise<typeof _PENDING> = Promise.resolve(_PENDING);
  for (let i = 0; i < _TICKS; i++) t = t.then(_id);
  return Promise.race([p, t]);
}

/** A body chunk as `Uint8Array` (APP-04); streams from ponyfills may yield other views or text. */
function _chunk(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (ArrayBuffer.isView(value))
    return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (typeof value === 'string') return utf8(value);
  throw new TypeError(`@tsgi/fetch: response body chunk is ${typeof value}, not bytes`);
}

/**
 * Wraps a fetch handler as a TSGI application. The handler's errors propagate, so the server
 * answers 500 (ERR-02) or truncates a response already started (ERR-03).
 */
export function fromFetch(handler: FetchHandler, options: FromFetchOptions = {}): Application {
  const strip = options.stripScriptName === true;
  return async (environ, startResponse) => {
    if (_FORBIDDEN.has(environ.REQUEST_METHOD.toUpperCase())) {
      startResponse(_NOT_IMPLEMENTED, [['content-length', '0']]);
      return [];
    }
    const request = await _request(environ, strip);
    const context = new Context(environ, request);
    try {
      const response = await handler(request, context);
      // WS-06, WS-15: the handler accepted a WebSocket; the call lasts as long as the session.
      const session = takenOver(response);
      if (session !== undefined) {
        await session;
        return _arrayBody([], context);
      }
      return await _respond(response, startResponse, context, environ.REQUEST_METHOD === 'HEAD');
    } catch (err) {
      context.settle();
      throw err;
    }
  };
}

async function _request(environ: Environ, strip: boolean): Promise<Request> {
  const input = environ['tsgi.input'];
  let body: ReadableStream<Uint8Array> | null = null;
  const known = hasBody(environ);
  if (known === true) body = inputStream(input);
  else if (known === undefined) {
    // No length and no Transfer-Encoding: only a read can tell. `tsgi.input` is terminated
    // (ENV-23), so a bodiless request answers at once.
    const first = await input.read();
    if (first.length > 0) body = inputStream(input, first);
  }
  const init: RequestInit & { duplex?: 'half' } = {
    method: environ.REQUEST_METHOD,
    headers: requestHeaders(environ),
    signal: environ['tsgi.signal'], // ENV-24: a disconnect aborts request.signal
  };
  if (body !== null) {
    init.body = body;
    init.duplex = 'half'; // a streamed request body (Fetch requires it for a ReadableStream)
  }
  try {
    return new Request(requestUrl(environ, strip), init);
  } catch (err) {
    // A Host field that looks safe can still fail the URL parser ("999.1.1.1"): use SERVER_NAME.
    if (environ.HTTP_HOST === undefined) throw err;
    return new Request(requestUrl(environ, strip, false), init);
  }
}

type _StartResponse = Parameters<Application>[1];

async function _respond(
  response: Response,
  startResponse: _StartResponse,
  context: Context,
  isHead: boolean,
): Promise<Iterable<Uint8Array> | AsyncIterable<Uint8Array>> {
  if (
    response === null ||
    typeof response !== 'object' ||
    typeof response.status !== 'number' ||
    response.type === 'error'
  ) {
    // Response.error() is a network error: there is no HTTP response to send.
    const got =
      response === null
        ? 'null'
        : typeof response !== 'object'
          ? typeof response
          : response.type === 'error'
            ? 'Response.error()'
            : 'an object without a numeric status';
    throw new TypeError(`@tsgi/fetch: the handler returned ${got}, not a Response`);
  }
  const code = response.status;
  const text = response.statusText;
  const status = `${code} ${typeof text === 'string' && _REASON.test(text) ? text : reasonPhrase(code)}`;
  const headers: Array<[string, string]> = [];
  const h = response.headers;
  const cookies = typeof h.getSetCookie === 'function';
  h.forEach((value, name) => {
    // SR-06: the engine refuses hop-by-hop fields (Hono's streamSSE sets Transfer-Encoding and
    // Connection); they are the server's to send.
    if (HOP_BY_HOP_HEADERS.has(name) || (cookies && name === 'set-cookie')) return;
    headers.push([name, value]);
  });
  // SR-03: each Set-Cookie stays its own tuple (joining them with ", " breaks Expires dates).
  if (cookies) for (const c of h.getSetCookie()) headers.push(['set-cookie', c]);
  const body = response.body;
  try {
    startResponse(status as Status, headers);
  } catch (err) {
    body?.cancel(err).catch(_noop);
    throw err;
  }
  if (body === null) {
    // A fetch HEAD response has no body by definition, which says nothing about the GET body's
    // length: hand the engine a non-Array so it cannot infer "length 0" from it (APP-08).
    return isHead ? _emptyBody(context) : _arrayBody([], context);
  }
  // Peek: when the whole body is already there (a string, JSON or bytes body), hand the engine an
  // Array so it knows the length and the server can send content-length (APP-08, BODY-10) rather
  // than chunked framing. A body whose next chunk is not ready within a few microtask turns is
  // streamed as is, so nothing waits for a slow producer (BODY-02).
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let next: Promise<_ReadResult> | undefined = reader.read();
  try {
    while (chunks.length < _PEEK_CHUNKS && bytes < _PEEK_BYTES) {
      const r = await _soon(next);
      if (r === _PENDING) break;
      next = undefined;
      if (r.done) return _arrayBody(chunks, context);
      const c = _chunk(r.value);
      chunks.push(c);
      bytes += c.length;
      next = reader.read();
    }
  } catch (err) {
    reader.cancel(err).then(_noop, _noop); // a bad chunk: stop the producer too
    throw err;
  }
  return new StreamBody(reader, chunks, next, context);
}

function _emptyBody(context: Context): Iterable<Uint8Array> & { close(): void } {
  return { [Symbol.iterator]: () => [][Symbol.iterator](), close: () => context.settle() };
}

function _arrayBody(chunks: Uint8Array[], context: Context): Uint8Array[] {
  // BODY-06: the engine calls close() on a released body, Arrays included: that is `completed`.
  return Object.assign(chunks, { close: () => context.settle() });
}

/**
 * A `Response` body as an async iterator. `return()` (the engine's BODY-05 release when the client
 * left or the body was cut short) cancels the stream, so the handler's producer stops; so does
 * `close()`, the completion hook, which is all a HEAD, 204 or 304 response gets (BODY-18: the
 * engine then obtains no iterator). On a stream that already ended both change nothing.
 */
export class StreamBody implements AsyncIterableIterator<Uint8Array> {
  readonly #reader: ReadableStreamDefaultReader<unknown>;
  readonly #buffered: Uint8Array[];
  #next: Promise<_ReadResult> | undefined;
  readonly #context: Context;

  constructor(
    reader: ReadableStreamDefaultReader<unknown>,
    buffered: Uint8Array[],
    next: Promise<_ReadResult> | undefined,
    context: Context,
  ) {
    this.#reader = reader;
    this.#buffered = buffered;
    this.#next = next;
    this.#context = context;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const b = this.#buffered.shift();
    if (b !== undefined) return { value: b, done: false };
    const p = this.#next ?? this.#reader.read();
    this.#next = undefined;
    let r: _ReadResult;
    try {
      r = await p;
    } catch (err) {
      this.#context.settle(); // BODY-04: a failed next() finishes the iterator
      throw err;
    }
    if (r.done) {
      this.#context.settle();
      return { value: undefined, done: true };
    }
    return { value: _chunk(r.value), done: false };
  }

  return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.#buffered.length = 0;
    this.#next?.then(_noop, _noop);
    this.#next = undefined;
    this.#reader.cancel().then(_noop, _noop);
    this.#context.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  close(): void {
    void this.return();
  }
}
