/**
 * environ → node's own `IncomingMessage`: the request half of `fromNodeHandler`. The method,
 * URL, version and headers come from environ's CGI keys (so middleware that rewrote environ, such
 * as `mount`, is honoured); the body streams from `tsgi.input` with backpressure.
 */
import { IncomingMessage } from 'node:http';
import { type Environ, headerNameOf, type InputStream, RequestInput } from '@tsgi/core';
import { requestPath } from '@tsgi/fetch';
import type { BridgeSocket } from './_socket.js';

/**
 * `req.rawHeaders` from environ: Host first, then Content-Type and Content-Length (ENV-09,
 * ENV-10), then every `HTTP_*` key in environ's order. Node derives `req.headers` from it with
 * its own rules. `Transfer-Encoding` stays: body parsers read it to know a body is coming.
 */
export function rawHeaders(environ: Environ): string[] {
  const raw: string[] = [];
  const host = environ.HTTP_HOST;
  if (typeof host === 'string') raw.push('host', host);
  if (typeof environ.CONTENT_TYPE === 'string') raw.push('content-type', environ.CONTENT_TYPE);
  if (typeof environ.CONTENT_LENGTH === 'string' && environ.CONTENT_LENGTH !== '')
    raw.push('content-length', environ.CONTENT_LENGTH);
  for (const key in environ) {
    if (!key.startsWith('HTTP_') || key === 'HTTP_HOST') continue;
    const value = environ[key];
    if (typeof value === 'string') raw.push(headerNameOf(key), value);
  }
  return raw;
}

// IncomingMessage's private count of `rawHeaders` entries, which node's parser sets and its lazy
// `headers`/`headersDistinct` getters read: with it, node derives them with its own rules.
const _kHeadersCount = Object.getOwnPropertySymbols(new IncomingMessage(null as never)).find(
  (s) => s.description === 'kHeadersCount',
);

/** How `req.url` is built (the `scriptName` option of `fromNodeHandler`). */
export type ScriptNameMode = 'strip' | 'keep';

/** `req.url` and, when SCRIPT_NAME was stripped from it, Express's `originalUrl` and `baseUrl`. */
export interface RequestUrls {
  url: string;
  originalUrl?: string;
  baseUrl?: string;
}

/**
 * ENV-04/ENV-05: with `'strip'`, `req.url` is PATH_INFO plus the query, in the client's own
 * encoding when it still decodes to SCRIPT_NAME + PATH_INFO (ENV-07), and `req.originalUrl` and
 * `req.baseUrl` say where the app is mounted, which is exactly what Express gives a sub-app it
 * mounts with `app.use(prefix, subApp)`: routes, `req.baseUrl` and nested mounts then work below
 * any FastCGI location, CGI script path or `mount()`.
 */
export function requestUrls(environ: Environ, mode: ScriptNameMode): RequestUrls {
  const q = environ.QUERY_STRING;
  const query = q === '' ? '' : `?${q}`;
  if (environ.PATH_INFO === '*' && environ.SCRIPT_NAME === '') return { url: '*' }; // OPTIONS *
  const strip = mode === 'strip' && environ.SCRIPT_NAME !== '';
  const url = requestPath(environ, mode === 'strip') + query;
  if (!strip) return { url };
  return {
    url,
    originalUrl: requestPath(environ, false) + query,
    baseUrl: environ.SCRIPT_NAME,
  };
}

