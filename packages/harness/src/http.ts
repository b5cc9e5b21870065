/**
 * The test kit's raw HTTP/1.1 client, for every package's tests, stress and bench: exact bytes
 * out, every byte back, and whether the response was complete by its own framing (so a
 * truncated response is told apart from a whole one). Parsing is the conformance suite's own
 * `ResponseParser` (`@tsgi/conformance/client`: status line, header lines as received,
 * content-length, chunked and close-delimited bodies, 1xx interim responses); this module adds
 * one-shot exchanges on a connection the server closes, request building, and parsing of
 * pipelined responses. `Connection` is the suite's incremental client, re-exported.
 *
 * The suite is imported by path: `@tsgi/conformance` lists this package as a devDependency, so
 * a dependency back would be a cycle, and this package is private to the repository.
 */
import { connect, type Socket } from 'node:net';
import { noResponse, type RawResponse, ResponseParser } from '../../../conformance/dist/client.js';

export {
  Connection,
  type RawResponse,
  type ReadOptions,
  ResponseParser,
  TimeoutError,
} from '../../../conformance/dist/client.js';

/** A response read from bytes the server sent: the parser's view plus what the socket saw. */
export interface Exchanged extends RawResponse {
  body: Buffer;
  /** The bytes before the first CRLF CRLF as latin-1 (all of them without one). */
  head: string;
  /** Everything received. */
  raw: Buffer;
  /** Bytes after the end of the response (say, a body after a HEAD response's head). */
  after: Buffer;
  /** The connection ended by a reset or error rather than a clean FIN. */
  reset: boolean;
  /** The deadline passed before the connection closed. */
  timedOut: boolean;
}

/** How the bytes ended, for `parseResponse`. */
export interface ParseOptions {
  /** The request was HEAD: no body follows whatever the headers say. */
  head?: boolean | undefined;
  reset?: boolean | undefined;
  timedOut?: boolean | undefined;
}

const _HEAD_END = '\r\n\r\n';

function _buffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/**
 * Parses the one response on a connection that has closed. `status` is 0 when no whole status
 * line and header section arrived (or it was not HTTP); a close-delimited body is complete only
 * when the connection ended cleanly.
 */
export function parseResponse(bytes: Uint8Array, options: ParseOptions = {}): Exchanged {
  const raw = _buffer(bytes);
  const reset = options.reset === true;
  let res: RawResponse | undefined;
  let after: Buffer = Buffer.alloc(0);
  try {
    const parser = new ResponseParser({ head: options.head === true });
    if (parser.push(raw)) {
      res = parser.result();
      after = parser.rest;
    } else res = parser.finish();
  } catch {
    res = undefined; // not an HTTP response: the caller sees status 0
  }
  res ??= noResponse('');
  const end = raw.indexOf(_HEAD_END);
  return {
    ...res,
    body: _buffer(res.body),
    complete: res.complete && !(res.framing === 'close' && reset),
    head: (end < 0 ? raw : raw.subarray(0, end)).toString('latin1'),
    raw,
    after,
    reset,
    timedOut: options.timedOut === true,
  };
}

/**
 * Parses consecutive responses from the bytes received so far (pipelining). `methods` lists
 * the requests' methods in order (a HEAD response has no body). Interim 1xx responses come out
 * as entries of their own, before their final response; the last entry may be incomplete.
 */
export function parseResponses(bytes: Uint8Array, methods: readonly string[] = []): Exchanged[] {
  const out: Exchanged[] = [];
  let rest = _buffer(bytes);
  for (let i = 0; rest.length > 0; i++) {
    const parser = new ResponseParser({ head: methods[i] === 'HEAD' });
    const done = parser.push(rest);
    const res = done ? parser.result() : parser.finish();
    if (res === undefined) break;
    for (const { status, headers } of res.interim) out.push(_interim(res, status, headers));
    const after: Buffer = done ? parser.rest : Buffer.alloc(0);
    out.push({
      ...res,
      body: _buffer(res.body),
      head: '',
      raw: rest,
      after,
      reset: false,
      timedOut: false,
    });
    if (!done) break;
    rest = after;
  }
  return out;
}

