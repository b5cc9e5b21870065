/**
 * Test helpers: an in-process FastCGI server with a client factory, baseline CGI params, and a
 * raw HTTP/1.1 client that reports whether a response was complete (so truncation is visible).
 */
import { connect } from 'node:net';
import type { Application } from '@tsgi/core';
import { type FastCGIServer, type FastCGIServerOptions, serveFastCGI } from '@tsgi/fastcgi';
import {
  type CgiResponse,
  FastCGIClient,
  type FastCGIClientOptions,
  type FastCGIResponse,
  parseCgiResponse,
} from '@tsgi/fastcgi/client';

/** A running in-process server plus what the tests need around it. */
export interface TestServer {
  server: FastCGIServer;
  port: number;
  /** Diagnostics the server logged. */
  logs: string[];
  /** Connections accepted by the listener so far. */
  accepted(): number;
  client(options?: Omit<FastCGIClientOptions, 'port' | 'host' | 'path'>): Promise<FastCGIClient>;
  close(): Promise<void>;
}

/** Starts `serveFastCGI(app)` on a free loopback port. */
export async function startServer(
  app: Application,
  options: FastCGIServerOptions = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const server = await serveFastCGI(app, { port: 0, errors: (t) => logs.push(t), ...options });
  let accepted = 0;
  server.server.on('connection', () => accepted++);
  const addr = server.address;
  const port = addr?.kind === 'tcp' ? addr.port : 0;
  const clients: FastCGIClient[] = [];
  return {
    server,
    port,
    logs,
    accepted: () => accepted,
    async client(extra = {}) {
      const c = await FastCGIClient.connect(
        addr?.kind === 'unix' ? { path: addr.path, ...extra } : { port, ...extra },
      );
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) c.destroy();
      await server.close({ timeout: 200 });
    },
  };
}

/** An app that answers with its environ's string values as JSON, plus the body length. */
export const environApp: Application = async (environ, startResponse) => {
  let n = 0;
  for await (const c of environ['tsgi.input']) n += c.length;
  const vars: Record<string, string> = {};
  for (const k of Object.keys(environ)) {
    const v = environ[k];
    if (typeof v === 'string') vars[k] = v;
  }
  startResponse('200 OK', [['content-type', 'application/json']]);
  return [new TextEncoder().encode(JSON.stringify({ vars, bodyLength: n }))];
};

/** The CGI variables nginx sends for `GET /` (before a test's overrides). */
export function cgiParams(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    QUERY_STRING: '',
    REQUEST_METHOD: 'GET',
    CONTENT_TYPE: '',
    CONTENT_LENGTH: '',
    SCRIPT_NAME: '/',
    REQUEST_URI: '/',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_SOFTWARE: 'test',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '50000',
    SERVER_ADDR: '127.0.0.1',
    SERVER_PORT: '80',
    SERVER_NAME: 'localhost',
    HTTP_HOST: 'localhost',
    ...overrides,
  };
}

/** Parses a complete FastCGI response's STDOUT as CGI. */
export function cgi(res: FastCGIResponse): CgiResponse & { text: string } {
  const r = parseCgiResponse(res.stdout);
  return { ...r, text: Buffer.from(r.body).toString('utf8') };
}

