/**
 * `fromNodeHandler`: node's `req`/`res` behave as node's own for what frameworks use, on a real
 * node:http server (`@tsgi/node`'s `serve`) and in memory through the engine.
 */
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import { mount } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { serve } from '@tsgi/node';
import { fromNodeHandler, type NodeHandler } from '@tsgi/node-bridge';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function served(handler: NodeHandler): Promise<URL> {
  const server = await serve(fromNodeHandler(handler), {
    host: '127.0.0.1',
    port: 0,
    errors: () => {},
  });
  closers.push(() => server.close({ timeout: 200 }));
  return new URL(server.url);
}

interface Got {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(url: URL, init: { method?: string; body?: Buffer; path?: string } = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const r = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: init.path ?? '/',
        method: init.method ?? 'GET',
        headers: init.body === undefined ? {} : { 'content-type': 'application/octet-stream' },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks),
          }),
        );
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(init.body);
  });
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

describe('fromNodeHandler: the response (node ServerResponse semantics)', () => {
  it('BODY-10: res.end(data) gives a content-length, res.write without one is framed by the server (chunked)', async () => {
    const url = await served((req, res) => {
      if (req.url === '/whole') res.end('whole body');
      else {
        res.write('a');
        setImmediate(() => res.end('b'));
      }
    });
    const whole = await get(url, { path: '/whole' });
    expect(whole.headers['content-length']).toBe('10');
    expect(whole.body.toString()).toBe('whole body');
    const open = await get(url, { path: '/open' });
    expect(open.headers['transfer-encoding']).toBe('chunked');
    expect(open.body.toString()).toBe('ab');
  });

  it('SR-03: setHeader/getHeaders/removeHeader and flushHeaders as node has them', async () => {
    let seen: unknown;
    const url = await served(async (_req, res) => {
      res.setHeader('x-a', '1');
      res.setHeader('x-b', ['2', '3']);
      res.removeHeader('x-a');
      res.statusCode = 202;
      seen = res.getHeaders();
      res.flushHeaders();
      await new Promise((resolve) => setTimeout(resolve, 5));
      res.end('late');
    });
    const r = await get(url);
    expect(seen).toEqual({ 'x-b': ['2', '3'] });
    expect(r.status).toBe(202);
    expect(r.headers['x-a']).toBeUndefined();
    expect(r.headers['x-b']).toBe('2, 3');
    expect(r.body.toString()).toBe('late');
  });

  it('SR-03: writeHead raw arrays, statusMessage, headersSent and repeated fields reach the client', async () => {
    let seen: unknown;
    const url = await served((_req, res) => {
      const before = res.headersSent;
      // Raw arrays keep repeated fields apart (node merges them into setHeader() state when
      // setHeader was used first, and so does the bridge: it is node's writeHead).
      res.writeHead(201, 'Fine', [
        'X-Raw',
        'a',
        'X-Raw',
        'b',
        'Set-Cookie',
        'c=1',
        'Set-Cookie',
        'd=2',
      ]);
      seen = { before, after: res.headersSent };
      res.end();
    });
    const r = await new Promise<IncomingMessage>((resolve, reject) =>
      http
        .get({ host: url.hostname, port: url.port, path: '/', agent: false }, resolve)
        .on('error', reject),
    );
    r.resume();
    await once(r, 'end');
    expect(r.statusCode).toBe(201);
    expect(r.statusMessage).toBe('Fine');
    expect(r.headers['x-raw']).toBe('a, b');
    expect(r.headers['set-cookie']).toEqual(['c=1', 'd=2']);
    expect(seen).toEqual({ before: false, after: true });
  });

  it("BODY-18: HEAD answers Express's GET headers, content-length included, and no body", async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.send('twelve bytes');
    });
    const url = await served(app);
    const g = await get(url);
    const h = await get(url, { method: 'HEAD' });
    expect(h.status).toBe(200);
    expect(h.headers['content-length']).toBe('12');
    expect(h.headers.etag).toBe(g.headers.etag);
    expect(h.body.length).toBe(0);
  });

  it('BODY-02: a streaming response waits for a slow client (write() false, then drain) and arrives exact', async () => {
    const chunk = 64 * 1024;
    const total = 512; // 32 MiB: more than the kernel's socket buffers hold
    let written = 0;
    let waits = 0;
    let inDrain = false;
    const url = await served(async (_req, res) => {
      res.setHeader('content-type', 'application/octet-stream');
      for (let i = 0; i < total; i++) {
        const b = Buffer.alloc(chunk, i & 0xff);
        written++;
        if (!res.write(b)) {
          waits++;
          inDrain = true;
          await once(res, 'drain');
          inDrain = false;
        }
      }
      res.end();
    });
    const res = await new Promise<IncomingMessage>((resolve, reject) =>
      http
        .get({ host: url.hostname, port: url.port, path: '/', agent: false }, resolve)
        .on('error', reject),
    );
    res.pause();
    // The client reads nothing: the handler must come to rest short of the end, on 'drain'.
    let last = -1;
    while (!inDrain || written !== last) {
      last = written;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(written).toBeLessThan(total);
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.resume();
    await once(res, 'end');
    const body = Buffer.concat(chunks);
    expect(body.length).toBe(chunk * total);
    for (let i = 0; i < total; i++) expect(body[i * chunk + chunk - 1]).toBe(i & 0xff);
    expect(waits).toBeGreaterThan(0);
  });

  it('BODY-19: an app that reuses one buffer, waiting only for each write callback, sends exact bytes', async () => {
    const buf = Buffer.alloc(256 * 1024);
    const url = await served(async (_req, res) => {
      for (let i = 0; i < 64; i++) {
        buf.fill(i);
        await new Promise<void>((resolve, reject) =>
          res.write(buf, (err) => (err ? reject(err) : resolve())),
        );
      }
      res.end();
    });
    const g = await get(url);
    expect(g.body.length).toBe(64 * buf.length);
    for (let i = 0; i < 64; i++) {
      const part = g.body.subarray(i * buf.length, (i + 1) * buf.length);
      expect(part.every((b) => b === i)).toBe(true);
    }
  });

  it('ERR-02, ERR-03: a throw before the head answers 500; after it the response is cut short', async () => {
    const early = fromNodeHandler(() => {
      throw new Error('before');
    });
    expect((await request(early)).status).toBe(500);
    const rejected = fromNodeHandler(async () => {
      throw new Error('async before');
    });
    expect((await request(rejected)).status).toBe(500);
    const late = fromNodeHandler(async (_req, res) => {
      res.write('partial');
      await new Promise((resolve) => setTimeout(resolve, 5));
      res.destroy(new Error('after'));
    });
    const r = await request(late);
    expect(r.status).toBe(200);
    expect(r.complete).toBe(false);
  });
});

