/**
 * Issue 22's attack catalogue, one bounded case per attack, each naming the rule that stops it:
 * what one local client could do to a server with its defaults before, and the bound now. The
 * server runs in its own process (src/server-child.ts); every loop has a count from the profile
 * and a deadline. Each case reports its figures as a `STRESS` line.
 *
 *   fastcgi-stalled-peers  ADP-FCGI-24  connections stalled inside a record fill maxConns; nginx
 *                                       answers 502 until readTimeout frees them (recovery bound)
 *   fastcgi-stdin-flood    ADP-FCGI-25  STDIN for a request that never reads, on a connection kept
 *                                       flowing by a second request's endless PARAMS (memory bound)
 *   http-slowloris         SRV-06/08    slow header senders fill maxConnections; others get 503
 *                                       until the header timeout frees the slots (recovery bound)
 *   http-invalid-requests  SRV-02..16   smuggling and invalid request lines, targets, versions and
 *                                       Host values refused before the application
 */
import { connect, type Socket } from 'node:net';
import {
  encodeBeginRequest,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  FCGI_KEEP_CONN,
  RecordType,
  Role,
} from '@tsgi/fastcgi/codec';
import { requireTool, startNginx, type WebServer } from '@tsgi/harness';
import { afterEach, describe, expect, it } from 'vitest';
import { type ServerChild, spawnServer } from '../src/child.js';
import { params } from '../src/fcgi.js';
import { exchange, get } from '../src/http.js';
import { closeChecked } from '../src/leak.js';
import { profile, report, timeoutFor } from '../src/profile.js';

const nginx = requireTool('nginx', 'nginx in front of the FastCGI backend under attack');
const FASTCGI_PARAMS = '/etc/nginx/fastcgi_params';
const MiB = 1024 * 1024;

let srv: ServerChild | undefined;
let web: WebServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await web?.stop();
  web = undefined;
  await closeChecked(srv);
  srv = undefined;
});

/** A raw connection that has sent `bytes`; `closed` resolves when the server closes it. */
function open(
  port: number,
  bytes: Uint8Array | string,
): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      socket.on('error', () => {});
      socket.resume();
      const closed = new Promise<void>((r) => socket.once('close', () => r()));
      if (bytes.length > 0) socket.write(bytes);
      resolve({ socket, closed });
    });
  });
}

