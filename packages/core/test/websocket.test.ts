/**
 * core's WebSocket pieces without a socket (spec 20): the session over a fake transport (the
 * unread bound, send() backpressure, close arguments, the size limit, the keepalive), the
 * handshake check, and the engine's takeover (WS-06, WS-15).
 */
import {
  ClientDisconnectError,
  type Environ,
  type ResponseSink,
  runApplication,
  WebSocketSession,
  type WebSocketTransport,
  websocketHandshake,
} from '@tsgi/core';
import { describe, expect, it, vi } from 'vitest';
import { testEnviron, trackedBody } from './_helpers.js';

/** A transport that records what the session asks of it. */
function fake(options: { pause?: boolean; drainEvents?: boolean; ping?: boolean } = {}) {
  const log: string[] = [];
  const pending: Array<() => void> = [];
  const t: { buffered: number; log: string[]; flush(): void; transport: WebSocketTransport } = {
    buffered: 0,
    log,
    /** Completes the sends the transport holds. */
    flush: () => {
      for (const done of pending.splice(0)) done();
    },
    transport: {
      send(message, done) {
        log.push(`send ${typeof message === 'string' ? message : message.length}`);
        pending.push(() => done());
      },
      get bufferedAmount(): number {
        return t.buffered;
      },
      drainEvents: options.drainEvents ?? true,
      close: (code, reason) => void log.push(`close ${code} ${reason}`),
      terminate: () => void log.push('terminate'),
      ...(options.ping === true ? { ping: () => void log.push('ping') } : {}),
      ...(options.pause === true
        ? { pause: () => void log.push('pause'), resume: () => void log.push('resume') }
        : {}),
    } satisfies WebSocketTransport,
  };
  return t;
}

const limits = { highWaterMark: 100, maxMessageSize: 1000, pingInterval: 0 };

