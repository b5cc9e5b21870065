/**
 * Requests refused before the application for their request line or Host (SRV-02, SRV-14..16,
 * ENV-34), over raw sockets, and the environ of the ones accepted: absolute-form (ENV-35, ENV-07,
 * ENV-10, ENV-12) and Host without a usable name (ENV-10). Each refusal asserts its status, that
 * the connection closes, and that the application never ran.
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@tsgi/harness';
import { createRequestListener } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, parseResponses, RawClient, recorder, start, withServer } from './_helpers.js';

afterEach(closeAll);

/** Sends `bytes` on a fresh connection and resolves with everything received until close. */
async function exchange(port: number, bytes: string): Promise<string> {
  const client = await RawClient.open(port);
  client.write(bytes);
  return client.untilClosed();
}

const statusOf = (text: string): number => Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1] ?? 0);

/** A server with a recording app; `refused` sends each request alone and expects `status`. */
async function setup() {
  const { app, seen } = recorder();
  const server = await start(app);
  return {
    server,
    seen,
    async refused(request: string, status: number): Promise<void> {
      const text = await exchange(server.port, request);
      expect([JSON.stringify(request), statusOf(text)]).toEqual([JSON.stringify(request), status]);
      expect(text).toMatch(/\r\nconnection: close\r\n/i);
    },
    /** The environ of one accepted request (answered and closed). */
    async environ(request: string) {
      const text = await exchange(server.port, request);
      expect(statusOf(text), request).toBe(200);
      return seen.at(-1)!;
    },
  };
}

const get = (target: string, host = 'x', version = 'HTTP/1.1'): string =>
  `GET ${target} ${version}\r\nHost: ${host}\r\n\r\n`;

describe('ENV-34 / SRV-02: Host validity', () => {
  it('a Host that is not uri-host [":" port] gets 400 and close; the app never runs', async () => {
    const t = await setup();
    for (const host of ['a b', 'x/y@z', 'a, b', 'user@host', 'host:8x', '[::1', 'a%zz', '[::1]x']) {
      await t.refused(get('/', host), 400);
    }
    // HTTP/1.0 is held to the same grammar; a second Host line is refused too.
    await t.refused(get('/', 'x/y', 'HTTP/1.0'), 400);
    await t.refused('GET / HTTP/1.1\r\nHost: x\r\nHost: x\r\n\r\n', 400);
    expect(t.seen).toEqual([]);
  });

  it('on a keep-alive connection each Host is checked, not only the first (the listener caches the last valid one)', async () => {
    const t = await setup();
    const text = await exchange(
      t.server.port,
      `${get('/1', 'good.test')}${get('/2', 'good.test')}${get('/3', 'a b')}`,
    );
    expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.status)).toEqual([
      200, 200, 400,
    ]);
    expect(t.seen.map((e) => e.PATH_INFO)).toEqual(['/1', '/2']);
  });

  it('ENV-10: valid Hosts are served; an empty Host names no host, so the listener address is used', async () => {
    const t = await setup();
    const names = [];
    for (const host of ['a,b:81', 'good.test:', '[::1]', 'caf%C3%A9.test', '']) {
      const env = await t.environ(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      names.push([env.HTTP_HOST, env.SERVER_NAME, env.SERVER_PORT]);
    }
    expect(names).toEqual([
      ['a,b:81', 'a,b', '81'],
      ['good.test:', 'good.test', '80'],
      ['[::1]', '[::1]', '80'],
      ['caf%C3%A9.test', 'caf%C3%A9.test', '80'],
      ['', '127.0.0.1', String(t.server.port)],
    ]);
  });

  it('ENV-10: on a unix socket a request without a usable Host gets localhost and the scheme default', async () => {
    const dir = tempDir();
    try {
      const path = join(dir.path, 'tsgi.sock');
      const { app, seen } = recorder();
      await start(app, { path });
      for (const head of [
        'GET / HTTP/1.0\r\n',
        'GET / HTTP/1.1\r\nHost:\r\nConnection: close\r\n',
      ]) {
        await new Promise<void>((resolve) => {
          const s = connect({ path }, () => s.write(`${head}\r\n`));
          s.on('data', () => {});
          s.on('close', () => resolve());
        });
      }
      expect(seen.map((e) => [e.SERVER_NAME, e.SERVER_PORT])).toEqual([
        ['localhost', '80'],
        ['localhost', '80'],
      ]);
    } finally {
      await closeAll();
      dir.remove();
    }
  });
});

