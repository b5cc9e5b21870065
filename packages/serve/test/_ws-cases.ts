/**
 * The WebSocket test table (spec 20), run per runtime by websocket.test.ts against the app of
 * fixtures/ws-app.mjs: the `ws` client, real sockets on loopback. Every case names its rules.
 */
import { expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  closed,
  handshake,
  KEY,
  next,
  open,
  raw,
  serverState,
  type Target,
  until,
  wsUrl,
} from './_ws-client.js';

export function websocketCases(target: () => Target): void {
  const kase = (title: string, fn: (t: Target) => Promise<void>, timeout?: number) =>
    it(title, () => fn(target()), timeout);

  kase('WS-02 the key is present on an ordinary request, requested false', async (t) => {
    const res = await fetch(`${t.url}/plain`);
    expect(await res.json()).toEqual({ key: 'present', requested: false });
  });

  kase('WS-05 accept() after the application awaited something', async (t) => {
    const ws = await open(t, '/late');
    ws.send('later');
    expect((await next(ws)).data.toString()).toBe('later');
    ws.close();
    await closed(ws);
  });

  kase('WS-05 accept() after the response head went out throws, naming WS-05', async (t) => {
    const err = await open(t, '/accept-after-head').catch((e: Error) => e);
    expect(String(err)).toMatch(/Unexpected server response: 200/);
    const s = await until(
      () => serverState(t),
      (v) => v.lateAccept !== null,
    );
    expect(s.lateAccept).toBe('WS-05');
  });

  kase('WS-10 echo text and binary, whole', async (t) => {
    const ws = await open(t, '/echo');
    ws.send('héllo ✓');
    const text = await next(ws);
    expect([text.binary, text.data.toString()]).toEqual([false, 'héllo ✓']);
    ws.send(Uint8Array.of(0, 1, 255));
    const bin = await next(ws);
    expect([bin.binary, [...bin.data]]).toEqual([true, [0, 1, 255]]);
    ws.close();
    await closed(ws);
  });

  kase(
    'WS-10 an 8 MiB message and a fragmented one arrive whole',
    async (t) => {
      const ws = await open(t, '/echo');
      const big = new Uint8Array(8 * 1024 * 1024).map((_, i) => i % 251);
      ws.send(big);
      const echoed = await next(ws);
      expect(echoed.data.length).toBe(big.length);
      expect(Buffer.compare(echoed.data, Buffer.from(big))).toBe(0);
      // RFC 6455 §5.4: three frames, one message.
      ws.send('frag', { fin: false });
      ws.send('men', { fin: false });
      ws.send('ted', { fin: true });
      expect((await next(ws)).data.toString()).toBe('fragmented');
      ws.close();
      await closed(ws);
    },
    30_000,
  );

  kase('WS-05 subprotocol chosen from the offered ones, extra headers on the 101', async (t) => {
    const ws = new WebSocket(wsUrl(t, '/info'), ['x', 'chat']);
    const headers = new Promise<Record<string, string | string[] | undefined>>((r) =>
      ws.once('upgrade', (res) => r(res.headers)),
    );
    const info = JSON.parse((await next(ws)).data.toString());
    expect(info).toMatchObject({ protocol: 'chat', offered: ['x', 'chat'], requested: true });
    expect(ws.protocol).toBe('chat');
    expect((await headers)['x-accepted']).toBe('yes');
    // None offered, none chosen (the ws client fails a handshake whose offer went unanswered).
    const plain = new WebSocket(wsUrl(t, '/info'));
    expect(JSON.parse((await next(plain)).data.toString()).protocol).toBe('');
    plain.close();
  });

  kase(
    'WS-05 permessage-deflate on when accepted with compress, where the server can',
    async (t) => {
      const ws = await open(t, '/deflate');
      // ADP-FETCH-13: Bun has it only server-wide and Deno not at all: then it is not agreed.
      if (t.deflate === false) expect(ws.extensions).toBe('');
      else expect(ws.extensions).toContain('permessage-deflate');
      ws.send('x'.repeat(100_000));
      expect((await next(ws)).data.toString()).toBe('x'.repeat(100_000));
      ws.close();
    },
  );

  kase('WS-13 close handshake with code and reason, both directions', async (t) => {
    const a = await open(t, '/echo');
    a.send('close-me');
    expect(await closed(a)).toEqual({ code: 4000, reason: 'bye from app' });
    const b = await open(t, '/echo');
    b.close(4001, 'bye from client');
    await closed(b);
    const s = await until(
      () => serverState(t),
      (v) => v.closes.some((c) => c.reason === 'bye from client'),
    );
    expect(s.closes).toContainEqual({ path: '/echo', code: 4001, reason: 'bye from client' });
  });

  kase('WS-07 WS-08 abrupt disconnect: tsgi.signal aborts, the body is released', async (t) => {
    const ws = await open(t, '/signal');
    ws.terminate();
    const s = await until(
      () => serverState(t),
      (v) => v.released.includes('/signal'),
    );
    expect(s.signals.length).toBeGreaterThan(0);
    expect(s.released).toContain('/signal');
  });

  kase(
    'WS-11 slow consumer: send() waits, the server holds a bounded amount',
    async (t) => {
      const n = 1024; // 64 MiB in 64 KiB messages
      const ws = await open(t, `/flood?n=${n}`);
      ws.pause(); // stop reading: the kernel buffers fill, then send() must wait
      await new Promise((r) => setTimeout(r, 1500));
      const stalled = (await serverState(t)).flood;
      expect(stalled.sent).toBeLessThan(n / 2); // bounded: at most 32 MiB went out unread
      expect(stalled.maxBuffered).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024);
      let received = 0;
      const done = new Promise<void>((resolve) =>
        ws.on('message', (d: Buffer, binary: boolean) => {
          if (binary) received++;
          else if (d.toString() === 'done') resolve();
        }),
      );
      ws.resume();
      await done;
      expect(received).toBe(n);
      ws.close();
    },
    30_000,
  );

  kase(
    'WS-14 a message over the limit is closed 1009',
    async (t) => {
      const ws = await open(t, '/echo');
      ws.send(new Uint8Array(16 * 1024 * 1024 + 1));
      expect((await closed(ws)).code).toBe(1009);
    },
    30_000,
  );

  kase('WS-15 an application that throws after accept closes 1011', async (t) => {
    const ws = await open(t, '/throw-after');
    ws.send('boom');
    expect((await closed(ws)).code).toBe(1011);
  });

  kase('WS-15 an application that throws before accept answers 500', async (t) => {
    const err = await open(t, '/throw-before').catch((e: Error) => e);
    expect(String(err)).toMatch(/Unexpected server response: 500/);
  });

  kase('WS-04 an application that refuses answers 403 through startResponse', async (t) => {
    const err = await open(t, '/refuse').catch((e: Error) => e);
    expect(String(err)).toMatch(/Unexpected server response: 403/);
    const res = await raw(
      t,
      handshake(`Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n`).replace(
        '/echo',
        '/need-upgrade',
      ),
    );
    expect(res).toMatch(/^HTTP\/1\.1 426 /);
    expect(res.toLowerCase()).toMatch(/\r\nupgrade: websocket\r\n/);
    expect(res.toLowerCase()).toMatch(/\r\nconnection: [^\r]*upgrade/); // SR-17
  });

  kase(
    'WS-04 invalid handshakes are refused 400 or 426; other requests are unaffected',
    async (t) => {
      const badKey = await raw(
        t,
        handshake('Sec-WebSocket-Key: short\r\nSec-WebSocket-Version: 13\r\n'),
      );
      expect(badKey).toMatch(/^HTTP\/1\.1 400 /);
      const noKey = await raw(t, handshake('Sec-WebSocket-Version: 13\r\n'));
      expect(noKey).toMatch(/^HTTP\/1\.1 400 /);
      const version = await raw(
        t,
        handshake(`Sec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 8\r\n`),
      );
      expect(version).toMatch(/^HTTP\/1\.1 426 /);
      expect(version.toLowerCase()).toContain('sec-websocket-version: 13');
      const res = await fetch(`${t.url}/plain`);
      expect(res.status).toBe(200);
      const ws = await open(t, '/echo');
      ws.send('still fine');
      expect((await next(ws)).data.toString()).toBe('still fine');
      ws.close();
    },
  );

  kase(
    'WS-12 1,000 concurrent sockets, each echoed',
    async (t) => {
      const sockets = await Promise.all(Array.from({ length: 1000 }, () => open(t, '/echo')));
      const echoes = sockets.map((ws, i) => {
        const p = next(ws);
        ws.send(`n${i}`);
        return p;
      });
      const got = await Promise.all(echoes);
      expect(got.every((m, i) => m.data.toString() === `n${i}`)).toBe(true);
      await Promise.all(
        sockets.map((ws) => {
          const c = closed(ws);
          ws.close();
          return c;
        }),
      );
    },
    30_000,
  );

  // Last: it stops the server.
  kase('WS-16 a graceful shutdown sends 1001 to open connections', async (t) => {
    const ws = await open(t, '/hold');
    const code = closed(ws);
    expect((await fetch(`${t.url}/stop`)).status).toBe(202);
    expect((await code).code).toBe(1001);
  });
}
