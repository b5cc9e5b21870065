/**
 * libfcgi's `cgi-fcgi -bind -connect` as an independent FastCGI client: it sends its own
 * environment as PARAMS and its stdin as STDIN (BEGIN_REQUEST flags 0), prints the raw CGI
 * response, and exits with the END_REQUEST appStatus.
 */
import { spawn } from 'node:child_process';
import { parseCgiResponse } from '@tsgi/fastcgi/client';
import { requireTool } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './_helpers.js';
import { app, pattern } from './fixtures/app.mjs';

const cgiFcgi = requireTool('cgi-fcgi', 'libfcgi as an independent FastCGI client');

interface Run {
  code: number | null;
  status: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

describe.skipIf(cgiFcgi === undefined)('libfcgi cgi-fcgi → @tsgi/fastcgi', () => {
  let backend: TestServer;

  beforeAll(async () => {
    backend = await startServer(app, { scriptName: '/app' });
  });
  afterAll(() => backend.close());

  function run(env: Record<string, string>, stdin: Uint8Array = new Uint8Array(0)): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(cgiFcgi!, ['-bind', '-connect', `127.0.0.1:${backend.port}`], {
        env: {
          GATEWAY_INTERFACE: 'CGI/1.1',
          SERVER_PROTOCOL: 'HTTP/1.1',
          SERVER_NAME: 'localhost',
          SERVER_PORT: '80',
          SCRIPT_NAME: '/app',
          QUERY_STRING: '',
          ...env,
        },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      const out: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.on('error', reject);
      child.on('close', (code) => {
        const r = parseCgiResponse(Buffer.concat(out));
        resolve({ code, status: r.status, headers: r.headers, body: Buffer.from(r.body) });
      });
      child.stdin.end(stdin);
    });
  }

  it('ADP-FCGI-01, ADP-FCGI-02, ENV-08: GET with a query; the app closes the connection (KEEP_CONN clear) and exits 0', async () => {
    const before = backend.accepted();
    const r = await run({
      REQUEST_METHOD: 'GET',
      REQUEST_URI: '/app/hello?x=1&y=%20z',
      QUERY_STRING: 'x=1&y=%20z',
    });
    expect(r.code).toBe(0);
    expect(r.status).toBe(200);
    const seen = JSON.parse(r.body.toString());
    expect(seen.environ.QUERY_STRING).toBe('x=1&y=%20z');
    expect(seen.environ.PATH_INFO).toBe('/hello');
    expect(seen.environ.SCRIPT_NAME).toBe('/app');
    expect(backend.accepted() - before).toBe(1);
    await expect.poll(() => backend.server.connections).toBe(0);
  });

  it('ADP-FCGI-13, IN-03: a POST body is echoed byte for byte', async () => {
    const body = pattern(99, 150_000);
    const r = await run(
      {
        REQUEST_METHOD: 'POST',
        REQUEST_URI: '/app/echo',
        CONTENT_LENGTH: String(body.length),
        HTTP_X_CASE: 'echo',
      },
      body,
    );
    expect(r.status).toBe(200);
    expect(Buffer.compare(r.body, Buffer.from(body))).toBe(0);
  });

  it('ENV-06, ADP-FCGI-04: a path with a space and %E9 is decoded once from REQUEST_URI', async () => {
    const r = await run({ REQUEST_METHOD: 'GET', REQUEST_URI: '/app/a%20b/%E9' });
    expect(JSON.parse(r.body.toString()).environ.PATH_INFO).toBe('/a b/\u00e9');
  });

  it('ENV-27, ADP-FCGI-11: HTTP_PROXY from the front end is dropped; cookies pass through', async () => {
    const r = await run({
      REQUEST_METHOD: 'GET',
      REQUEST_URI: '/app/p',
      HTTP_PROXY: 'http://evil',
      HTTP_COOKIE: 'a=1; b=2',
    });
    const seen = JSON.parse(r.body.toString());
    expect(seen.environ.HTTP_PROXY).toBeUndefined();
    expect(seen.environ.HTTP_COOKIE).toBe('a=1; b=2');
  });

  it('BODY-12: HEAD gets headers only', async () => {
    const r = await run({ REQUEST_METHOD: 'HEAD', REQUEST_URI: '/app/h' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
  });

  it('ADP-FCGI-15: a 1 MiB streamed response arrives intact', async () => {
    const r = await run({ REQUEST_METHOD: 'GET', REQUEST_URI: '/app/big', HTTP_X_CASE: 'big' });
    expect(r.body.length).toBe(1 << 20);
    expect(Buffer.compare(r.body, Buffer.from(pattern(0, 1 << 20)))).toBe(0);
  });

  it('ERR-02: an application that throws gets a 500', async () => {
    const r = await run({ REQUEST_METHOD: 'GET', REQUEST_URI: '/app/t', HTTP_X_CASE: 'throw' });
    expect(r.code).toBe(0);
    expect(r.status).toBe(500);
    expect(r.body.toString()).toBe('Internal Server Error\n');
  });
});
