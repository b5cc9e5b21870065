import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { createProbe, runServerSuite } from '@tsgi/conformance';
import type { Application } from '@tsgi/core';
import { requireTool, selfSignedCertificate, tempDir } from '@tsgi/harness';
import { createRequestListener, type ServerHandle, serve } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const open: ServerHandle[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close({ timeout: 500 })));
});

async function start(app: Application, options: Parameters<typeof serve>[1] = {}) {
  const handle = await serve(app, { port: 0, errors: () => {}, signals: [], ...options });
  open.push(handle);
  return { handle, ws: handle.url.replace('http', 'ws') };
}

/** Says whether the key is there and what it says; accepts and holds when asked. */
const app: Application = async (environ, startResponse) => {
  const ext = environ['tsgix.websocket'];
  if (ext?.requested === true) {
    const socket = ext.accept();
    await socket.closed;
    return [];
  }
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [new TextEncoder().encode(ext === undefined ? 'absent' : `requested=${ext.requested}`)];
};

function raw(port: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port: Number(port) }, () => s.write(text));
    let out = '';
    s.setEncoding('latin1').on('data', (d: string) => {
      out += d;
    });
    s.on('close', () => resolve(out)).on('error', () => {});
    s.setTimeout(3000, () => s.destroy());
  });
}

function opened(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url);
  return new Promise((resolve, reject) => ws.once('open', () => resolve(ws)).once('error', reject));
}

describe('WebSocket on node:http: options, other upgrades, limits, shutdown', () => {
  it('ADP-NODE-20: websocket: false and createRequestListener leave the key out (EXT-07)', async () => {
    const off = await start(app, { websocket: false });
    expect(await (await fetch(off.handle.url)).text()).toBe('absent');
    const server = createServer(createRequestListener(app));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('absent');
    server.close();
  });

  it('ADP-NODE-22: an h2c upgrade reaches the app as an ordinary request; with a body, 501', async () => {
    const { handle } = await start(app);
    const port = new URL(handle.url).port;
    const h2c =
      'GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n';
    const res = await raw(port, h2c);
    expect(res).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(res).toMatch(/\r\nconnection: close\r\n/);
    expect(res.endsWith('requested=false')).toBe(true);
    const post =
      'POST / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: h2c\r\nContent-Length: 3\r\n\r\nabc';
    expect(await raw(port, post)).toMatch(/^HTTP\/1\.1 501 /);
  });

  it('ADP-NODE-21: the access log has a 101 line for an accepted connection', async () => {
    const lines: string[] = [];
    const { ws } = await start(app, { accessLog: (l) => lines.push(l) });
    const socket = await opened(`${ws}/chat`);
    socket.close();
    await new Promise((r) => socket.once('close', r));
    await expect.poll(() => lines.some((l) => / "GET \/chat HTTP\/1\.1" 101 /.test(l))).toBe(true);
  });

  it('ADP-NODE-23: open WebSockets count against maxConnections', async () => {
    const { ws, handle } = await start(app, { maxConnections: 2 });
    const a = await opened(`${ws}/a`);
    const b = await opened(`${ws}/b`);
    const third = await fetch(handle.url).catch((e: Error) => e);
    expect(third instanceof Error ? 'reset' : third.status).toBe(503);
    a.terminate();
    b.terminate();
  });

  it("ADP-NODE-23: node's header, request and keep-alive timeouts do not close an open WebSocket", async () => {
    const { ws } = await start(app, {
      headersTimeout: 300,
      requestTimeout: 400,
      keepAliveTimeout: 200,
    });
    const socket = await opened(`${ws}/long`);
    let closed = false;
    socket.once('close', () => {
      closed = true;
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(closed).toBe(false);
    socket.terminate();
  });

  it('WS-17: a peer that answers no ping is closed after pingInterval + pingTimeout; one that does stays', async () => {
    // A generous pong timeout: a loaded machine must not make the live peer look dead.
    const { ws } = await start(app, { websocket: { pingInterval: 100, pingTimeout: 1000 } });
    const dead = new WebSocket(`${ws}/dead`, { autoPong: false });
    const live = await opened(`${ws}/live`);
    let liveClosed = false;
    live.once('close', () => {
      liveClosed = true;
    });
    const pings = { n: 0 };
    dead.on('ping', () => pings.n++);
    const code = await new Promise<number>((r) => dead.once('close', (c: number) => r(c)));
    expect(pings.n).toBe(1);
    expect([1006, 1011]).toContain(code); // the 1011 frame may be lost to the drop that follows
    expect(liveClosed).toBe(false); // pinged every 100 ms for over a second, and it answered
    live.terminate();
  });

  it('WS-05, WS-16: wss over TLS: accepted, echoed through the app, 1001 on shutdown', async () => {
    const openssl = requireTool('openssl', 'generates the certificate for the wss test');
    if (openssl === undefined) return;
    const dir = tempDir();
    try {
      const { key, cert } = selfSignedCertificate(dir.path);
      const echo: Application = async (environ) => {
        const socket = environ['tsgix.websocket']!.accept();
        for await (const m of socket) await socket.send(m);
        return [];
      };
      const tls = { key: readFileSync(key), cert: readFileSync(cert) };
      const { handle } = await start(echo, { tls });
      const ws = new WebSocket(handle.url.replace('https', 'wss'), { rejectUnauthorized: false });
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      const got = new Promise<string>((r) => ws.once('message', (d: Buffer) => r(d.toString())));
      ws.send('over tls');
      expect(await got).toBe('over tls');
      const code = new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
      await handle.close({ timeout: 2000 });
      expect(await code).toBe(1001);
    } finally {
      dir.remove();
    }
  });

  it('WS-16, ADP-NODE-23: graceful shutdown sends 1001 and waits for the close', async () => {
    const { ws, handle } = await start(app);
    const socket = await opened(`${ws}/hold`);
    const code = new Promise<number>((r) => socket.once('close', (c: number) => r(c)));
    await handle.close({ timeout: 2000 });
    expect(await code).toBe(1001);
  });

  it('WS-01..WS-15: the conformance cases of spec 20 pass against the probe', async () => {
    const { handle } = await start(createProbe());
    const report = await runServerSuite({ url: handle.url, only: ['websocket/'] });
    const bad = report.cases.filter((c) => c.status !== 'pass');
    expect(bad.map((c) => `${c.id}: ${c.status} ${c.message}`)).toEqual([]);
    expect(report.cases.length).toBe(5);
  });
});
