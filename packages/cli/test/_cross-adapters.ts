/**
 * The four adapters of cross-adapter.test.ts, each run in-process (node:http, FastCGI with the
 * package's client, toFetch) or as a spawned process (CGI), given the same application, request
 * and configuration, and reduced to what the test compares.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createErrorStream } from '@tsgi/core';
import { createFastCGIServer, FastCGIClient, parseCgiResponse, serveFastCGI } from '@tsgi/fastcgi';
import { toFetch } from '@tsgi/fetch';
import { request } from '@tsgi/harness/http';
import { createRequestListener, serve } from '@tsgi/node';
import { expect } from 'vitest';
import { apps } from './fixtures/cross-apps.mjs';

const CGI_SCRIPT = fileURLToPath(new URL('./fixtures/cross-cgi.mjs', import.meta.url));

type AppName = keyof typeof apps;

/** A request, as each transport is given it. */
export interface Req {
  method: string;
  path: string;
  headers?: Array<[string, string]>;
  body?: string;
  /** Sent without a length: chunked on HTTP, a FastCGI/CGI body without CONTENT_LENGTH. */
  chunked?: boolean;
}

/** What an adapter is configured with. */
export interface Setup {
  app: AppName;
  limit?: number;
  /** Configuration keys; `myapp.db` is given as an object `{ name: 'db' }`. */
  environ?: Record<string, unknown>;
}

/** The parts of a response compared across adapters. */
export interface Result {
  status: number;
  contentLength: string | null;
  contentType: string | null;
  body: string;
}

interface Run extends Result {
  /** The server's error log and `tsgi.errors` text. */
  log: string;
}

interface Adapter {
  name: string;
  run(setup: Setup, req: Req): Promise<Run>;
  /** Gives the configuration at setup; resolves with the refusal's message, or null. */
  refusal(environ: Record<string, unknown>): Promise<string | null>;
}

export const DB = { name: 'db' };

/** `maxBodySize` and `environ` as each in-process adapter takes them. */
function options(setup: Setup): { maxBodySize?: number; environ?: Record<string, unknown> } {
  const o: { maxBodySize?: number; environ?: Record<string, unknown> } = {};
  if (setup.limit !== undefined) o.maxBodySize = setup.limit;
  const environ = setup.environ;
  if (environ !== undefined)
    o.environ = 'myapp.db' in environ ? { ...environ, 'myapp.db': DB } : environ;
  return o;
}

function header(headers: Array<[string, string]>, name: string): string | null {
  return headers.find(([n]) => n.toLowerCase() === name)?.[1] ?? null;
}

/** A raw HTTP/1.1 exchange over one connection (the test kit's client), so framing and headers are seen as sent. */
async function rawHttp(port: number, req: Req): Promise<Result> {
  const body = req.body === undefined ? undefined : Buffer.from(req.body, 'latin1');
  const res = await request(port, {
    method: req.method,
    target: req.path,
    hostHeader: 'cross.test',
    headers: req.headers,
    body,
    chunked: req.chunked && body !== undefined ? Math.max(body.length, 1) : undefined,
  });
  return {
    status: res.status,
    contentLength: res.header('content-length') ?? null,
    contentType: res.header('content-type') ?? null,
    body: res.body.toString('latin1'),
  };
}

/** The CGI variables a front end would pass for `req` (the body's framing as RFC 3875 §4.1.2). */
function cgiVariables(req: Req): Record<string, string> {
  const vars: Record<string, string> = {
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: req.method,
    SCRIPT_NAME: '',
    PATH_INFO: req.path,
    QUERY_STRING: '',
    REQUEST_URI: req.path,
    SERVER_NAME: 'cross.test',
    SERVER_PORT: '80',
    SERVER_PROTOCOL: 'HTTP/1.1',
    REMOTE_ADDR: '127.0.0.1',
    HTTP_HOST: 'cross.test',
  };
  for (const [n, v] of req.headers ?? []) {
    const key = n.toUpperCase().replaceAll('-', '_');
    vars[key === 'CONTENT_TYPE' ? key : `HTTP_${key}`] = v;
  }
  if (req.body !== undefined) {
    if (req.chunked) vars.HTTP_TRANSFER_ENCODING = 'chunked';
    else vars.CONTENT_LENGTH = String(req.body.length);
  }
  return vars;
}