describe('WebSocketSession (WS-09..WS-17)', () => {
  it('WS-09: messages are yielded once, in order; the iteration ends at the close', async () => {
    const t = fake();
    const s = new WebSocketSession(t.transport, '', '', limits);
    s.message('a');
    s.message(Uint8Array.of(1));
    s.ended(1000, 'bye');
    const got: unknown[] = [];
    for await (const m of s.connection) got.push(m);
    expect(got).toEqual(['a', Uint8Array.of(1)]);
    expect(await s.connection.closed).toEqual({ code: 1000, reason: 'bye' });
  });

  it('WS-11: send() resolves once the transport is done and under the mark; rejects after the close', async () => {
    const t = fake();
    const s = new WebSocketSession(t.transport, '', '', limits);
    let sent = false;
    const p = s.connection.send('x').then(() => {
      sent = true;
    });
    await Promise.resolve();
    expect(sent).toBe(false); // the transport still holds the bytes
    t.buffered = 500;
    t.flush();
    await new Promise((r) => setTimeout(r, 5));
    expect(sent).toBe(false); // over the high-water mark
    t.buffered = 50;
    s.progress();
    await p;
    expect(sent).toBe(true);
    s.ended(1006, '');
    await expect(s.connection.send('y')).rejects.toBeInstanceOf(ClientDisconnectError);
    await expect(s.connection.send(42 as never)).rejects.toThrow(/WS-10/);
  });

  it('WS-11: without drain events the session polls bufferedAmount', async () => {
    const t = fake({ drainEvents: false });
    const s = new WebSocketSession(t.transport, '', '', limits);
    t.buffered = 500;
    const p = s.connection.send('x');
    t.flush();
    setTimeout(() => {
      t.buffered = 0;
    }, 20);
    await p; // resolved by the poll, no progress() call
  });

  it('WS-12: over the mark the transport is paused, and resumed once the application caught up', async () => {
    const t = fake({ pause: true });
    const s = new WebSocketSession(t.transport, '', '', limits);
    for (let i = 0; i < 3; i++) s.message('x'.repeat(60));
    expect(t.log).toEqual(['pause']);
    const it = s.connection[Symbol.asyncIterator]();
    await it.next();
    await it.next();
    expect(t.log).toEqual(['pause']); // 60 bytes unread: over half the mark still
    await it.next();
    expect(t.log).toEqual(['pause', 'resume']);
  });

  it('WS-12: a transport that cannot pause is closed 1008 past the bound', () => {
    const t = fake();
    const s = new WebSocketSession(t.transport, '', '', limits);
    for (let i = 0; i < 20; i++) s.message('x'.repeat(99));
    expect(t.log).toContain('close 1008 receive queue full');
  });

  it('WS-14: a message over maxMessageSize closes 1009 and is not yielded', () => {
    const t = fake();
    const s = new WebSocketSession(t.transport, '', '', limits);
    s.message(new Uint8Array(1001));
    expect(t.log).toEqual(['close 1009 message too big']);
  });

  it('WS-13: close() checks its code and reason synchronously', () => {
    const s = new WebSocketSession(fake().transport, '', '', limits);
    for (const code of [999, 1004, 1005, 1006, 1015, 2000, 5000, 1000.5]) {
      expect(() => s.connection.close(code)).toThrow(/WS-13/);
    }
    expect(() => s.connection.close(1000, 'é'.repeat(62))).toThrow(/WS-13/);
    void s.connection.close(4000, 'ok');
    expect(() => s.connection.close(1000, 'x'.repeat(123))).not.toThrow();
  });

  it('WS-13: send() after close() rejects naming WS-13', async () => {
    const s = new WebSocketSession(fake().transport, '', '', limits);
    void s.connection.close();
    await expect(s.connection.send('late')).rejects.toThrow(/WS-13/);
  });

  it('WS-17, WS-12: no ping, and so no timeout, while reading is paused', () => {
    vi.useFakeTimers();
    try {
      const t = fake({ ping: true, pause: true });
      const s = new WebSocketSession(t.transport, '', '', {
        highWaterMark: 10,
        pingInterval: 100,
        pingTimeout: 50,
      });
      s.message('x'.repeat(20)); // over the mark: paused
      vi.advanceTimersByTime(1000);
      expect(t.log).toEqual(['pause']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('WS-17: a ping every interval; no pong within the timeout closes 1011 and drops', () => {
    vi.useFakeTimers();
    try {
      const t = fake({ ping: true });
      const s = new WebSocketSession(t.transport, '', '', { pingInterval: 100, pingTimeout: 50 });
      vi.advanceTimersByTime(100);
      expect(t.log).toEqual(['ping']);
      s.pong();
      vi.advanceTimersByTime(100);
      expect(t.log).toEqual(['ping', 'ping']);
      vi.advanceTimersByTime(50);
      expect(t.log).toEqual(['ping', 'ping', 'close 1011 keepalive ping timeout', 'terminate']);
    } finally {
      vi.useRealTimers();
    }
  });
});

function handshake(extra: Record<string, string>): Environ {
  const { REQUEST_METHOD, ...rest } = extra;
  return testEnviron({
    ...(REQUEST_METHOD !== undefined ? { method: REQUEST_METHOD } : {}),
    overrides: {
      HTTP_UPGRADE: 'websocket',
      HTTP_CONNECTION: 'keep-alive, Upgrade',
      HTTP_SEC_WEBSOCKET_KEY: 'dGhlIHNhbXBsZSBub25jZQ==',
      HTTP_SEC_WEBSOCKET_VERSION: '13',
      ...rest,
    },
  });
}

describe('websocketHandshake (WS-03, WS-04)', () => {
  it('WS-03: a valid handshake, with the offered protocols and extension names', () => {
    const hs = websocketHandshake(
      handshake({
        HTTP_SEC_WEBSOCKET_PROTOCOL: 'chat, x y, v2.chat',
        HTTP_SEC_WEBSOCKET_EXTENSIONS: 'permessage-deflate; client_max_window_bits',
      }),
    );
    expect(hs).toEqual({
      kind: 'valid',
      protocols: ['chat', 'v2.chat'],
      extensions: ['permessage-deflate'],
    });
    expect(websocketHandshake(testEnviron()).kind).toBe('none');
  });

  it('WS-04: malformed handshakes are refused 400; another version 426', () => {
    const status = (e: Record<string, string>) => {
      const hs = websocketHandshake(handshake(e));
      return hs.kind === 'refuse' ? hs.response.status : hs.kind;
    };
    expect(status({ HTTP_SEC_WEBSOCKET_KEY: 'short' })).toBe('400 Bad Request');
    expect(status({ REQUEST_METHOD: 'POST' })).toBe('400 Bad Request');
    expect(status({ HTTP_CONNECTION: 'keep-alive' })).toBe('400 Bad Request');
    expect(status({ CONTENT_LENGTH: '3' })).toBe('400 Bad Request');
    expect(status({ HTTP_SEC_WEBSOCKET_VERSION: '8' })).toBe('426 Upgrade Required');
  });
});

describe('the engine after a takeover (WS-06, WS-15)', () => {
  function upgradedSink(events: string[]): ResponseSink & { upgraded: boolean } {
    return {
      upgraded: false,
      head: () => void events.push('head'),
      write: () => void events.push('write'),
      end: () => void events.push('end'),
      abort: (e) => void events.push(`abort ${(e as Error).message}`),
    };
  }

  it('WS-06: startResponse throws, the body is not iterated but released, end() follows', async () => {
    const events: string[] = [];
    const sink = upgradedSink(events);
    const { body, log } = trackedBody([new Uint8Array(3)]);
    let threw = '';
    await runApplication(
      (_environ, startResponse) => {
        sink.upgraded = true; // what accept() does
        try {
          startResponse('200 OK', []);
        } catch (err) {
          threw = (err as Error).message;
        }
        return body;
      },
      testEnviron(),
      sink,
    );
    expect(threw).toMatch(/WS-06/);
    expect(events).toEqual(['end']);
    expect(log).toMatchObject({ nexts: 0, closes: 1 });
  });

  it('WS-15: an application that throws after the takeover ends in abort(error), logged', async () => {
    const events: string[] = [];
    const logged: string[] = [];
    const sink = upgradedSink(events);
    const environ = testEnviron({ errors: (t) => void logged.push(t) });
    const app = async () => {
      sink.upgraded = true;
      throw new Error('boom');
    };
    await runApplication(app, environ, sink);
    expect(events).toEqual(['abort boom']);
    expect(logged.join('')).toMatch(/ERR-01: application error: .*boom/);
  });
});
