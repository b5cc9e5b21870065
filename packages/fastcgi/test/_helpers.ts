/**
 * Test helpers: an in-process FastCGI server with a client factory, baseline CGI params, and a
 * raw HTTP/1.1 client that reports whether a response was complete (so truncation is visible).
 */
import type { Application } from '@tsgi/core';
import { type FastCGIServer, type FastCGIServerOptions, serveFastCGI } from '@tsgi/fastcgi';
import {
  type CgiResponse,
  FastCGIClient,
  type FastCGIClientOptions,
  type FastCGIResponse,
  parseCgiResponse,
} from '@tsgi/fastcgi/client';
import { Connection, type Exchanged, type RequestOptions, request } from '@tsgi/harness/http';

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

export { deferred } from '@tsgi/harness/kit';

/** What the raw HTTP client got (the kit's; status 0 when the connection closed before any byte). */
export type HttpResult = Exchanged;

/** Options for `httpRequest`. */
export interface HttpOptions extends Omit<RequestOptions, 'target'> {
  /** Request-target, sent as is (so %E9 and friends reach the server raw). */
  path: string;
  /** Unix socket path instead of the port. */
  socketPath?: string;
}

/** One HTTP/1.1 request with `Connection: close`, over a raw socket (the kit's client). */
export function httpRequest(port: number, options: HttpOptions): Promise<HttpResult> {
  return request(port, { method: 'GET', ...options, target: options.path });
}

/** A raw connection: send bytes, wait for a pattern in what came back, then drop it. */
export async function rawHttp(
  port: number,
  bytes: string,
): Promise<{ received(pattern: RegExp): Promise<void>; destroy(): void }> {
  const c = await Connection.open(new URL(`http://127.0.0.1:${port}`));
  c.send(bytes);
  return {
    async received(pattern) {
      // The test's own timeout bounds the wait; a close before the pattern fails here.
      if (!(await c.waitUntil((unread) => pattern.test(unread.toString('latin1')), 60_000)))
        throw new Error(`${pattern} not received`);
    },
    destroy: () => c.destroy(),
  };
}
