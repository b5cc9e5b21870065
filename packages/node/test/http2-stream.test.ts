/**
 * The HTTP/2 stream path (ADP-NODE-15, ADP-NODE-17): what the exchange does on node's stream API
 * itself (the head through `stream.respond`, bodiless responses, RST_STREAM on abort, a stream's
 * errors), and the same path under a host's own `node:http2` server given
 * `createRequestListener`. h2c with prior knowledge: no certificates needed.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { constants, createServer } from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { Application } from '@tsgi/core';
import { createRequestListener } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import { echoWhole, h2connect, h2request } from './_h2.js';
import { closeAll, recorder, start } from './_helpers.js';

afterEach(closeAll);

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('HTTP/2 stream path', () => {
  it('BODY-18 / ADP-NODE-17: HEAD, 204 and 304 end the stream with the HEADERS frame, no DATA', async () => {
    const app: Application = (environ, startResponse) => {
      const code = environ.PATH_INFO.slice(1);
      const status =
        code === '204' ? '204 No Content' : code === '304' ? '304 Not Modified' : '200 OK';
      const length: Array<[string, string]> = code === '200' ? [['content-length', '5']] : [];
      startResponse(status, [
        ['content-type', 'text/plain'],
        ...length,
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ]);
      return [text('hello')];
    };
    const server = await start(app, { http2: true });
    const session = await h2connect(server.handle.url);
    const head = await h2request(session, { ':path': '/200', ':method': 'HEAD' });
    const get = await h2request(session, { ':path': '/200' });
    const none = await h2request(session, { ':path': '/204' });
    const notModified = await h2request(session, { ':path': '/304' });
    session.close();
    expect(get.body.toString()).toBe('hello');
    expect(get.headers['content-length']).toBe('5');
    // SR-03: a repeated field stays one line per value (node's client lists them).
    expect(get.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect([head.status, head.headers['content-length'], head.body.length]).toEqual([200, '5', 0]);
    expect([none.status, none.body.length]).toEqual([204, 0]);
    expect([notModified.status, notModified.body.length]).toEqual([304, 0]);
    expect(server.errors.join('')).toBe('');
  });

  it('ERR-03 / ADP-NODE-17: an app failing mid-body gets RST_STREAM INTERNAL_ERROR; the session goes on', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      if (environ.PATH_INFO === '/ok') return [text('fine')];
      return (async function* () {
        yield text('partial');
        throw new Error('app failed mid-body');
      })();
    };
    const server = await start(app, { http2: true });
    const session = await h2connect(server.handle.url);
    const stream = session.request({ ':path': '/fail' });
    stream.resume();
    stream.on('error', () => {}); // the client sees the reset as an error too
    await new Promise((resolve) => stream.on('close', resolve));
    expect(stream.rstCode).toBe(constants.NGHTTP2_INTERNAL_ERROR);
    const ok = await h2request(session, { ':path': '/ok' });
    session.close();
    expect(ok.body.toString()).toBe('fine');
    expect(server.errors.join('')).toMatch(/app failed mid-body/);
  });

  it('ADP-NODE-04: a stream the client resets with an error code aborts tsgi.signal; the server goes on', async () => {
    let reason: unknown;
    const app: Application = (environ, startResponse) => {
      if (environ.PATH_INFO === '/ok') {
        startResponse('200 OK', []);
        return [text('ok')];
      }
      const signal = environ['tsgi.signal'];
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          reason = signal.reason;
          startResponse('200 OK', []);
          resolve([]);
        });
      });
    };
    const server = await start(app, { http2: true });
    const session = await h2connect(server.handle.url);
    const stream = session.request({ ':path': '/wait' });
    stream.on('error', () => {});
    await new Promise((r) => setTimeout(r, 50));
    // A code other than CANCEL: node emits 'error' on the server's stream, which must not crash it.
    stream.close(constants.NGHTTP2_PROTOCOL_ERROR);
    await expect.poll(() => reason).toBeInstanceOf(Error);
    const ok = await h2request(session, { ':path': '/ok' });
    session.close();
    expect(ok.body.toString()).toBe('ok');
    // The app answered after the reset: nothing to send, and nothing to complain about.
    expect(server.errors.join('')).toBe('');
  });

  it('IN-15 / ERR-05: a stream reset while the app reads its body rejects the read with ClientDisconnectError', async () => {
    let failure: unknown;
    const app: Application = async (environ, startResponse) => {
      try {
        for (;;) if ((await environ['tsgi.input'].read()).length === 0) break;
      } catch (err) {
        failure = err;
      }
      startResponse('200 OK', []);
      return [];
    };
    const server = await start(app, { http2: true });
    const session = await h2connect(server.handle.url);
    // node's client ends its side before the RST_STREAM: with a length declared, the body is
    // still cut short (a body without one would simply be complete).
    const stream = session.request({ ':path': '/', ':method': 'POST', 'content-length': '1000' });
    stream.on('error', () => {});
    stream.write('the first part of a body that never ends');
    await new Promise((r) => setTimeout(r, 50));
    stream.close(constants.NGHTTP2_CANCEL);
    await expect.poll(() => failure).toBeDefined();
    session.close();
    expect((failure as { code?: string }).code).toBe('TSGI_CLIENT_DISCONNECT');
  });

  it('ADP-NODE-12 / BODY-19: tsgi.input returned as the body (an echo) comes back byte-exact over HTTP/2', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'application/octet-stream']]);
      return environ['tsgi.input'];
    };
    const server = await start(app, { http2: true });
    const session = await h2connect(server.handle.url);
    const body = randomBytes(3 * 1024 * 1024);
    const res = await h2request(session, { ':path': '/', ':method': 'POST' }, body);
    session.close();
    expect(res.status).toBe(200);
    expect(res.body.length).toBe(body.length);
    expect(Buffer.compare(res.body, body)).toBe(0);
    expect(server.errors.join('')).toBe('');
  });
});

describe("createRequestListener on a host's own node:http2 server", () => {
  it('ADP-NODE-15: serves the streams under the compat objects, bodies and 100-continue included', async () => {
    const { app, seen } = recorder();
    const echo: Application = (environ, startResponse) =>
      (environ.REQUEST_METHOD === 'GET' ? app : echoWhole)(environ, startResponse);
    const listener = createRequestListener(echo, { errors: () => {} });
    const server = createServer().on('request', listener).on('checkContinue', listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const session = await h2connect(url);
      const get = await h2request(session, { ':path': '/x?y=1' });
      const body = Buffer.alloc(100_000, 7);
      const post = await h2request(session, { ':path': '/', ':method': 'POST' }, body);
      // IN-07: the client waits for 100 before its body; the app's first read sends it.
      const waiting = session.request({
        ':path': '/',
        ':method': 'POST',
        expect: '100-continue',
      });
      const chunks: Buffer[] = [];
      waiting.on('continue', () => waiting.end('after 100'));
      waiting.on('data', (c: Buffer) => chunks.push(c));
      await once(waiting, 'end');
      session.close();
      expect(get.status).toBe(200);
      expect(seen[0]!.SERVER_PROTOCOL).toBe('HTTP/2');
      expect(seen[0]!.QUERY_STRING).toBe('y=1');
      expect(Buffer.compare(post.body, body)).toBe(0);
      expect(Buffer.concat(chunks).toString()).toBe('after 100');
    } finally {
      server.close();
    }
  });
});
