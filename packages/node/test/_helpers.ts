/**
 * Test helpers for @tsgi/node: start a server on a free loopback port with captured logs, send
 * requests with node:http (no pooling) or as raw bytes over node:net, and parse raw responses.
 */
import { request as httpRequest, type Server } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { Application, Environ } from '@tsgi/core';
import type { Exchanged } from '@tsgi/harness/http';
import { type CloseOptions, type ServeOptions, type ServerHandle, serve } from '@tsgi/node';

export interface TestServer {
  handle: ServerHandle;
  port: number;
  /** Text written to tsgi.errors. */
  errors: string[];
  /** Access-log lines (when `accessLog` was not given explicitly, they are collected here). */
  access: string[];
  close(options?: CloseOptions): Promise<void>;
}

const _open = new Set<TestServer>();

/** Starts `app` on 127.0.0.1 with a free port; `closeAll()` (in afterEach) stops it. */
export async function start(app: Application, options: ServeOptions = {}): Promise<TestServer> {
  const errors: string[] = [];
  const access: string[] = [];
  const handle = await serve(app, {
    port: 0,
    errors: (t) => errors.push(t),
    accessLog: (line) => access.push(line),
    shutdownTimeout: 2000,
    ...options,
  });
  const port = Number(new URL(handle.url).port);
  const server: TestServer = { handle, port, errors, access, close: (o) => handle.close(o) };
  _open.add(server);
  return server;
}

export async function closeAll(): Promise<void> {
  const all = [..._open];
  _open.clear();
  await Promise.all(all.map((s) => s.close({ timeout: 500 })));
}

/**
 * Runs `fn` against a server of the test's own (one mounting `createRequestListener`) on a free
 * loopback port, then closes it and its connections.
 */
export async function withServer<T>(server: Server, fn: (port: number) => Promise<T>): Promise<T> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await fn((server.address() as AddressInfo).port);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** An app that records the environ it saw and answers `200 OK` with a short body. */
export function recorder(): { app: Application; seen: Environ[] } {
  const seen: Environ[] = [];
  const body = new TextEncoder().encode('ok');
  return {
    seen,
    app: (environ, startResponse) => {
      seen.push(environ);
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [body];
    },
  };
}

export interface SimpleResponse {
  status: number;
  /** Raw header pairs as received. */
  headers: Array<[string, string]>;
  body: Buffer;
  header(name: string): string | undefined;
}

/** One request with node:http, a fresh connection (`agent: false`). */
export function request(
  port: number,
  path = '/',
  options: {
    method?: string;
    headers?: Record<string, string | string[]>;
    body?: string | Buffer;
  } = {},
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        path,
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const headers: Array<[string, string]> = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2)
            headers.push([res.rawHeaders[i]!, res.rawHeaders[i + 1]!]);
          resolve({
            status: res.statusCode!,
            headers,
            body: Buffer.concat(chunks),
            header: (n) => headers.find(([k]) => k.toLowerCase() === n.toLowerCase())?.[1],
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A raw connection: write bytes, read everything, wait for close or for some text. */
export class RawClient {
  readonly socket: Socket;
  data = Buffer.alloc(0);
  closed = false;
  readonly #closed: Promise<void>;
  #waiters: Array<() => void> = [];

  constructor(port: number) {
    this.socket = connect({ port, host: '127.0.0.1' });
    this.socket.on('data', (d: Buffer) => {
      this.data = Buffer.concat([this.data, d]);
      this.#wake();
    });
    this.socket.on('error', () => {});
    this.#closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        this.closed = true;
        this.#wake();
        resolve();
      }),
    );
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }

  static async open(port: number): Promise<RawClient> {
    const c = new RawClient(port);
    await new Promise<void>((resolve, reject) => {
      c.socket.once('connect', resolve);
      c.socket.once('error', reject);
    });
    return c;
  }

  write(data: string | Buffer): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  get text(): string {
    return this.data.toString('latin1');
  }

  /** Resolves once `predicate(text)` holds or the socket closed. */
  async until(predicate: (text: string) => boolean): Promise<string> {
    while (!predicate(this.text) && !this.closed)
      await new Promise<void>((r) => this.#waiters.push(r));
    return this.text;
  }

  /** Resolves once the server closed the connection. */
  async untilClosed(): Promise<string> {
    await this.#closed;
    return this.text;
  }

  destroy(): void {
    this.socket.destroy();
  }
}

/** A response parsed from raw bytes (the kit's parser). */
export type ParsedResponse = Exchanged;

/**
 * Parses consecutive HTTP/1.1 responses from raw bytes (the kit's `parseResponses`). `methods`
 * lists the request methods in order (a HEAD response has no body whatever its headers say).
 * 1xx responses are returned too.
 */
export { parseResponses } from '@tsgi/harness/http';

export { deferred } from '@tsgi/harness/kit';

/** Polls `predicate` every few ms until it holds (no timing assertion: the test timeout bounds it). */
export async function eventually(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((r) => setTimeout(r, 5));
}

/** Text as UTF-8 bytes: core's `utf8`. */
export { utf8 as enc } from '@tsgi/core';