describe('SRV-15 / SRV-02: request-target forms', () => {
  it('GET *, other schemes, bad authorities and # get 400 and close; the app never runs', async () => {
    const t = await setup();
    for (const target of [
      '*',
      '*x',
      'a://b',
      'ftp://x/y',
      'http:///y',
      'http://u@x/',
      'http://x:8x/',
      '/a#b',
      'http://x/a#b',
    ]) {
      await t.refused(get(target), 400);
    }
    expect(t.seen).toEqual([]);
  });

  it('octets 0x00-0x20 and 0x7F are node’s parser’s to refuse, lenient or not (the listener relies on it)', async () => {
    const t = await setup();
    const { app, seen } = recorder();
    const lenient = createServer({ insecureHTTPParser: true }).on(
      'request',
      createRequestListener(app),
    );
    await withServer(lenient, async (port) => {
      for (const target of ['/a\x00b', '/a\x01b', '/a\x1fb', '/a?\x0b', '/a\x7fb', '/a?\x7f']) {
        await t.refused(get(target), 400);
        expect(statusOf(await exchange(port, get(target))), JSON.stringify(target)).toBe(400);
      }
    });
    expect([...t.seen, ...seen]).toEqual([]);
  });

  it('SRV-02: nothing pipelined behind a refused target reaches the app', async () => {
    const t = await setup();
    const text = await exchange(t.server.port, `${get('*')}${get('/after')}`);
    expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.status)).toEqual([400]);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.seen).toEqual([]);
  });

  it('OPTIONS * and the characters SRV-15 lets a server accept are served', async () => {
    const t = await setup();
    const star = await t.environ('OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect([star.PATH_INFO, star.REQUEST_URI]).toEqual(['*', '*']);
    const odd = await t.environ(
      'GET /a"<>\\^`{|}?q=| HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect([odd.PATH_INFO, odd.QUERY_STRING]).toEqual(['/a"<>\\^`{|}', 'q=|']);
  });
});

describe('SRV-16: versions', () => {
  it('HTTP/2.0 (which llhttp passes on) and HTTP/1.2, HTTP/3.0, the HTTP/2 preface (which it refuses) get 505', async () => {
    const t = await setup();
    for (const version of ['HTTP/2.0', 'HTTP/1.2', 'HTTP/3.0', 'HTTP/9.9']) {
      await t.refused(get('/', 'x', version), 505);
    }
    await t.refused('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 505);
    expect(t.seen).toEqual([]);
  });

  it('a malformed version is still node’s 400; a request line without a version never reaches the app', async () => {
    const t = await setup();
    for (const version of ['HTTP/1.10', 'http/1.1', 'HTTP/1.1 ']) {
      await t.refused(get('/', 'x', version), 400);
    }
    // llhttp reads `GET /` plus header lines as version 0.9, like an explicit `HTTP/0.9`.
    await t.refused('GET /\r\nHost: x\r\n\r\n', 400);
    await t.refused('GET /\r\n\r\n', 400);
    await t.refused(get('/', 'x', 'HTTP/0.9'), 400);
    const text = await exchange(t.server.port, `${get('/first')}GET /b\r\n\r\n`);
    expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.status)).toEqual([200, 400]);
    expect(t.seen.map((e) => e.PATH_INFO)).toEqual(['/first']);
  });

  it('createRequestListener refuses a version the lenient parser lets through (insecureHTTPParser)', async () => {
    const { app, seen } = recorder();
    const server = createServer({ insecureHTTPParser: true, requireHostHeader: false });
    server.on('request', createRequestListener(app));
    await withServer(server, async (port) => {
      expect(statusOf(await exchange(port, get('/', 'x', 'HTTP/1.2')))).toBe(505);
    });
    expect(seen).toEqual([]);
  });
});

describe('SRV-14: Content-Length', () => {
  it('repeated Content-Length lines, even equal, or a list get 400 (node’s parser) without the app', async () => {
    const t = await setup();
    const post = (fields: string) => `POST / HTTP/1.1\r\nHost: x\r\n${fields}\r\nabc`;
    await t.refused(post('Content-Length: 3\r\nContent-Length: 3\r\n'), 400);
    await t.refused(post('Content-Length: 3, 3\r\n'), 400);
    await t.refused(post('Content-Length: 3\r\ncontent-length: 4\r\n'), 400);
    expect(t.seen).toEqual([]);
  });
});