/** Polls `ok()` every 50 ms until it is true or `ms` pass; resolves with the time taken or -1. */
async function recovery(ok: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < ms) {
    if (await ok()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 50));
  }
  return -1;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(nginx === undefined)('attack catalogue: FastCGI behind nginx', () => {
  it(
    'ADP-FCGI-24: peers stalled inside a record header fill maxConns; nginx serves again within readTimeout',
    async () => {
      const readTimeout = 1000;
      const stalled = profile.stalledPeers;
      srv = await spawnServer({
        transport: 'fastcgi',
        options: { readTimeout, maxConns: stalled },
      });
      const backend = srv.port;
      web = await startNginx({
        config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    location / {
      include ${FASTCGI_PARAMS};
      fastcgi_param SCRIPT_NAME '';
      fastcgi_param PATH_INFO /hello;
      fastcgi_pass 127.0.0.1:${backend};
    }
  }`,
      });
      const front = web.port;
      const good = async (): Promise<boolean> =>
        (await get(front, '/', { timeout: 3000 })).status === 200;
      expect(await good()).toBe(true);
      // The attack: each connection sends the first 3 bytes of a record header, then nothing.
      const started = Date.now();
      const peers: Array<{ socket: Socket; closed: Promise<void> }> = [];
      for (let i = 0; i < stalled; i++) peers.push(await open(backend, new Uint8Array([1, 1, 0])));
      const during = (await get(front, '/', { timeout: 3000 })).status;
      const recovered = await recovery(good, readTimeout + 3000);
      const sinceStart = recovered < 0 ? -1 : Date.now() - started;
      const freed = await Promise.race([
        Promise.all(peers.map((p) => p.closed)).then(() => true),
        sleep(3000).then(() => false),
      ]);
      report('fastcgi-stalled-peers', {
        stalled,
        readTimeout,
        during,
        recoveredAfterMs: sinceStart,
        freed,
      });
      expect(during).toBe(502); // the attack did take every slot
      expect(recovered).toBeGreaterThanOrEqual(0);
      expect(sinceStart).toBeLessThanOrEqual(readTimeout + 2000);
      expect(freed).toBe(true);
    },
    timeoutFor(20_000, 60_000),
  );
});

describe('attack catalogue: FastCGI STDIN flood', () => {
  it(
    'ADP-FCGI-25: STDIN for a request that never reads, beside endless PARAMS, stays bounded in memory; other connections are served',
    async () => {
      srv = await spawnServer({ transport: 'fastcgi' }); // the defaults: maxBufferedInput 1 MiB
      const before = await srv.stats();
      const head = Buffer.concat([
        encodeBeginRequest(1, Role.RESPONDER, FCGI_KEEP_CONN),
        encodeStream(
          RecordType.PARAMS,
          1,
          encodeNameValuePairs(
            Object.entries(params('/slow', { REQUEST_METHOD: 'POST', QUERY_STRING: 'ms=4000' })),
          ),
          { terminate: true },
        ),
        encodeBeginRequest(2, Role.RESPONDER, FCGI_KEEP_CONN),
        encodeRecord(RecordType.PARAMS, 2, encodeNameValuePairs([['REQUEST_METHOD', 'GET']])),
      ]);
      const { socket } = await open(srv.port, head);
      const record = encodeRecord(RecordType.STDIN, 1, new Uint8Array(65535 - 7).fill(0x61));
      const deadline = Date.now() + 2000;
      let sent = 0;
      while (sent < profile.stdinFloodBytes && Date.now() < deadline) {
        sent += record.length;
        if (!socket.write(record)) {
          await Promise.race([
            new Promise((r) => socket.once('drain', r)),
            sleep(Math.max(0, deadline - Date.now())),
          ]);
        }
      }
      const other = await exchangeFastCGI(srv.port);
      const during = await srv.stats();
      socket.destroy();
      await sleep(200);
      const after = await srv.stats();
      const growthMiB = (during.rss - before.rss) / MiB;
      const afterMiB = (after.rss - before.rss) / MiB;
      report('fastcgi-stdin-flood', {
        offeredMiB: Math.round(sent / MiB),
        rssGrowthMiB: growthMiB.toFixed(1),
        rssAfterMiB: afterMiB.toFixed(1),
        otherStatus: other,
      });
      // Before ADP-FCGI-25 the process grew by what was offered (768 MiB → +774 MiB RSS).
      expect(growthMiB).toBeLessThan(48);
      expect(afterMiB).toBeLessThan(48);
      expect(other).toBe(200);
    },
    timeoutFor(20_000, 60_000),
  );
});

/** One GET /hello over a new FastCGI connection; its HTTP status from the CGI head. */
async function exchangeFastCGI(port: number): Promise<number> {
  const { FastCGIClient } = await import('@tsgi/fastcgi/client');
  const client = await FastCGIClient.connect({ port });
  try {
    const res = await client.request({ params: params('/hello') });
    const head = Buffer.from(res.stdout).toString('latin1');
    const m = /^Status: (\d{3})/im.exec(head);
    return m ? Number(m[1]) : 200;
  } finally {
    client.destroy();
  }
}

describe('attack catalogue: HTTP', () => {
  it(
    'SRV-06, SRV-08: slowloris connections fill maxConnections; others get 503, then are served once the header timeout frees the slots',
    async () => {
      const headersTimeout = 1000;
      const slots = profile.slowloris;
      srv = await spawnServer({
        transport: 'node',
        options: { maxConnections: slots, headersTimeout },
      });
      const port = srv.port;
      const started = Date.now();
      const peers: Array<{ socket: Socket; closed: Promise<void> }> = [];
      for (let i = 0; i < slots; i++) peers.push(await open(port, 'GET / HTTP/1.1\r\nHost: x\r\n'));
      // One more header byte every 200 ms from each, as slowloris does, until closed.
      const drip = setInterval(() => {
        for (const p of peers) if (!p.socket.destroyed) p.socket.write('X');
      }, 200);
      try {
        const during = (await get(port, '/hello', { timeout: 3000 })).status;
        const recovered = await recovery(
          async () => (await get(port, '/hello', { timeout: 3000 })).status === 200,
          headersTimeout + 4000,
        );
        const sinceStart = recovered < 0 ? -1 : Date.now() - started;
        report('http-slowloris', { slots, headersTimeout, during, recoveredAfterMs: sinceStart });
        expect(during).toBe(503);
        expect(recovered).toBeGreaterThanOrEqual(0);
        // The header timeout, plus node's check interval (at most a quarter of it, SRV-06).
        expect(sinceStart).toBeLessThanOrEqual(headersTimeout * 1.25 + 1000);
      } finally {
        clearInterval(drip);
      }
    },
    timeoutFor(20_000, 60_000),
  );

  it('SRV-02, SRV-14..16, ENV-34: smuggling and invalid requests are refused before the application', async () => {
    srv = await spawnServer({ transport: 'node' });
    const before = (await srv.counters()).requests;
    const cases: Array<[string, string, number]> = [
      [
        'CL+TE',
        'POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
        400,
      ],
      [
        'TE identity, chunked',
        'POST /hello HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity, chunked\r\n\r\n0\r\n\r\n',
        501,
      ],
      [
        'two Content-Lengths',
        'POST /hello HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
        400,
      ],
      ['obs-fold', 'GET /hello HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n', 400],
      ['HTTP/2.0 request line', 'GET /hello HTTP/2.0\r\nHost: x\r\n\r\n', 505],
      ['HTTP/0.9 request line', 'GET /hello\r\n\r\n', 400],
      ['GET *', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['Host with a space', 'GET /hello HTTP/1.1\r\nHost: a b\r\n\r\n', 400],
      ['Host with path and userinfo', 'GET /hello HTTP/1.1\r\nHost: evil.test/x@y\r\n\r\n', 400],
      ['two Host lines', 'GET /hello HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
      ['no Host in HTTP/1.1', 'GET /hello HTTP/1.1\r\n\r\n', 400],
      ['ftp absolute-form', 'GET ftp://x/hello HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['fragment in target', 'GET /hello#x HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ];
    const wrong: string[] = [];
    for (const [name, request, status] of cases) {
      const res = await exchange(srv.port, request, { timeout: 3000 });
      if (res.status !== status) wrong.push(`${name}: expected ${status}, got ${res.status}`);
    }
    const reached = (await srv.counters()).requests - before;
    report('http-invalid-requests', {
      cases: cases.length,
      wrong: wrong.length,
      reachedApp: reached,
    });
    expect(wrong).toEqual([]);
    expect(reached).toBe(0);
  });
});