/** An interim 1xx response as an entry of its own. */
function _interim(final: RawResponse, status: number, headers: Array<[string, string]>): Exchanged {
  const find = (n: string) => headers.filter(([k]) => k.toLowerCase() === n.toLowerCase());
  return {
    ...noResponse(''),
    version: final.version,
    status,
    headers,
    complete: true,
    header: (n) => find(n)[0]?.[1],
    headerAll: (n) => find(n).map(([, v]) => v),
    body: Buffer.alloc(0),
    head: '',
    raw: Buffer.alloc(0),
    after: Buffer.alloc(0),
    reset: false,
    timedOut: false,
  };
}

/** Where and how long, for `exchange` and `request`. */
export interface ExchangeOptions {
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** A unix socket instead of the port. */
  socketPath?: string | undefined;
  /** Give up (and destroy the socket) after this many ms. Default 10 000. */
  timeout?: number | undefined;
  /** Half-close after writing (default false: the request says `Connection: close`). */
  end?: boolean | undefined;
  /** The request is HEAD (set by `request`). */
  head?: boolean | undefined;
  /** Sees each chunk as it arrives (the first one says the server is answering). */
  onData?: ((chunk: Buffer) => void) | undefined;
}

/**
 * Sends `request` bytes (a string is a byte string: one octet per code unit) on a new
 * connection and collects everything until the server closes. Never rejects: a refused or
 * reset connection is `reset`, a deadline `timedOut`, both with what had arrived.
 */
export function exchange(
  port: number,
  request: string | Uint8Array,
  options: ExchangeOptions = {},
): Promise<Exchanged> {
  return new Promise((resolve) => {
    const s: Socket =
      options.socketPath !== undefined
        ? connect({ path: options.socketPath })
        : connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let reset = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      s.destroy();
    }, options.timeout ?? 10_000);
    s.on('connect', () => {
      s.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
      if (options.end === true) s.end();
    });
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      options.onData?.(d);
    });
    s.on('error', () => {
      reset = true;
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks), { head: options.head, reset, timedOut }));
    });
  });
}

/** A request for `request`/`requestBytes`. Strings are sent as UTF-8 (the body) or latin-1. */
export interface RequestOptions {
  /** Default GET, or POST with a body. */
  method?: string | undefined;
  /** Request-target, sent as is (so `%E9` and friends reach the server raw). Default `/`. */
  target?: string | undefined;
  /** The Host value; default `127.0.0.1:<port>`. */
  hostHeader?: string | undefined;
  /** Header lines in order; repeats are sent as separate lines. */
  headers?: ReadonlyArray<readonly [string, string]> | undefined;
  body?: string | Uint8Array | undefined;
  /** Send the body with Transfer-Encoding: chunked in pieces of this size. */
  chunked?: number | undefined;
}

/** The bytes of an HTTP/1.1 request with `Connection: close`. */
export function requestBytes(options: RequestOptions & { hostHeader: string }): Buffer {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  let head = `${method} ${options.target ?? '/'} HTTP/1.1\r\nHost: ${options.hostHeader}\r\nConnection: close\r\n`;
  for (const [n, v] of options.headers ?? []) head += `${n}: ${v}\r\n`;
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const parts: Uint8Array[] = [];
  if (body !== undefined && options.chunked !== undefined) {
    head += 'Transfer-Encoding: chunked\r\n\r\n';
    for (let i = 0; i < body.length; i += options.chunked) {
      const piece = body.subarray(i, i + options.chunked);
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
  } else {
    if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
    head += '\r\n';
    if (body !== undefined) parts.push(body);
  }
  return Buffer.concat([Buffer.from(head, 'latin1'), ...parts]);
}

/** One HTTP/1.1 request with `Connection: close` to 127.0.0.1:port (or `socketPath`). */
export function request(
  port: number,
  options: RequestOptions & ExchangeOptions = {},
): Promise<Exchanged> {
  const bytes = requestBytes({ ...options, hostHeader: options.hostHeader ?? `127.0.0.1:${port}` });
  return exchange(port, bytes, { ...options, head: options.head ?? options.method === 'HEAD' });
}
