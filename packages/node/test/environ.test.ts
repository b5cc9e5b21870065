import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Environ } from '@tsgi/core';
import { requireTool, selfSignedCertificate, tempDir } from '@tsgi/harness';
import { createRequestListener } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  parseResponses,
  RawClient,
  recorder,
  request,
  start,
  withServer,
} from './_helpers.js';

afterEach(closeAll);

async function rawEnviron(
  raw: string,
  options = {},
): Promise<{ environ: Environ | undefined; response: string }> {
  const { app, seen } = recorder();
  const server = await start(app, options);
  const client = await RawClient.open(server.port);
  client.write(raw);
  const response = await client.until((t) => /\r\n\r\n[\s\S]*ok|^HTTP\/1\.1 [45]/.test(t));
  client.destroy();
  return { environ: seen[0], response };
}

describe('environ', () => {
  it('ADP-NODE-01 / ADP-NODE-07 / ADP-NODE-11 / ENV-01..22: CGI variables from the request line, Host and socket', async () => {
    const { app, seen } = recorder();
    const server = await start(app);
    const res = await request(server.port, '/a/b?x=1&y=%20', {
      method: 'POST',
      body: 'hi',
      headers: { 'content-type': 'text/plain' },
    });
    expect(res.status).toBe(200);
    const e = seen[0]!;
    expect(Object.getPrototypeOf(e)).toBe(Object.prototype); // ENV-01
    expect(e.REQUEST_METHOD).toBe('POST');
    expect(e.SCRIPT_NAME).toBe('');
    expect(e.PATH_INFO).toBe('/a/b');
    expect(e.QUERY_STRING).toBe('x=1&y=%20');
    expect(e.REQUEST_URI).toBe('/a/b?x=1&y=%20');
    expect(e.SERVER_NAME).toBe('127.0.0.1');
    expect(e.SERVER_PORT).toBe(String(server.port));
    expect(e.SERVER_PROTOCOL).toBe('HTTP/1.1');
    expect(e.CONTENT_TYPE).toBe('text/plain');
    expect(e.CONTENT_LENGTH).toBe('2');
    expect(e.HTTP_CONTENT_LENGTH).toBeUndefined(); // ENV-09
    expect(e.REMOTE_ADDR).toBe('127.0.0.1');
    expect(e.REMOTE_PORT).toMatch(/^[0-9]+$/);
    expect(e.SERVER_SOFTWARE).toMatch(/^tsgi-node\//);
    expect(e.HTTPS).toBeUndefined();
    expect(e['tsgi.version']).toEqual([1, 1]);
    expect(e['tsgi.url_scheme']).toBe('http');
    expect(e['tsgi.input_terminated']).toBe(true);
    expect(e['tsgi.multithread']).toBe(false); // ENV-22
    expect(e['tsgi.multiprocess']).toBe(false);
    expect(e['tsgi.run_once']).toBe(false);
    expect(e['tsgi.signal']).toBeInstanceOf(AbortSignal);
    expect(e['tsgi.signal'].aborted).toBe(false);
    for (const [k, v] of Object.entries(e))
      if (!k.includes('.')) expect(typeof v, k).toBe('string'); // ENV-02
  });

  it('ENV-06 / ENV-07: %2F is decoded once into PATH_INFO, REQUEST_URI keeps it raw; %E9 is one octet', async () => {
    const { environ } = await rawEnviron(
      'GET /a%2Fb/%E9t%C3%A9/%252F?q=%2F HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    expect(environ!.PATH_INFO).toBe('/a/b/\xe9t\xc3\xa9/%2F');
    expect(environ!.REQUEST_URI).toBe('/a%2Fb/%E9t%C3%A9/%252F?q=%2F');
    expect(environ!.QUERY_STRING).toBe('q=%2F');
    for (const c of environ!.PATH_INFO) expect(c.charCodeAt(0)).toBeLessThanOrEqual(0xff);
  });

  it('ENV-06 / SRV-02: a raw non-ASCII octet in the request-target is refused with 400 before the app', async () => {
    const { environ, response } = await rawEnviron('GET /caf\xe9 HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 400/);
    expect(environ).toBeUndefined();
  });

  it('ENV-15 / ENV-28 / ENV-06: raw headers keep order, case, repeats and octets; values are byte strings', async () => {
    const { environ } = await rawEnviron(
      'GET / HTTP/1.1\r\nHost: x\r\nX-Name: caf\xe9\r\nx-dup: 1\r\nX-Dup: 2\r\nX_Under: u\r\n\r\n',
    );
    expect(environ!['tsgi.raw_headers']).toEqual([
      ['Host', 'x'],
      ['X-Name', 'caf\xe9'],
      ['x-dup', '1'],
      ['X-Dup', '2'],
      ['X_Under', 'u'],
    ]);
    expect(environ!.HTTP_X_NAME).toBe('caf\xe9');
    expect(environ!.HTTP_X_NAME!.length).toBe(4);
  });

  it('ENV-13: repeated headers are joined with ", " and Cookie with "; "', async () => {
    const { environ } = await rawEnviron(
      'GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\nCookie: a=1\r\nAccept: b\r\nCookie: b=2\r\n\r\n',
    );
    expect(environ!.HTTP_ACCEPT).toBe('a, b');
    expect(environ!.HTTP_COOKIE).toBe('a=1; b=2');
  });

  it('ENV-14 / ENV-27: underscore names never reach HTTP_* (no X-Auth-User spoofing); Proxy is dropped', async () => {
    const { environ } = await rawEnviron(
      'GET / HTTP/1.1\r\nHost: x\r\nX-Auth_User: evil\r\nX-Auth-User: good\r\nProxy: http://evil\r\n\r\n',
    );
    expect(environ!.HTTP_X_AUTH_USER).toBe('good');
    expect('HTTP_PROXY' in environ!).toBe(false);
    expect(environ!['tsgi.raw_headers']).toContainEqual(['X-Auth_User', 'evil']);
  });

  it('ENV-09: no CONTENT_TYPE/CONTENT_LENGTH when the request has none', async () => {
    const { environ } = await rawEnviron('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect('CONTENT_TYPE' in environ!).toBe(false);
    expect('CONTENT_LENGTH' in environ!).toBe(false);
  });

  it('ENV-10 / ADP-NODE-07: SERVER_NAME/SERVER_PORT from Host (port defaults by scheme), IPv6 keeps brackets', async () => {
    const { app, seen } = recorder();
    const server = await start(app);
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: example.test:8080\r\n\r\n');
    client.write('GET / HTTP/1.1\r\nHost: example.test\r\n\r\n');
    client.write('GET / HTTP/1.1\r\nHost: [::1]:9\r\n\r\n');
    await client.until((t) => parseResponses(Buffer.from(t, 'latin1')).length === 3);
    client.destroy();
    expect(seen.map((e) => [e.SERVER_NAME, e.SERVER_PORT])).toEqual([
      ['example.test', '8080'],
      ['example.test', '80'],
      ['[::1]', '9'],
    ]);
  });

  it('ENV-10 / ENV-11 / ADP-NODE-07: an HTTP/1.0 request without Host uses the socket address', async () => {
    const { environ, response } = await rawEnviron('GET /x HTTP/1.0\r\n\r\n');
    expect(response).toMatch(/^HTTP\/1\.1 200/);
    expect(environ!.SERVER_PROTOCOL).toBe('HTTP/1.0');
    expect(environ!.SERVER_NAME).toBe('127.0.0.1');
    expect(environ!.SERVER_PORT).toMatch(/^[0-9]+$/);
  });

  it('ENV-05: an absolute-form target gives the path; OPTIONS * gives PATH_INFO "*"', async () => {
    const a = await rawEnviron(
      'GET http://example.test/p%20q?z HTTP/1.1\r\nHost: example.test\r\n\r\n',
    );
    expect([a.environ!.PATH_INFO, a.environ!.QUERY_STRING, a.environ!.REQUEST_URI]).toEqual([
      '/p q',
      'z',
      'http://example.test/p%20q?z',
    ]);
    const b = await rawEnviron('OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(b.environ!.PATH_INFO).toBe('*');
  });

  it('ENV-04: scriptName mounts the app; SCRIPT_NAME + PATH_INFO is the decoded path', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { scriptName: '/api' });
    await request(server.port, '/api/users%2F1?x');
    await request(server.port, '/api');
    await request(server.port, '/other');
    expect(seen.map((e) => [e.SCRIPT_NAME, e.PATH_INFO])).toEqual([
      ['/api', '/users/1'],
      ['/api', ''],
      ['', '/other'],
    ]);
  });

  it('SRV-03 / SRV-11: options.environ keys are added; one naming request data is refused at setup', async () => {
    const { app, seen } = recorder();
    const server = await start(app, {
      environ: {
        'myapp.config': { debug: true },
        SERVER_ADMIN: 'ops@example.test',
      },
    });
    await request(server.port);
    expect(seen[0]!['myapp.config']).toEqual({ debug: true });
    expect(seen[0]!.SERVER_ADMIN).toBe('ops@example.test');
    for (const key of ['tsgi.signal', 'HTTP_HOST', 'REMOTE_ADDR', 'CONTENT_LENGTH']) {
      await expect(start(app, { environ: { [key]: 'x' } })).rejects.toThrow(/SRV-11/);
    }
  });

  it('ADP-NODE-11: multiprocess can be declared by the deployer', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { multiprocess: true });
    await request(server.port);
    expect(seen[0]!['tsgi.multiprocess']).toBe(true);
  });

  it('ADP-NODE-01: createRequestListener serves an existing node:http server', async () => {
    const { app, seen } = recorder();
    const listener = createRequestListener(app);
    const server = createServer().on('request', listener).on('checkContinue', listener);
    await withServer(server, async (port) => {
      const res = await request(port, '/here');
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('ok');
      expect(seen[0]!.PATH_INFO).toBe('/here');
    });
  });

  const openssl = requireTool('openssl', 'generates the certificate for the HTTPS test');
  it.runIf(openssl !== undefined)(
    'ENV-17 / ENV-19 / ADP-NODE-07: over TLS, HTTPS=on and tsgi.url_scheme https',
    async () => {
      const dir = tempDir();
      try {
        const { key, cert } = selfSignedCertificate(dir.path);
        const { app, seen } = recorder();
        const server = await start(app, {
          tls: { key: readFileSync(key), cert: readFileSync(cert) },
        });
        expect(server.handle.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
        const status = await new Promise<number>((resolve, reject) => {
          httpsRequest(
            {
              host: '127.0.0.1',
              port: server.port,
              path: '/',
              rejectUnauthorized: false,
              agent: false,
            },
            (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode!));
            },
          )
            .on('error', reject)
            .end();
        });
        expect(status).toBe(200);
        expect(seen[0]!.HTTPS).toBe('on');
        expect(seen[0]!['tsgi.url_scheme']).toBe('https');
        expect(seen[0]!.SERVER_PORT).toBe(String(server.port));
      } finally {
        dir.remove();
      }
    },
  );
});
