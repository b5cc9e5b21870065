/**
 * The bridge (spec 20, issue 20): a Hono app using `upgradeWebSocket` from '@tsgi/fetch/hono',
 * run through `fromFetch` on @tsgi/node, talks to the `ws` client: Hono's events see the
 * messages, the close code and reason, and a thrown handler closes 1011 (WS-15); a route that is
 * not a handshake falls through to Hono's next handler.
 */
import { fileURLToPath } from 'node:url';
import { fromFetch } from '@tsgi/fetch';
import { upgradeWebSocket } from '@tsgi/fetch/hono';
import { type RuntimeServer, requireRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { type ServerHandle, serve } from '@tsgi/node';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';

const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
const closes: Array<{ code: number; reason: string }> = [];
const hono = new Hono();
hono.get(
  '/ws',
  upgradeWebSocket(
    () => ({
      onOpen: (_event, ws) => ws.send('welcome'),
      onMessage(event, ws) {
        if (event.data === 'throw') throw new Error('handler failed');
        if (typeof event.data === 'string') ws.send(`echo:${event.data}`);
        else ws.send(new Uint8Array(event.data as ArrayBuffer).reverse());
      },
      onClose: (event) => {
        const e = event as unknown as { code: number; reason: string };
        closes.push({ code: e.code, reason: e.reason });
      },
    }),
    { protocol: (offered) => offered.find((p) => p === 'chat') },
  ),
);
hono.get('/ws', (c) => c.text('not a websocket', 426, { upgrade: 'websocket' }));

let handle: ServerHandle;
beforeAll(async () => {
  handle = await serve(fromFetch(hono.fetch), { port: 0, errors: () => {}, signals: [] });
});
afterAll(() => handle?.close({ timeout: 500 }));

function client(protocols?: string[]) {
  const ws = new WebSocket(`${handle.url.replace('http', 'ws')}/ws`, protocols);
  const messages: Array<string | number[]> = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data: Buffer, binary: boolean) => {
    messages.push(binary ? [...data] : data.toString());
    for (const w of waiters.splice(0)) w();
  });
  const next = async (n: number) => {
    while (messages.length < n) await new Promise<void>((r) => waiters.push(r));
    return messages[n - 1];
  };
  const closed = new Promise<number>((r) => ws.once('close', (code: number) => r(code)));
  return { ws, next, closed };
}

describe('Hono upgradeWebSocket through fromFetch', () => {
  it('WS-05, WS-09, WS-10: onOpen, text and binary messages, the chosen protocol', async () => {
    const c = client(['x', 'chat']);
    expect(await c.next(1)).toBe('welcome');
    c.ws.send('hi');
    expect(await c.next(2)).toBe('echo:hi');
    c.ws.send(Uint8Array.of(1, 2, 3));
    expect(await c.next(3)).toEqual([3, 2, 1]);
    expect(c.ws.protocol).toBe('chat');
    c.ws.close(4005, 'done here');
    await c.closed;
    await new Promise((r) => setTimeout(r, 50));
    expect(closes).toContainEqual({ code: 4005, reason: 'done here' });
  });

  it('WS-15: a handler that throws closes the connection 1011', async () => {
    const c = client();
    await c.next(1);
    c.ws.send('throw');
    expect(await c.closed).toBe(1011);
  });

  it('WS-02: a request that is no handshake falls through to the next route', async () => {
    const res = await fetch(`${handle.url}/ws`);
    expect([res.status, await res.text()]).toEqual([426, 'not a websocket']);
  });
});

// The same bridge inside Bun and Deno: fromFetch under toFetch, each runtime's own upgrade.
for (const name of ['bun', 'deno'] as const) {
  const binary = requireRuntime(name, `Hono WebSockets on ${name}`);
  describe.skipIf(binary === undefined)(`Hono upgradeWebSocket on ${name}`, () => {
    let server: RuntimeServer;
    beforeAll(async () => {
      server = await startRuntimeScript(name, `${FIXTURES}hono-serve.mjs`);
    });
    afterAll(() => server?.stop());

    it('WS-09, WS-10, WS-15: an echo through Hono, and a throwing handler closes 1011', async () => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
      await new Promise((r, j) => ws.once('open', r).once('error', j));
      const echo = new Promise<string>((r) => ws.once('message', (d: Buffer) => r(d.toString())));
      ws.send('hi');
      expect(await echo).toBe('echo:hi');
      const code = new Promise<number>((r) => ws.once('close', (c: number) => r(c)));
      ws.send('throw');
      expect(await code).toBe(1011);
    });
  });
}
