/**
 * HTTP/2 on `serve` (ADP-NODE-15..19) with real clients: node:http2 and curl (built with nghttp2).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants } from 'node:http2';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import type { Application, Environ } from '@tsgi/core';
import { requireTool } from '@tsgi/harness';
import { reuseCases, reuseHeader, reuseRouter, reuseVerdict } from '@tsgi/harness/reuse';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { echoWhole, h2connect, h2request, serverTls, testCerts } from './_h2.js';
import { closeAll, recorder, start } from './_helpers.js';

const run = promisify(execFile);
const openssl = requireTool('openssl', 'makes the certificates of the HTTP/2 tests');
const curl = requireTool('curl', 'an HTTP/2 client other than node (ALPN, h2c)');
const tls = (): { key: Buffer; cert: Buffer } => serverTls(openssl!);

afterEach(closeAll);
afterAll(closeAll);

describe.runIf(openssl !== undefined)('HTTP/2 over TLS', () => {
  it.runIf(curl !== undefined)(
    'ADP-NODE-15: ALPN gives curl HTTP/2 or HTTP/1.1 on one port, as it asks',
    async () => {
      const { app, seen } = recorder();
      const server = await start(app, { tls: tls() });
      const url = `https://127.0.0.1:${server.port}/`;
      const h2 = await run(curl!, [
        '-sk',
        '--http2',
        '-o',
        '/dev/null',
        '-w',
        '%{http_version}',
        url,
      ]);
      const h1 = await run(curl!, [
        '-sk',
        '--http1.1',
        '-o',
        '/dev/null',
        '-w',
        '%{http_version}',
        url,
      ]);
      expect([h2.stdout, h1.stdout]).toEqual(['2', '1.1']);
      expect(seen.map((e) => e.SERVER_PROTOCOL)).toEqual(['HTTP/2', 'HTTP/1.1']);
      // ADP-NODE-14: one access-log line each, with the version.
      expect(server.access[0]).toMatch(/"GET \/ HTTP\/2\.0" 200 2$/);
      expect(server.access[1]).toMatch(/"GET \/ HTTP\/1\.1" 200 2$/);
    },
  );

  it('ADP-NODE-16 / ADP-NODE-18: the environ of an HTTP/2 request', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const res = await h2request(session, {
      ':method': 'GET',
      ':path': '/a%2Fb/c?x=1',
      ':authority': `example.test:${server.port}`,
      cookie: ['a=1', 'b=2'],
      'x-thing': 'v',
    });
    session.close();
    expect(res.status).toBe(200);
    expect(res.headers[':status']).toBe(200);
    const env = seen[0] as Environ & Record<string, unknown>;
    expect(env.REQUEST_METHOD).toBe('GET');
    expect(env.PATH_INFO).toBe('/a/b/c');
    expect(env.REQUEST_URI).toBe('/a%2Fb/c?x=1');
    expect(env.QUERY_STRING).toBe('x=1');
    expect(env.SERVER_PROTOCOL).toBe('HTTP/2');
    expect(env.HTTP_HOST).toBe(`example.test:${server.port}`); // :authority, no Host sent
    expect(env.SERVER_NAME).toBe('example.test');
    expect(env.HTTP_COOKIE).toBe('a=1; b=2'); // RFC 9113 §8.2.3 crumbs, joined with "; "
    expect(env.HTTP_X_THING).toBe('v');
    expect(Object.keys(env).filter((k) => k.includes(':'))).toEqual([]);
    const raw = env['tsgi.raw_headers'] as Array<[string, string]>;
    expect(raw.filter(([n]) => n.startsWith(':'))).toEqual([]);
    expect(raw.filter(([n]) => n === 'cookie')).toEqual([
      ['cookie', 'a=1'],
      ['cookie', 'b=2'],
    ]);
    expect(env.HTTPS).toBe('on');
    expect(env['tsgi.url_scheme']).toBe('https');
    expect(env.SSL_PROTOCOL).toMatch(/^TLSv1\.[23]$/);
    expect(typeof env.SSL_CIPHER).toBe('string');
    expect(env.SSL_CLIENT_VERIFY).toBe('NONE');
    expect(env.SSL_CLIENT_S_DN).toBeUndefined();
  });

  it('ADP-NODE-18: a client certificate gives the SSL_CLIENT_* variables, on HTTP/2 and HTTP/1.1', async () => {
    const { app, seen } = recorder();
    const server = await start(app, {
      tls: { ...tls(), ca: testCerts(openssl!).ca, requestCert: true, rejectUnauthorized: true },
    });
    const { clientKey, clientCert } = testCerts(openssl!);
    const client = { key: clientKey, cert: clientCert };
    const session = await h2connect(server.handle.url, client);
    await h2request(session, { ':path': '/' });
    session.close();
    const env = seen[0]!;
    expect(env.SSL_CLIENT_VERIFY).toBe('SUCCESS');
    expect(env.SSL_CLIENT_S_DN).toBe('CN=client,O=TSGI Tests');
    expect(env.SSL_CLIENT_I_DN).toBe('CN=Test CA');
    expect(env.SSL_CLIENT_M_SERIAL).toBe('1F2E');
    expect(String(env.SSL_CLIENT_CERT)).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(String(env.SSL_CLIENT_V_END)).toMatch(/ GMT$/);
    expect(env.SSL_TLS_SNI).toBeUndefined(); // an IP address sends no SNI
    // The same variables over HTTP/1.1 on the same port (a client that offers no ALPN).
    await new Promise<void>((resolve, reject) => {
      httpsRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          path: '/h1',
          agent: false,
          rejectUnauthorized: false,
          ...client,
        },
        (res) => res.resume().on('end', resolve),
      )
        .on('error', reject)
        .end();
    });
    const h1 = seen[1]!;
    expect(h1.SERVER_PROTOCOL).toBe('HTTP/1.1');
    expect([h1.SSL_CLIENT_VERIFY, h1.SSL_CLIENT_S_DN, h1.SSL_CLIENT_M_SERIAL]).toEqual([
      'SUCCESS',
      'CN=client,O=TSGI Tests',
      '1F2E',
    ]);
  });

  it('ADP-NODE-17: a large body both ways, byte-exact, without content-length', async () => {
    const server = await start(echoWhole, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const body = randomBytes(3 * 1024 * 1024 + 7);
    const res = await h2request(session, { ':method': 'POST', ':path': '/' }, body);
    session.close();
    expect(res.status).toBe(200);
    expect(res.body.equals(body)).toBe(true);
  });

  it('BODY-19 / ADP-NODE-12: an app reusing its chunk buffer sends the bytes it wrote, over HTTP/2', async () => {
    const server = await start(reuseRouter(), { tls: tls() });
    const session = await h2connect(server.handle.url);
    const cases = reuseCases(256 * 1024, { min: 8, max: 256 });
    const verdicts = await Promise.all(
      cases.map(async (c) => {
        const res = await h2request(session, { ':path': '/', 'x-reuse': reuseHeader(c) });
        return reuseVerdict(res.body, c);
      }),
    );
    session.close();
    expect(verdicts.filter((v) => v !== 'ok')).toEqual([]);
  });

  it('ADP-NODE-17: connection-specific fields are left out; a 426 keeps its upgrade off HTTP/2', async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('426 Upgrade Required', [
        ['content-type', 'text/plain'],
        ['x-multi', '1'],
        ['x-multi', '2'],
      ]);
      return [new TextEncoder().encode('no')];
    };
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const res = await h2request(session, { ':path': '/' });
    session.close();
    expect(res.status).toBe(426);
    expect(res.headers.connection).toBeUndefined();
    expect(res.headers['x-multi']).toBe('1, 2');
    expect(res.body.toString()).toBe('no');
    expect(server.errors.join('')).toBe('');
  });

  it('ADP-NODE-04 / ERR-04: a client RST_STREAM mid-body aborts tsgi.signal and releases the body', async () => {
    let aborted: unknown;
    let released!: () => void;
    const done = new Promise<void>((resolve) => {
      released = resolve;
    });
    const app: Application = (environ, startResponse) => {
      if (environ.PATH_INFO === '/short') {
        startResponse('200 OK', [['content-type', 'text/plain']]);
        return [new TextEncoder().encode('short')];
      }
      environ['tsgi.signal'].addEventListener('abort', () => {
        aborted = environ['tsgi.signal'].reason;
      });
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return (async function* () {
        try {
          for (;;) {
            yield new Uint8Array(16 * 1024);
            await new Promise((r) => setTimeout(r, 5));
          }
        } finally {
          released();
        }
      })();
    };
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const stream = session.request({ ':path': '/' });
    let received = 0;
    stream.on('data', (c: Buffer) => {
      received += c.length;
      if (received > 64 * 1024) stream.close(constants.NGHTTP2_CANCEL);
    });
    stream.on('error', () => {});
    await done;
    expect((aborted as Error).name).toBe('ClientDisconnectError');
    // The session survives its stream: another request on it is answered.
    const again = await h2request(session, { ':path': '/short' });
    session.close();
    expect(again.body.toString()).toBe('short');
  });

  it('ADP-NODE-15: 200 concurrent streams on one session each get their own answer', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [new TextEncoder().encode(String(environ.PATH_INFO))];
    };
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const all = await Promise.all(
      Array.from({ length: 200 }, (_, i) => h2request(session, { ':path': `/${i}` })),
    );
    session.close();
    expect(all.map((r) => r.body.toString())).toEqual(
      Array.from({ length: 200 }, (_, i) => `/${i}`),
    );
  });

  it('ADP-NODE-19 / SRV-09: graceful shutdown sends GOAWAY and lets an in-flight stream finish', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const app: Application = async (_environ, startResponse) => {
      started();
      await gate;
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [new TextEncoder().encode('finished')];
    };
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    let goaway = false;
    session.on('goaway', () => {
      goaway = true;
    });
    const pending = h2request(session, { ':path': '/' });
    await running;
    const closing = server.close({ timeout: 5000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(goaway).toBe(true);
    release();
    const res = await pending;
    await closing;
    expect(res.body.toString()).toBe('finished');
  });

  it('ADP-NODE-19 / ENV-24: out of time, the shutdown destroys the session and aborts the stream', async () => {
    let aborted = false;
    const app: Application = (environ) =>
      new Promise<never>(() => {
        environ['tsgi.signal'].addEventListener('abort', () => {
          aborted = true;
        });
      });
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    session.on('error', () => {});
    const pending = h2request(session, { ':path': '/' }).catch((err: Error) => err);
    await new Promise((r) => setTimeout(r, 100));
    await server.close({ timeout: 100 });
    expect(aborted).toBe(true);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('IN-07: Expect: 100-continue gets its 100 when the application reads', async () => {
    const server = await start(echoWhole, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const stream = session.request({ ':method': 'POST', ':path': '/', expect: '100-continue' });
    const continued = new Promise<void>((resolve) => stream.once('continue', resolve));
    await continued;
    stream.end('after 100');
    const body = await new Promise<string>((resolve) => {
      let text = '';
      stream.setEncoding('utf8');
      stream.on('data', (c: string) => {
        text += c;
      });
      stream.on('end', () => resolve(text));
    });
    session.close();
    expect(body).toBe('after 100');
  });

  it('SRV-07: an HTTP/1.1 client on the TLS port with a 128 KiB header gets 431, the app not run', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { tls: tls() });
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: server.port,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    socket.on('error', () => {}); // the server closes the connection after its answer
    await once(socket, 'secureConnect');
    let got = '';
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
    });
    const closed = once(socket, 'close');
    socket.write(`GET / HTTP/1.1\r\nHost: a\r\nX-Huge: ${'h'.repeat(128 * 1024)}\r\n\r\n`);
    await closed;
    expect(got).toMatch(/^HTTP\/1\.1 431 /);
    expect(seen).toHaveLength(0);
  });
});