/** A deferred promise. */
export function deferred<T = void>(): {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: unknown): void;
} {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What the raw HTTP client got. */
export interface HttpResult {
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
  /** The framing was satisfied: all content-length bytes, or the final 0-size chunk. */
  complete: boolean;
  // status is 0 when the connection closed before any response byte (an "empty reply").
  header(name: string): string | undefined;
}

/** Options for `httpRequest`. */
export interface HttpOptions {
  method?: string;
  /** Request-target, sent as is (so %E9 and friends reach the server raw). */
  path: string;
  /** Header lines in order; repeats are sent as separate lines. */
  headers?: Array<[string, string]>;
  body?: Uint8Array | string;
  /** Send the body with Transfer-Encoding: chunked in chunks of this size. */
  chunked?: number;
  /** Unix socket path instead of the port. */
  socketPath?: string;
}

/** One HTTP/1.1 request with `Connection: close`, over a raw socket. */
export function httpRequest(port: number, options: HttpOptions): Promise<HttpResult> {
  const method = options.method ?? 'GET';
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  let head = `${method} ${options.path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`;
  for (const [n, v] of options.headers ?? []) head += `${n}: ${v}\r\n`;
  const parts: Buffer[] = [];
  if (body !== undefined && options.chunked !== undefined) {
    head += 'Transfer-Encoding: chunked\r\n\r\n';
    parts.push(Buffer.from(head, 'latin1'));
    for (let i = 0; i < body.length; i += options.chunked) {
      const c = body.subarray(i, i + options.chunked);
      parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), Buffer.from(c), Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
  } else {
    if (body !== undefined) head += `Content-Length: ${body.length}\r\n`;
    parts.push(Buffer.from(`${head}\r\n`, 'latin1'));
    if (body !== undefined) parts.push(Buffer.from(body));
  }
  return new Promise((resolve, reject) => {
    const s = options.socketPath
      ? connect({ path: options.socketPath })
      : connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    s.on('connect', () => {
      for (const p of parts) s.write(p);
    });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {}); // a reset after a truncated response is expected
    s.on('close', () => {
      try {
        resolve(_parseHttp(Buffer.concat(chunks), method === 'HEAD'));
      } catch (err) {
        reject(err);
      }
    });
  });
}

function _parseHttp(raw: Buffer, isHead: boolean): HttpResult {
  const end = raw.indexOf('\r\n\r\n');
  if (raw.length === 0) {
    // The server closed without a response: the client can tell it failed.
    return { status: 0, headers: [], body: raw, complete: false, header: () => undefined };
  }
  if (end < 0)
    throw new Error(
      `no HTTP response head in ${JSON.stringify(raw.toString('latin1').slice(0, 200))}`,
    );
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(lines[0]!.split(' ')[1]);
  const headers = lines.slice(1).map((l): [string, string] => {
    const i = l.indexOf(':');
    return [l.slice(0, i).toLowerCase(), l.slice(i + 1).trim()];
  });
  const header = (name: string): string | undefined => headers.find(([n]) => n === name)?.[1];
  let rest = raw.subarray(end + 4);
  let complete = true;
  let body: Buffer = rest;
  if (isHead || status === 204 || status === 304) body = Buffer.alloc(0);
  else if (header('transfer-encoding')?.toLowerCase() === 'chunked') {
    const out: Buffer[] = [];
    complete = false;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      if (nl < 0) break;
      const size = Number.parseInt(rest.subarray(0, nl).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        complete = true;
        break;
      }
      if (rest.length < nl + 2 + size) {
        out.push(rest.subarray(nl + 2));
        break;
      }
      out.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    body = Buffer.concat(out);
  } else if (header('content-length') !== undefined) {
    complete = rest.length >= Number(header('content-length'));
  }
  return { status, headers, body, complete, header };
}

/** A raw connection: send bytes, wait for a pattern in what came back, then drop it. */
export async function rawHttp(
  port: number,
  request: string,
): Promise<{ received(pattern: RegExp): Promise<void>; destroy(): void }> {
  const s = connect({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', resolve);
    s.once('error', reject);
  });
  s.on('error', () => {});
  let text = '';
  const waiters: Array<[RegExp, () => void]> = [];
  s.on('data', (d: Buffer) => {
    text += d.toString('latin1');
    for (const [re, resolve] of [...waiters]) if (re.test(text)) resolve();
  });
  s.write(request);
  return {
    received: (pattern) =>
      new Promise<void>((resolve) => {
        if (pattern.test(text)) resolve();
        else waiters.push([pattern, resolve]);
      }),
    destroy: () => s.destroy(),
  };
}