describe('fromNodeHandler: the request (node IncomingMessage semantics)', () => {
  it('IN-01, IN-11: a 1 MiB body echoed by req.pipe(res) and by express.raw arrives byte for byte', async () => {
    const app = express();
    app.post('/pipe', (req, res) => {
      req.pipe(res);
    });
    app.post('/raw', express.raw({ type: '*/*', limit: '2mb' }), (req, res) => {
      res.send(req.body);
    });
    const url = await served(app);
    const body = randomBytes(1024 * 1024);
    for (const path of ['/pipe', '/raw']) {
      const r = await get(url, { method: 'POST', path, body });
      expect(r.status).toBe(200);
      expect(r.body.length, path).toBe(body.length);
      expect(sha(r.body)).toBe(sha(body));
    }
  });

  it('ENV-04: under a prefix, req.url is PATH_INFO, req.baseUrl and req.originalUrl carry SCRIPT_NAME (Express mounting)', async () => {
    const app = express();
    const router = express.Router();
    router.get('/where', (req, res) => {
      res.json({ url: req.url, baseUrl: req.baseUrl, originalUrl: req.originalUrl });
    });
    app.use('/api', router);
    const r = await request(mount('/app', fromNodeHandler(app)), { path: '/app/api/where?x=%41' });
    expect(JSON.parse(r.text())).toEqual({
      url: '/where?x=%41',
      baseUrl: '/app/api',
      originalUrl: '/app/api/where?x=%41',
    });
    const keep = fromNodeHandler((req, res) => res.end(req.url), { scriptName: 'keep' });
    expect((await request(mount('/app', keep), { path: '/app/a%2Fb' })).text()).toBe('/app/a%2Fb');
  });

  it('ENV-17: req.socket.remoteAddress, req.ip, rawHeaders and httpVersion come from environ', async () => {
    let seen: unknown;
    const app = express();
    app.get('/', (req, res) => {
      seen = {
        remote: req.socket.remoteAddress,
        ip: req.ip,
        version: req.httpVersion,
        protocol: req.protocol,
        raw: req.rawHeaders.includes('x-one'),
        header: req.headers['x-one'],
      };
      res.end();
    });
    const url = await served(app);
    await new Promise<void>((resolve, reject) =>
      http
        .get(
          { host: url.hostname, port: url.port, headers: { 'x-one': '1' }, agent: false },
          (r) => {
            r.resume();
            r.on('end', resolve);
          },
        )
        .on('error', reject),
    );
    expect(seen).toEqual({
      remote: '127.0.0.1',
      ip: '127.0.0.1',
      version: '1.1',
      protocol: 'http',
      raw: true,
      header: '1',
    });
  });

  it('IN-07: Expect: 100-continue gets 100 Continue when the framework reads the body', async () => {
    const app = express();
    app.post('/', express.text({ type: '*/*' }), (req, res) => {
      res.send(`got ${req.body}`);
    });
    const url = await served(app);
    const socket = net.connect(Number(url.port), url.hostname);
    await once(socket, 'connect');
    let text = '';
    socket.on('data', (c: Buffer) => {
      text += c.toString('latin1');
    });
    socket.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
    );
    while (!text.includes('100 Continue')) await once(socket, 'data');
    socket.write('hello');
    await once(socket, 'end');
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n\r\n')).toBe(true);
    expect(text).toContain('HTTP/1.1 200 OK');
    expect(text.endsWith('got hello')).toBe(true);
  });

  it("ENV-24: a client that leaves mid-response gives res 'close' before 'finish'; mid-upload, req 'aborted'", async () => {
    const events: string[] = [];
    const done = new Promise<void>((resolve) => {
      closers.push(async () => {});
      const handler = (req: IncomingMessage, res: ServerResponse): void => {
        if (req.url === '/download') {
          res.write('first');
          res.on('finish', () => events.push('download finish'));
          res.on('close', () => {
            events.push(`download close finished=${res.writableFinished}`);
            resolve();
          });
        } else {
          req.on('aborted', () => events.push('upload aborted'));
          req.on('error', () => {});
          req.resume();
          res.on('close', () => {
            events.push('upload close');
          });
        }
      };
      void served(handler).then(async (url) => {
        const up = net.connect(Number(url.port), url.hostname);
        await once(up, 'connect');
        up.write('POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789');
        await new Promise((r) => setTimeout(r, 50));
        up.destroy();
        const down = net.connect(Number(url.port), url.hostname);
        await once(down, 'connect');
        down.write('GET /download HTTP/1.1\r\nHost: x\r\n\r\n');
        await once(down, 'data');
        down.destroy();
      });
    });
    await done;
    await new Promise((r) => setTimeout(r, 20));
    expect(events).toContain('upload aborted');
    expect(events).toContain('upload close');
    expect(events).toContain('download close finished=false');
    expect(events).not.toContain('download finish');
  });
});
