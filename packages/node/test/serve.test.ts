/** serve(): listening, access log, error stream, graceful shutdown (SRV-*, ENV-24). */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Application } from '@tsgi/core';
import { tempDir } from '@tsgi/harness';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  deferred,
  enc,
  eventually,
  parseResponses,
  RawClient,
  request,
  start,
} from './_helpers.js';

afterEach(closeAll);

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(false);
    });
    s.on('error', () => resolve(true));
  });
}

/** An app whose requests wait until the test releases them. */
function gated() {
  const gate = deferred();
  let arrived = 0;
  const app: Application = async (environ, startResponse) => {
    arrived++;
    await gate.promise;
    startResponse('200 OK', []);
    return [enc(`done ${environ.PATH_INFO}`)];
  };
  return { app, gate, arrived: () => arrived };
}

describe('serve', () => {
  it('listens on 127.0.0.1 by default and reports the URL (port 0 picks one)', async () => {
    const server = await start((_e, sr) => {
      sr('200 OK', []);
      return [enc('hi')];
    });
    expect(server.handle.url).toBe(`http://127.0.0.1:${server.port}`);
    expect((await request(server.port)).body.toString()).toBe('hi');
  });

  it('listens on a unix socket with { path }', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'tsgi.sock');
      const server = await start(
        (environ, sr) => {
          sr('200 OK', []);
          return [enc(`${environ.SERVER_NAME}:${environ.SERVER_PORT}`)];
        },
        { path },
      );
      expect(server.handle.url).toBe(`unix:${path}`);
      const text = await new Promise<string>((resolve) => {
        const s = connect({ path }, () =>
          s.write('GET / HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n'),
        );
        let out = '';
        s.on('data', (d) => {
          out += d.toString('latin1');
        });
        s.on('close', () => resolve(out));
      });
      expect(parseResponses(Buffer.from(text, 'latin1'))[0]!.body.toString()).toBe('app.test:80');
    } finally {
      await closeAll();
      dir.remove();
    }
  });

  it('SRV-07: a header section over maxHeaderSize gets 431 without running the app', async () => {
    let called = false;
    const server = await start(
      (_e, sr) => {
        called = true;
        sr('200 OK', []);
        return [];
      },
      { maxHeaderSize: 1024 },
    );
    const client = await RawClient.open(server.port);
    client.write(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`);
    expect(await client.untilClosed()).toMatch(/^HTTP\/1\.1 431 /);
    expect(called).toBe(false);
  });

  it('SRV-08, ADP-NODE-13: a connection beyond maxConnections gets a 503 with Retry-After, is closed and logged', async () => {
    const server = await start(
      (_e, sr) => {
        sr('200 OK', []);
        return [enc('x')];
      },
      { maxConnections: 1 },
    );
    const first = await RawClient.open(server.port);
    first.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await first.until((t) => parseResponses(Buffer.from(t, 'latin1')).some((r) => r.complete));
    const second = await RawClient.open(server.port);
    second.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const [refused] = parseResponses(Buffer.from(await second.untilClosed(), 'latin1'), ['GET']);
    expect(refused?.status).toBe(503);
    expect(refused?.complete).toBe(true);
    expect(refused?.header('retry-after')).toBe('1');
    expect(refused?.header('connection')).toBe('close');
    expect(refused?.body.toString()).toBe('503 Service Unavailable\n');
    expect(server.access.at(-1)).toMatch(/ "-" 503 24$/);
    // The slot frees when the first connection closes: the next one is served.
    first.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const third = await request(server.port);
    expect(third.status).toBe(200);
  });

  it('ADP-NODE-14: the access log in combined and json formats (issue 23)', async () => {
    const app: Application = (_e, sr) => {
      sr('200 OK', []);
      return [enc('hello')];
    };
    const combined = await start(app, { accessLogFormat: 'combined' });
    await request(combined.port, '/c?x=1', {
      headers: { referer: 'http://r.test/', 'user-agent': 'ua "1"' },
    });
    expect(combined.access).toEqual([
      expect.stringMatching(
        /^127\.0\.0\.1 - - \[.+\] "GET \/c\?x=1 HTTP\/1\.1" 200 5 "http:\/\/r\.test\/" "ua \\"1\\""$/,
      ),
    ]);
    const json = await start(app, { accessLogFormat: 'json' });
    await request(json.port, '/j');
    const entry = JSON.parse(json.access[0]!);
    expect(entry).toMatchObject({
      remote: '127.0.0.1',
      request: 'GET /j HTTP/1.1',
      status: 200,
      bytes: 5,
      referer: null,
    });
    expect(new Date(entry.time).getTime()).toBeGreaterThan(0);
    expect(entry.duration_ms).toBeGreaterThanOrEqual(0);
    await expect(start(app, { accessLogFormat: 'xml' as 'json' })).rejects.toThrow(
      /accessLogFormat/,
    );
  });

  it('SRV-08, ADP-NODE-13: maxConnectionsPerAddress refuses one address its extra connections, not another (issue 22)', async () => {
    const server = await start(
      (_e, sr) => {
        sr('200 OK', []);
        return [enc('x')];
      },
      { maxConnectionsPerAddress: 1 },
    );
    const open = (localAddress: string): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = connect({ port: server.port, host: '127.0.0.1', localAddress });
        s.once('connect', () => resolve(s)).once('error', reject);
      });
    const first = await open('127.0.0.1'); // holds 127.0.0.1's one slot
    const sameAddress = await open('127.0.0.1');
    const answered = await new Promise<string>((r) => {
      let text = '';
      sameAddress.on('data', (d) => {
        text += d;
      });
      sameAddress.once('close', () => r(text));
      sameAddress.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(answered).toMatch(/^HTTP\/1\.1 503 /);
    // Another loopback address is served while 127.0.0.1 is at its limit.
    const other = await open('127.0.0.2');
    const served = await new Promise<string>((r) => {
      let text = '';
      other.on('data', (d) => {
        text += d;
        if (text.includes('\r\n\r\nx')) r(text);
      });
      other.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(served).toMatch(/^HTTP\/1\.1 200 /);
    for (const s of [first, other]) s.destroy();
  });

  it('ADP-NODE-13: maxConnections is checked at setup', async () => {
    const app: Application = (_e, sr) => {
      sr('200 OK', []);
      return [];
    };
    await expect(start(app, { maxConnections: 0 })).rejects.toThrow(
      /maxConnections must be a positive integer/,
    );
  });

  it('ERRS-01: tsgi.errors text goes to the errors option', async () => {
    const server = await start((environ, sr) => {
      environ['tsgi.errors'].write('app says hi\n');
      sr('200 OK', []);
      return [];
    });
    await request(server.port);
    expect(server.errors).toEqual(['app says hi\n']);
  });

  it('access log: one Common Log Format line per request', async () => {
    const server = await start((environ, sr) => {
      sr(environ.PATH_INFO === '/missing' ? '404 Not Found' : '200 OK', []);
      return [enc('ok')];
    });
    await request(server.port, '/p?q="x"');
    await request(server.port, '/missing', { method: 'HEAD' });
    await eventually(() => server.access.length === 2);
    expect(server.access[0]).toMatch(
      /^127\.0\.0\.1 - - \[\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "GET \/p\?q=\\"x\\" HTTP\/1\.1" 200 2$/,
    );
    expect(server.access[1]).toMatch(/"HEAD \/missing HTTP\/1\.1" 404 -$/);
  });

  it('SRV-09: graceful shutdown: in-flight requests complete, new connections are refused', async () => {
    const { app, gate, arrived } = gated();
    const server = await start(app);
    const a = request(server.port, '/a');
    const b = request(server.port, '/b');
    await eventually(() => arrived() === 2);
    const closed = server.close({ timeout: 10_000 });
    expect(await refused(server.port)).toBe(true);
    gate.resolve();
    const [ra, rb] = await Promise.all([a, b]);
    expect([ra.status, ra.body.toString(), rb.body.toString()]).toEqual([
      200,
      'done /a',
      'done /b',
    ]);
    expect(ra.header('connection')).toBe('close');
    await closed;
  });

  it('SRV-09: graceful shutdown closes idle keep-alive connections at once', async () => {
    const server = await start((_e, sr) => {
      sr('200 OK', []);
      return [enc('x')];
    });
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until((t) => parseResponses(Buffer.from(t, 'latin1')).some((r) => r.complete));
    await server.close({ timeout: 10_000 });
    await client.untilClosed();
  });

  it('SRV-09 / ENV-24: past the shutdown timeout, tsgi.signal is aborted, the body released and the socket closed', async () => {
    const stats = { aborted: false, released: false };
    const server = await start((environ, sr) => {
      sr('200 OK', []);
      environ['tsgi.signal'].addEventListener('abort', () => {
        stats.aborted = true;
      });
      let n = 0;
      return {
        [Symbol.asyncIterator]: () => ({
          // The first chunk at once, then nothing, ever: only the shutdown ends this request.
          next: () =>
            n++ === 0
              ? Promise.resolve({ done: false, value: enc('start') })
              : new Promise(() => {}),
          return() {
            stats.released = true;
            return Promise.resolve({ done: true as const, value: undefined });
          },
        }),
      };
    });
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until((t) => t.includes('start'));
    await server.close({ timeout: 50 });
    const text = await client.untilClosed();
    expect(parseResponses(Buffer.from(text, 'latin1'), ['GET'])[0]!.complete).toBe(false);
    expect(stats).toEqual({ aborted: true, released: true });
  });
});