/** A `net.Socket`-style error, as node gives a request whose client went away. */
export function connectionReset(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

/**
 * Node's `IncomingMessage` with its reads served from `tsgi.input`: `_read` asks for one chunk,
 * and Readable's own high-water mark decides when to ask again (backpressure: an unread body is
 * not pulled). The first read is what sends `100 Continue` (IN-07), so an `Expect: 100-continue`
 * upload starts when the framework starts reading, as node's `checkContinue` does. `_read` is an
 * own property: frameworks swap the prototype of `req` (see `BridgeResponse`).
 */
export class BridgeRequest extends IncomingMessage {
  constructor(socket: BridgeSocket, environ: Environ, urls: RequestUrls) {
    // A node Socket type is expected; BridgeSocket has what frameworks read from one.
    super(socket as never);
    this.method = environ.REQUEST_METHOD;
    this.url = urls.url;
    Object.assign(this, {
      originalUrl: urls.originalUrl,
      baseUrl: urls.baseUrl,
      ..._EXPRESS_FIELDS,
    } satisfies Partial<_ExpressRequestFields>);
    const v = /^HTTP\/(\d)(?:\.(\d))?$/.exec(environ.SERVER_PROTOCOL);
    this.httpVersionMajor = v === null ? 1 : Number(v[1]);
    this.httpVersionMinor = v === null ? 1 : Number(v[2] ?? 0);
    this.httpVersion = `${this.httpVersionMajor}.${this.httpVersionMinor}`;
    const raw = rawHeaders(environ);
    this.rawHeaders = raw;
    if (_kHeadersCount !== undefined)
      (this as unknown as Record<symbol, number>)[_kHeadersCount] = raw.length;
    else this.headers = _headers(this, raw);
    if (_bodiless(environ)) {
      // As node's parser does for a request without a body: complete, its end already pushed
      // before the handler runs; tsgi.input is never read (so no 100 Continue either, IN-07).
      this.complete = true;
      this.push(null);
    } else this._read = _reader(this, environ['tsgi.input']);
  }
}

/**
 * The fields Express and its router add to every request right after
 * `Object.setPrototypeOf(req, app.request)`, declared beforehand with the value they have when
 * absent (`undefined`). V8 gives an object whose prototype was swapped a fresh hidden class for
 * every property added afterwards (no shared transition), about 2 to 5 µs each; declared before
 * the swap, Express's writes are plain field stores. Measured (`node bench/run.mjs --only
 * express`, hello world): the bridge went from 0.75× Express on node:http to 1.05–1.09×. `originalUrl`
 * and `baseUrl` are set (or declared) above. Only reflection (`Object.keys`, `in`) can tell.
 */
const _EXPRESS_FIELDS = {
  next: undefined,
  params: undefined,
  route: undefined,
  _parsedUrl: undefined,
} as const;

interface _ExpressRequestFields {
  originalUrl: string | undefined;
  baseUrl: string | undefined;
  next: undefined;
  params: undefined;
  route: undefined;
  _parsedUrl: undefined;
}

/** `req.headers` by node's own merge rules (`_addHeaderLine`), should the symbol be missing. */
function _headers(req: IncomingMessage, raw: string[]): IncomingMessage['headers'] {
  const dst = {};
  const add = (req as unknown as { _addHeaderLine(n: string, v: string, d: object): void })
    ._addHeaderLine;
  for (let i = 0; i + 1 < raw.length; i += 2)
    add.call(req, raw[i] as string, raw[i + 1] as string, dst);
  return dst;
}

/** No Content-Length (or 0) and no Transfer-Encoding: no body (RFC 9112 §6.3). */
function _bodiless(environ: Environ): boolean {
  const length = environ.CONTENT_LENGTH;
  return (
    (length === undefined || length === '' || length === '0') &&
    environ.HTTP_TRANSFER_ENCODING === undefined
  );
}

function _reader(req: IncomingMessage, input: InputStream): () => void {
  let reading = false;
  const onChunk = (chunk: Uint8Array): void => {
    reading = false;
    if (chunk.length === 0) {
      req.complete = true;
      req.push(null);
    } else {
      // IN-11: the chunk is ours to keep, as node's own request chunks are.
      req.push(chunk);
    }
  };
  const onError = (err: unknown): void => {
    reading = false;
    // IN-04/IN-15: truncated or disconnected: node's 'aborted' and ECONNRESET.
    req.destroy(Object.assign(connectionReset(), { cause: err }));
  };
  // Core's own input (every TSGI server's) hands a chunk over without a promise and two closures
  // per read, from within the transport's push, as node's parser pushes into its IncomingMessage.
  const direct = input instanceof RequestInput ? input : null;
  return () => {
    const self = req as unknown as _Internals;
    if (!self._consuming) {
      // As IncomingMessage._read: the stream is being consumed (no dump after the response).
      self._readableState.readingMore = false;
      self._consuming = true;
    }
    if (reading) return;
    reading = true;
    if (direct !== null) direct.readInto(onChunk, onError);
    else input.read().then(onChunk, onError);
  };
}

/** Whether the handler never started reading the body: node's server would then dump it. */
export function unconsumed(req: IncomingMessage): boolean {
  const self = req as unknown as _Internals;
  return !self._consuming && !self._readableState.resumeScheduled;
}

/** Tells the server the rest of the body is unwanted (IN-06), then ends the stream as node does. */
export function dumpBody(req: IncomingMessage, input: InputStream): void {
  input.cancel();
  (req as unknown as _Internals)._dump();
}

/** The IncomingMessage internals node's own server uses, and so does the bridge. */
interface _Internals {
  _consuming: boolean;
  _readableState: { readingMore: boolean; resumeScheduled: boolean };
  _dump(): void;
}
