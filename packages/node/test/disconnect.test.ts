/** Client disconnects and backpressure (ADP-NODE-02, ADP-NODE-04, ERR-04, ERR-05, BODY-02, BODY-05). */
import { ClientDisconnectError, type ResponseBody } from '@tsgi/core';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, deferred, enc, eventually, RawClient, start, withServer } from './_helpers.js';

afterEach(closeAll);

describe('disconnects', () => {
  it('ADP-NODE-04 / BODY-05 / ERR-04: a client leaving mid-stream aborts tsgi.signal and releases an idle body once', async () => {
    const stats = { next: 0, returned: 0, closed: 0, aborted: false };
    const released = deferred();
    const server = await start((environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      environ['tsgi.signal'].addEventListener('abort', () => {
        stats.aborted = true;
      });
      const body: ResponseBody & { close(): void } = {
        [Symbol.asyncIterator]: () => ({
          next() {
            stats.next++;
            // The first chunk comes at once; then the body idles forever (a quiet event stream).
            return stats.next === 1
              ? Promise.resolve({ done: false, value: enc('first') })
              : new Promise(() => {});
          },
          return() {
            stats.returned++;
            return Promise.resolve({ done: true, value: undefined });
          },
        }),
        close() {
          stats.closed++;
          released.resolve();
        },
      };
      return body;
    });
    const client = await RawClient.open(server.port);
    client.write('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until((t) => t.includes('first'));
    client.destroy();
    await released.promise;
    await eventually(() => stats.returned > 0);
    expect(stats).toEqual({ next: 2, returned: 1, closed: 1, aborted: true });
    expect(server.errors.join('')).toBe(''); // ERR-04: expected, not an application error
  });

  it('ERR-05: write() after the client left rejects with ClientDisconnectError', async () => {
    const result = deferred<unknown>();
    const server = await start(async (environ, startResponse) => {
      const write = startResponse('200 OK', []);
      await write(enc('hello'));
      const signal = environ['tsgi.signal'];
      await new Promise((r) => signal.addEventListener('abort', r));
      try {
        await write(enc('again'));
        result.resolve('resolved');
      } catch (err) {
        result.resolve(err);
      }
      return [];
    });
    const client = await RawClient.open(server.port);
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await client.until((t) => t.includes('hello'));
    client.destroy();
    expect(await result.promise).toBeInstanceOf(ClientDisconnectError);
  });

  it('ADP-NODE-02 / BODY-02: a client that does not read bounds how far the body runs ahead', async () => {
    const chunk = new Uint8Array(64 * 1024);
    let produced = 0;
    const released = deferred();
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', [['content-type', 'application/octet-stream']]);
      return (function* () {
        try {
          for (let i = 0; i < 16384; i++) {
            produced += chunk.length; // up to 1 GiB if nothing held it back
            yield chunk;
          }
        } finally {
          released.resolve();
        }
      })();
    });
    const client = await RawClient.open(server.port);
    client.socket.pause(); // a slow client: read nothing
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    // Wait until production stops: only socket buffers hold what was produced.
    let last = -1;
    while (produced !== last) {
      last = produced;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(produced).toBeGreaterThan(0);
    expect(produced).toBeLessThan(16 * 1024 * 1024); // socket buffers: a few MiB on loopback
    // Reading resumes production; then leaving releases the body (BODY-05).
    client.socket.resume();
    await client.until(() => produced > last + 4 * 1024 * 1024);
    client.destroy();
    await released.promise;
  });
});

describe('watching responses (ADP-NODE-04)', () => {
  it("a response the engine finished synchronously gets no 'close' listener; a streamed one does", async () => {
    const { createServer } = await import('node:http');
    const { createRequestListener } = await import('@tsgi/node');
    const listener = createRequestListener((environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      if (environ.PATH_INFO === '/sync') return [enc('sync')];
      return (async function* () {
        yield enc('streamed');
      })();
    });
    const closeListeners: Record<string, number> = {};
    const server = createServer((req, res) => {
      listener(req, res);
      closeListeners[req.url!] = res.listenerCount('close');
    });
    await withServer(server, async (port) => {
      for (const path of ['/sync', '/stream']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(await res.text()).toBe(path.slice(1) === 'sync' ? 'sync' : 'streamed');
      }
      // The synchronous response was handed to node in full: nothing is left to abort or
      // release, so it is accounted for at once (the adapter's per-request saving).
      expect(closeListeners['/sync']).toBe(0);
      expect(closeListeners['/stream']).toBe(1);
    });
  });

  it('graceful shutdown still counts synchronous responses as finished', async () => {
    const server = await start((_e, startResponse) => {
      startResponse('200 OK', []);
      return [enc('x')];
    });
    for (let i = 0; i < 20; i++)
      await fetch(`http://127.0.0.1:${server.port}/`).then((r) => r.text());
    expect(server.access).toHaveLength(20);
    // With a request left counted as active, close() would wait out this minute and the test
    // would time out.
    await server.close({ timeout: 60_000 });
  });
});