describe('ENV-35: absolute-form', () => {
  it('ENV-07 / ENV-10 / ENV-12: HTTP_HOST and SERVER_NAME/PORT come from the target; Host stays in raw_headers', async () => {
    const t = await setup();
    const env = await t.environ(
      'GET http://evil.test:8081/p%2Fq?z=1 HTTP/1.1\r\nHost: good.test\r\nConnection: close\r\n\r\n',
    );
    expect(env).toMatchObject({
      REQUEST_URI: 'http://evil.test:8081/p%2Fq?z=1',
      PATH_INFO: '/p/q',
      QUERY_STRING: 'z=1',
      HTTP_HOST: 'evil.test:8081',
      SERVER_NAME: 'evil.test',
      SERVER_PORT: '8081',
    });
    expect(env['tsgi.raw_headers']).toEqual([
      ['Host', 'good.test'],
      ['Connection', 'close'],
    ]);
  });

  it('ENV-10: without a port the scheme default of tsgi.url_scheme; no path; HTTP/1.0 without Host; IPv6', async () => {
    const t = await setup();
    const rows = [];
    for (const request of [
      'GET HTTPS://Evil.test HTTP/1.1\r\nHost: good.test\r\nConnection: close\r\n\r\n',
      'GET http://evil.test?q HTTP/1.0\r\n\r\n',
      'GET http://[::1]:8/ HTTP/1.1\r\nHost: good.test\r\nConnection: close\r\n\r\n',
    ]) {
      const env = await t.environ(request);
      rows.push([env.HTTP_HOST, env.SERVER_NAME, env.SERVER_PORT, env.PATH_INFO, env.QUERY_STRING]);
    }
    expect(rows).toEqual([
      ['Evil.test', 'Evil.test', '80', '/', ''],
      ['evil.test', 'evil.test', '80', '/', 'q'],
      ['[::1]:8', '[::1]', '8', '/', ''],
    ]);
  });

  it('ENV-10: on a keep-alive connection each request gets the name of its own target or Host', async () => {
    const { app, seen } = recorder();
    const server = await start(app);
    const client = await RawClient.open(server.port);
    client.write(get('http://a.test/', 'good.test'));
    client.write(get('/', 'good.test'));
    client.write(get('http://b.test:9/', 'good.test'));
    await client.until((text) => parseResponses(Buffer.from(text, 'latin1')).length === 3);
    client.destroy();
    expect(seen.map((e) => `${e.HTTP_HOST} ${e.SERVER_NAME}:${e.SERVER_PORT}`)).toEqual([
      'a.test a.test:80',
      'good.test good.test:80',
      'b.test:9 b.test:9',
    ]);
  });
});

describe('access log', () => {
  it('ADP-NODE-14: refusals are logged with their status and bytes, by the listener and for node’s parser', async () => {
    const t = await setup();
    await t.refused(get('/', 'a b'), 400);
    await t.refused(get('/', 'x', 'HTTP/1.2'), 505);
    await t.refused(get('/', 'x', 'HTTP/1.10'), 400);
    expect(t.server.access).toEqual([
      // The listener's own 400 carries core's 16-byte body ("400 Bad Request\n"), counted.
      expect.stringMatching(/^127\.0\.0\.1 - - \[.+\] "GET \/ HTTP\/1\.1" 400 16$/),
      expect.stringMatching(/^127\.0\.0\.1 - - \[.+\] "-" 505 -$/),
      expect.stringMatching(/^127\.0\.0\.1 - - \[.+\] "-" 400 -$/),
    ]);
  });

  it('ADP-NODE-14: a body node’s parser refuses mid-request is logged once, with its request line and 400', async () => {
    const server = await start(async (environ, sr) => {
      try {
        for await (const _ of environ['tsgi.input']);
      } catch {}
      sr('200 OK', []);
      return [];
    });
    const text = await exchange(
      server.port,
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nabcde\r\nZZ\r\n',
    );
    expect(statusOf(text)).toBe(400);
    await new Promise((r) => setTimeout(r, 50));
    expect(server.access).toEqual([expect.stringMatching(/ "POST \/ HTTP\/1\.1" 400 -$/)]);
  });

  it('node’s other parser answers are kept: 431 for an oversized head', async () => {
    const { app, seen } = recorder();
    const server = await start(app, { maxHeaderSize: 1024 });
    const text = await exchange(
      server.port,
      `GET / HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(2048)}\r\n\r\n`,
    );
    expect(statusOf(text)).toBe(431);
    expect(seen).toEqual([]);
    expect(server.access).toEqual([expect.stringMatching(/"-" 431 -$/)]);
  });
});

describe('SRV-02, SRV-16: a refusal has the one shape core gives every adapter', () => {
  it('400 and 505 carry text/plain; charset=utf-8, the status line as the body, and a length', async () => {
    const t = await setup();
    for (const [request, status] of [
      [get('/', 'a b'), '400 Bad Request'],
      [get('/', 'x', 'HTTP/2.0'), '505 HTTP Version Not Supported'],
    ] as const) {
      const text = await exchange(t.server.port, request);
      const body = `${status}\n`;
      expect(text).toMatch(/\r\ncontent-type: text\/plain; charset=utf-8\r\n/i);
      expect(text).toMatch(new RegExp(`\\r\\ncontent-length: ${body.length}\\r\\n`, 'i'));
      expect(text.endsWith(`\r\n\r\n${body}`)).toBe(true);
    }
  });
});
