/**
 * Test helpers: an in-process SCGI server on a free port (or a Unix socket) and a raw SCGI
 * client that sends bytes, optionally split or half-closed, and collects the answer to the close.
 */
import { connect, type Socket } from 'node:net';
import type { Application } from '@tsgi/core';
import { type CgiResponse, parseCgiResponse } from '@tsgi/core';
import {
  encodeScgiRequest,
  type SCGIServer,
  type SCGIServerOptions,
  scgiHeaders,
  serveSCGI,
} from '@tsgi/scgi';

/** A running in-process server plus what the tests need around it. */
export interface TestServer {
  server: SCGIServer;
  port: number;
  /** Where a client connects: `{ port }` or `{ path }`. */
  target: { port: number } | { path: string };
  /** Diagnostics the server logged. */
  logs: string[];
  close(): Promise<void>;
}

/** Starts `serveSCGI(app)` on a free loopback port (or `options.path`). */
export async function startServer(
  app: Application,
  options: SCGIServerOptions = {},
): Promise<TestServer> {
  const logs: string[] = [];
  const server = await serveSCGI(app, { port: 0, errors: (t) => logs.push(t), ...options });
  const a = server.address;
  const port = a?.kind === 'tcp' ? a.port : 0;
  return {
    server,
    port,
    target: a?.kind === 'unix' ? { path: a.path } : { port },
    logs,
    close: () => server.close({ timeout: 200 }),
  };
}

/** The CGI variables nginx's scgi_params sends for `GET /` (before a test's overrides). */
export function nginxVariables(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    REQUEST_METHOD: 'GET',
    REQUEST_URI: '/',
    QUERY_STRING: '',
    CONTENT_TYPE: '',
    DOCUMENT_URI: '/',
    DOCUMENT_ROOT: '/srv',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REQUEST_SCHEME: 'http',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '50000',
    SERVER_PORT: '80',
    SERVER_NAME: 'localhost',
    HTTP_HOST: 'localhost',
    ...overrides,
  };
}

/** A valid request's bytes: nginx's variables plus `overrides`, and `body`. */
export function request(overrides: Record<string, string> = {}, body?: Uint8Array): Uint8Array {
  return encodeScgiRequest(scgiHeaders(nginxVariables(overrides), body?.length ?? 0), body);
}

/** What came back on one connection. */
export interface Exchange {
  bytes: Buffer;
  /** The connection was reset (ECONNRESET) rather than closed. */
  reset: boolean;
  text: string;
  /** The bytes parsed as a CGI response (throws when they are not one). */
  cgi(): CgiResponse & { text: string };
}

/** Options for `exchange`. */
export interface ExchangeOptions {
  /** Send the bytes in pieces of this size, a tick apart. */
  split?: number;
  /** Half-close after sending (what a truncated request looks like). */
  halfClose?: boolean;
  /** Called with the socket once connected. */
  onSocket?(socket: Socket): void;
}

/** Sends `bytes` on a fresh connection and resolves with everything received up to the close. */
export function exchange(
  target: TestServer['target'],
  bytes: Uint8Array,
  options: ExchangeOptions = {},
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(target);
    const parts: Buffer[] = [];
    let reset = false;
    socket.on('data', (d) => parts.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET') reset = true;
      else reject(err);
    });
    socket.on('close', () => {
      const all = Buffer.concat(parts);
      resolve({
        bytes: all,
        reset,
        text: all.toString('latin1'),
        cgi() {
          const r = parseCgiResponse(all);
          return { ...r, text: Buffer.from(r.body).toString('utf8') };
        },
      });
    });
    socket.on('connect', async () => {
      options.onSocket?.(socket);
      const step = options.split ?? bytes.length;
      for (let i = 0; i < bytes.length; i += Math.max(step, 1)) {
        socket.write(bytes.subarray(i, i + step));
        if (options.split !== undefined) await new Promise((r) => setImmediate(r));
      }
      if (options.halfClose === true) socket.end();
    });
  });
}

/** The FastCGI matrix's requirement IDs, as the SCGI profile numbers the same duties. */
export const SCGI_IDS: Readonly<Record<string, string>> = {
  'ADP-FCGI-01': 'ADP-SCGI-06',
  'ADP-FCGI-03': 'ADP-SCGI-08',
  'ADP-FCGI-04': 'ADP-SCGI-05',
  'ADP-FCGI-11': 'ADP-SCGI-06',
  'ADP-FCGI-12': 'ADP-SCGI-06',
  'ADP-FCGI-13': 'ADP-SCGI-10',
  'ADP-FCGI-15': 'ADP-SCGI-07',
  'ADP-FCGI-16': 'ADP-SCGI-08',
  'ADP-FCGI-23': 'ADP-SCGI-06',
};