function fromCgi(stdout: Uint8Array): Result {
  const r = parseCgiResponse(stdout);
  return {
    status: r.status,
    contentLength: header(r.headers, 'content-length'),
    contentType: header(r.headers, 'content-type'),
    body: Buffer.from(r.body).toString('latin1'),
  };
}

const node: Adapter = {
  name: 'node:http',
  async run(setup, req) {
    let log = '';
    const handle = await serve(apps[setup.app], {
      port: 0,
      ...options(setup),
      errors: (t) => {
        log += t;
      },
    });
    try {
      const result = await rawHttp(Number(new URL(handle.url).port), req);
      return { ...result, log };
    } finally {
      await handle.close({ timeout: 1000 });
    }
  },
  async refusal(environ) {
    try {
      createRequestListener(apps.config, { environ }); // what serve() calls first
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
};

const fastcgi: Adapter = {
  name: 'FastCGI',
  async run(setup, req) {
    let log = '';
    const server = await serveFastCGI(apps[setup.app], {
      port: 0,
      ...options(setup),
      errors: (t) => {
        log += t;
      },
    });
    const address = server.address as { port: number };
    const client = await FastCGIClient.connect({ port: address.port });
    try {
      const res = await client.request({ params: cgiVariables(req), stdin: req.body ?? '' });
      expect(res.complete).toBe(true);
      log += Buffer.from(res.stderr).toString();
      return { ...fromCgi(res.stdout), log };
    } finally {
      client.destroy();
      await server.close({ timeout: 1000 });
    }
  },
  async refusal(environ) {
    try {
      createFastCGIServer(apps.config, { environ });
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
};

function spawnCgi(
  env: Record<string, string>,
  stdin: string,
): Promise<{ stdout: Buffer; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CGI_SCRIPT], { env: { PATH: '/usr/bin:/bin', ...env } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d;
    });
    child.stdin.on('error', () => {}); // the script may exit without reading
    child.stdin.end(Buffer.from(stdin, 'latin1'));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(out), stderr, code }));
  });
}

function cgiSetup(setup: Setup): Record<string, string> {
  const env: Record<string, string> = { CROSS_APP: setup.app };
  if (setup.limit !== undefined) env.CROSS_LIMIT = String(setup.limit);
  if (setup.environ !== undefined) env.CROSS_ENVIRON = JSON.stringify(setup.environ);
  return env;
}

const cgi: Adapter = {
  name: 'CGI',
  async run(setup, req) {
    const r = await spawnCgi({ ...cgiSetup(setup), ...cgiVariables(req) }, req.body ?? '');
    return { ...fromCgi(r.stdout), log: r.stderr };
  },
  async refusal(environ) {
    const r = await spawnCgi(
      { ...cgiSetup({ app: 'config', environ }), REQUEST_METHOD: 'GET' },
      '',
    );
    if (r.code === 0) return null;
    // Standard error is the server's log here: `tsgi cgi: <message>`, and no response.
    expect([r.code, r.stdout.length]).toEqual([70, 0]);
    return r.stderr.replace(/^tsgi cgi: /, '').trimEnd();
  },
};

const fetchAdapter: Adapter = {
  name: 'toFetch',
  async run(setup, req) {
    let log = '';
    const handler = toFetch(apps[setup.app], {
      ...options(setup),
      errors: createErrorStream((t) => {
        log += t;
      }),
    });
    const bytes = req.body === undefined ? undefined : Buffer.from(req.body, 'latin1');
    const body =
      bytes === undefined || !req.chunked
        ? bytes
        : new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(bytes);
              c.close();
            },
          });
    // A fetch server's Request carries the Content-Length line it received; one made from bytes
    // here has none unless given.
    const headers = [...(req.headers ?? [])];
    if (bytes !== undefined && !req.chunked) headers.push(['content-length', String(bytes.length)]);
    const init = { method: req.method, headers, body, duplex: 'half' };
    const res = await handler(new Request(`http://cross.test${req.path}`, init as RequestInit));
    return {
      status: res.status,
      contentLength: res.headers.get('content-length'),
      contentType: res.headers.get('content-type'),
      body: Buffer.from(await res.arrayBuffer()).toString('latin1'),
      log,
    };
  },
  async refusal(environ) {
    try {
      toFetch(apps.config, { environ });
      return null;
    } catch (err) {
      return (err as Error).message;
    }
  },
};

export const ADAPTERS = [node, fastcgi, cgi, fetchAdapter];
