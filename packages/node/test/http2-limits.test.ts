/**
 * HTTP/2 limits and timeouts on `serve` (ADP-NODE-19), HTTP/1.1 beside HTTP/2 on one server, and
 * h2c (ADP-NODE-15).
 */
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import type { Application } from '@tsgi/core';
import { requireTool } from '@tsgi/harness';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { h2connect, h2request, serverTls } from './_h2.js';
import { closeAll, recorder, start } from './_helpers.js';

const run = promisify(execFile);
const openssl = requireTool('openssl', 'makes the certificates of the HTTP/2 tests');
const curl = requireTool('curl', 'an HTTP/2 client other than node (h2c)');
const tls = (): { key: Buffer; cert: Buffer } => serverTls(openssl!);

afterEach(closeAll);
afterAll(closeAll);

describe.runIf(openssl !== undefined)('HTTP/2 limits (ADP-NODE-19)', () => {
  it('SRV-07: more than maxHeaders fields get 431 on their stream; the session goes on', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { tls: tls(), maxHeaders: 10 });
    const session = await h2connect(server.handle.url);
    const many: Record<string, string> = { ':path': '/' };
    for (let i = 0; i < 11; i++) many[`x-h${i}`] = 'v';
    const refused = await h2request(session, many);
    const fine = await h2request(session, { ':path': '/fine' });
    session.close();
    expect([refused.status, fine.status]).toEqual([431, 200]);
    expect(seen.map((e) => e.PATH_INFO)).toEqual(['/fine']);
  });

  it('SRV-07: a header list over maxHeaderSize resets the stream, never reaching the app', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { tls: tls(), maxHeaderSize: 4096 });
    const session = await h2connect(server.handle.url);
    session.on('error', () => {});
    // The setting binds once the client has acknowledged it: after a first response, surely.
    await h2request(session, { ':path': '/first' });
    const big = await h2request(session, { ':path': '/', 'x-big': 'a'.repeat(8192) }).catch(
      (err: Error) => err,
    );
    expect(big).toBeInstanceOf(Error);
    expect(seen.map((e) => e.PATH_INFO)).toEqual(['/first']);
    session.destroy();
  });

  it('SRV-06: keepAliveTimeout sends GOAWAY to a session with no open stream', async () => {
    const { app } = recorder();
    const server = await start(app, { tls: tls(), keepAliveTimeout: 200 });
    const session = await h2connect(server.handle.url);
    await h2request(session, { ':path': '/' });
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 3000);
      session.once('goaway', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    expect(closed).toBe(true);
    session.destroy();
  });

  it('SRV-06: an idle HTTP/1.1 connection on the HTTP/2 server closes after keepAliveTimeout', async () => {
    const { app } = recorder();
    const server = await start(app, { tls: tls(), keepAliveTimeout: 200 });
    const socket = tlsConnect({
      host: '127.0.0.1',
      port: server.port,
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    socket.on('error', () => {});
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
    });
    const closedAfter = await new Promise<number>((resolve) => {
      const t0 = Date.now();
      const timer = setTimeout(() => resolve(-1), 5000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(Date.now() - t0);
      });
    });
    expect(text).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(closedAfter).toBeGreaterThan(0);
  });

  it('ADP-NODE-02: a client that does not read holds the app back (flow control, backpressure)', async () => {
    let produced = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'application/octet-stream']]);
      return (function* () {
        for (let i = 0; i < 1024; i++) {
          produced++;
          yield new Uint8Array(64 * 1024); // 64 MiB if nothing held the app back
        }
      })();
    };
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const stream = session.request({ ':path': '/' });
    stream.pause(); // reads nothing: the stream's window (64 KiB) fills and stays full
    stream.on('error', () => {});
    await new Promise((r) => setTimeout(r, 500));
    // The window, node's stream buffer and ADP-NODE-02's 128 KiB bound: well under 1 MiB.
    expect(produced).toBeGreaterThan(0);
    expect(produced * 64 * 1024).toBeLessThan(1024 * 1024);
    session.destroy();
  });

  // node:http2 closes a server stream whose response is out and whose request is not (RFC 9113
  // §8.1); node:http instead drains the body (IN-06), which HTTP/2 need not do.
  it('ADP-NODE-17: a request body the app leaves unread is refused with RST_STREAM NO_ERROR after the response', async () => {
    const { app } = recorder(); // never reads tsgi.input
    const server = await start(app, { tls: tls() });
    const session = await h2connect(server.handle.url);
    const stream = session.request({ ':method': 'POST', ':path': '/' });
    stream.on('error', () => {});
    stream.write(Buffer.alloc(1 << 20)); // far past the stream's 64 KiB window; never ended
    let status = 0;
    stream.on('response', (h) => {
      status = Number(h[':status']);
    });
    stream.resume();
    const t0 = Date.now();
    while (!stream.closed && Date.now() - t0 < 3000) await new Promise((r) => setTimeout(r, 20));
    expect([status, stream.closed, stream.rstCode]).toEqual([200, true, 0]);
    session.destroy();
  });

  it('SRV-09: shutdown lets an in-flight HTTP/1.1 request on the HTTP/2 server finish, with Connection: close', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app: Application = async (_environ, startResponse) => {
      await gate;
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [new TextEncoder().encode('done')];
    };
    const server = await start(app, { tls: tls() });
    const answer = new Promise<[number, string | undefined, string]>((resolve, reject) => {
      httpsRequest(
        { host: '127.0.0.1', port: server.port, path: '/', rejectUnauthorized: false },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => {
            body += d.toString();
          });
          res.on('end', () => resolve([res.statusCode!, res.headers.connection, body]));
        },
      )
        .on('error', reject)
        .end();
    });
    await new Promise((r) => setTimeout(r, 100));
    const closing = server.close({ timeout: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    release();
    expect(await answer).toEqual([200, 'close', 'done']);
    await closing;
  });

  it('ADP-NODE-13: past maxConnections a connection is closed without an answer', async () => {
    const { app } = recorder();
    const server = await start(app, { tls: tls(), maxConnections: 1 });
    const first = await h2connect(server.handle.url);
    await h2request(first, { ':path': '/' });
    const second = await h2connect(server.handle.url).then(
      () => 'connected',
      () => 'refused',
    );
    first.close();
    expect(second).toBe('refused');
    expect(server.access.filter((l) => / - - \[.*\] "-" - -$/.test(l))).toHaveLength(1);
  });
});

describe('h2c (HTTP/2 with prior knowledge, no TLS)', () => {
  it('ADP-NODE-15: http2: true without tls serves HTTP/2 to a prior-knowledge client', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { http2: true });
    expect(server.handle.url).toMatch(/^http:/);
    const session = await h2connect(server.handle.url);
    const res = await h2request(session, { ':path': '/', ':authority': 'h2c.test' });
    session.close();
    expect(res.status).toBe(200);
    expect(seen[0]!.SERVER_PROTOCOL).toBe('HTTP/2');
    expect(seen[0]!.HTTPS).toBeUndefined();
    expect(seen[0]!['tsgi.url_scheme']).toBe('http');
    expect(seen[0]!.HTTP_HOST).toBe('h2c.test');
  });

  it.runIf(curl !== undefined)('ADP-NODE-15: curl --http2-prior-knowledge', async () => {
    const { app } = recorder();
    const server = await start(app, { http2: true });
    const { stdout } = await run(curl!, [
      '-s',
      '--http2-prior-knowledge',
      '-w',
      ' %{http_version}',
      `http://127.0.0.1:${server.port}/`,
    ]);
    expect(stdout).toBe('ok 2');
  });
});
