/** tsgi.input over node:http (IN-*, ADP-NODE-03), with raw sockets where framing matters. */

import { createServer } from 'node:http';
import {
  type Application,
  ClientDisconnectError,
  InputTooLargeError,
  InputTruncatedError,
  type RequestInput,
} from '@tsgi/core';
import { createRequestListener } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  deferred,
  enc,
  parseResponses,
  RawClient,
  request,
  start,
  withServer,
} from './_helpers.js';

afterEach(closeAll);

/** Reads the whole body and answers with it; reports the first chunk and the outcome. */
function echoApp(
  done?: (result: { body?: string; error?: unknown }) => void,
  readSize?: number,
  onFirst?: () => void,
): Application {
  return async (environ, startResponse) => {
    const input = environ['tsgi.input'];
    const parts: Uint8Array[] = [];
    try {
      for (;;) {
        const chunk = await input.read(readSize);
        if (chunk.length === 0) break;
        if (parts.length === 0) onFirst?.();
        parts.push(chunk);
      }
    } catch (error) {
      done?.({ error });
      throw error;
    }
    const body = Buffer.concat(parts);
    done?.({ body: body.toString('latin1') });
    startResponse('200 OK', [['content-type', 'application/octet-stream']]);
    return [body];
  };
}

describe('tsgi.input', () => {
  it('IN-01 / IN-03: a Content-Length body is delivered whole, then EOF on every later read', async () => {
    let after: number[] = [];
    const server = await start(async (environ, startResponse) => {
      const input = environ['tsgi.input'];
      const parts: Uint8Array[] = [];
      for await (const c of input) parts.push(c);
      after = [(await input.read()).length, (await input.read(10)).length];
      startResponse('200 OK', []);
      return [Buffer.concat(parts)];
    });
    const body = Buffer.alloc(200_000, 7);
    const res = await request(server.port, '/', { method: 'PUT', body });
    expect(res.status).toBe(200);
    expect(res.body.equals(body)).toBe(true);
    expect(after).toEqual([0, 0]);
  });

  it('IN-02 / ENV-23: a chunked request body is de-chunked and terminated', async () => {
    const seen = deferred<{ body?: string; error?: unknown }>();
    const server = await start(echoApp(seen.resolve));
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    client.write('7\r\n, world\r\n0\r\n\r\n');
    expect((await seen.promise).body).toBe('hello, world');
    const text = await client.until((t) =>
      parseResponses(Buffer.from(t, 'latin1')).some((r) => r.complete),
    );
    client.destroy();
    expect(parseResponses(Buffer.from(text, 'latin1'))[0]!.body.toString()).toBe('hello, world');
  });

  it('ADP-NODE-03 / IN-07: sends 100 Continue on the first read only', async () => {
    const server = await start(echoApp(undefined, 2));
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await client.until((t) => t.includes('\r\n\r\n'));
    expect(client.text).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    client.write('hello');
    const text = await client.until((t) =>
      parseResponses(Buffer.from(t, 'latin1')).some((r) => r.status === 200 && r.complete),
    );
    client.destroy();
    const responses = parseResponses(Buffer.from(text, 'latin1'));
    expect(responses.map((r) => r.status)).toEqual([100, 200]);
    expect(responses[1]!.body.toString()).toBe('hello');
  });

  it('ADP-NODE-03 / IN-07: with createRequestListener and no checkContinue hook, node sends one 100 itself', async () => {
    const listener = createRequestListener(echoApp(undefined, 2));
    const server = createServer().on('request', listener);
    await withServer(server, async (port) => {
      const client = await RawClient.open(port);
      client.write(
        'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n',
      );
      await client.until((t) => t.includes('\r\n\r\n'));
      client.write('hello');
      const text = await client.until((t) =>
        parseResponses(Buffer.from(t, 'latin1')).some((r) => r.status === 200 && r.complete),
      );
      client.destroy();
      expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.status)).toEqual([100, 200]);
    });
  });

  it('IN-07: no 100 Continue when the app answers 401 without reading; the connection closes', async () => {
    const enc401 = enc('no');
    const server = await start((_environ, startResponse) => {
      startResponse('401 Unauthorized', [['content-length', '2']]);
      return [enc401];
    });
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    const text = await client.untilClosed();
    expect(text).not.toContain('100 Continue');
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(res!.status).toBe(401);
    expect(res!.header('connection')).toBe('close');
  });

  it('SRV-05 / IN-08: a Content-Length over maxBodySize gets 413 before the app runs, and the connection closes', async () => {
    let called = false;
    const server = await start(
      (_e, startResponse) => {
        called = true;
        startResponse('200 OK', []);
        return [];
      },
      { maxBodySize: 10 },
    );
    const client = await RawClient.open(server.port);
    client.write(
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\nExpect: 100-continue\r\n\r\n',
    );
    const text = await client.untilClosed();
    expect(text).toMatch(/^HTTP\/1\.1 413 /);
    expect(text).not.toContain('100 Continue');
    expect(called).toBe(false);
    // At the limit is fine.
    const ok = await request(server.port, '/', { method: 'POST', body: '0123456789' });
    expect(ok.status).toBe(200);
  });

  it('IN-08: a chunked body growing past maxBodySize fails the read with InputTooLargeError; 413, then close', async () => {
    const seen = deferred<{ body?: string; error?: unknown }>();
    const server = await start(echoApp(seen.resolve), { maxBodySize: 8 });
    const client = await RawClient.open(server.port);
    client.write(
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n5\r\nworld\r\n',
    );
    expect((await seen.promise).error).toBeInstanceOf(InputTooLargeError);
    const text = await client.untilClosed();
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(res!.status).toBe(413);
    expect(res!.header('connection')).toBe('close');
  });

  it('IN-04: a body cut short by the client rejects with InputTruncatedError, not EOF', async () => {
    const seen = deferred<{ body?: string; error?: unknown }>();
    const first = deferred();
    const server = await start(echoApp(seen.resolve, undefined, first.resolve));
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
    await first.promise;
    client.socket.end(); // half-close: the body can never complete
    const result = await seen.promise;
    expect(result.error).toBeInstanceOf(InputTruncatedError);
    expect((result.error as InputTruncatedError).expected).toBe(10);
    expect(server.errors.join('')).not.toContain('ERR-01'); // ERR-04: a client leaving is no app error
  });

  it('IN-04 / ERR-05: a declared body cut off by a connection reset rejects with ClientDisconnectError', async () => {
    const seen = deferred<{ body?: string; error?: unknown }>();
    const first = deferred();
    const server = await start(echoApp(seen.resolve, undefined, first.resolve));
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello');
    await first.promise;
    client.socket.resetAndDestroy();
    expect((await seen.promise).error).toBeInstanceOf(ClientDisconnectError);
  });

  it('IN-04 / ERR-05: a chunked body cut off by a disconnect rejects with ClientDisconnectError', async () => {
    const seen = deferred<{ body?: string; error?: unknown }>();
    const first = deferred();
    const server = await start(echoApp(seen.resolve, undefined, first.resolve));
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n');
    await first.promise;
    client.destroy();
    expect((await seen.promise).error).toBeInstanceOf(ClientDisconnectError);
  });

  it('IN-06: cancel() discards the rest of the body; the connection serves the next request', async () => {
    const server = await start(async (environ, startResponse) => {
      const input = environ['tsgi.input'];
      const first = await input.read(3);
      input.cancel();
      const after = await input.read();
      startResponse('200 OK', []);
      return [enc(`${Buffer.from(first).toString()}|${after.length}`)];
    });
    const client = await RawClient.open(server.port);
    client.write(
      `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n${'a'.repeat(100_000)}`,
    );
    client.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await client.until(
      (t) => parseResponses(Buffer.from(t, 'latin1')).filter((r) => r.complete).length === 2,
    );
    client.destroy();
    expect(parseResponses(Buffer.from(text, 'latin1')).map((r) => r.body.toString())).toEqual([
      'aaa|0',
      '|0',
    ]);
  });

  it('ADP-NODE-10: the socket is paused while the app does not read (input backpressure)', async () => {
    const started = deferred<RequestInput>();
    const release = deferred();
    const server = await start(async (environ, startResponse) => {
      const input = environ['tsgi.input'] as RequestInput;
      await input.read(1); // start reading, then stall
      started.resolve(input);
      await release.promise;
      let n = 1;
      for await (const c of input) n += c.length;
      startResponse('200 OK', []);
      return [enc(String(n))];
    });
    const total = 32 * 1024 * 1024;
    const client = await RawClient.open(server.port);
    client.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${total}\r\n\r\n`);
    client.write(Buffer.alloc(total, 1));
    const input = await started.promise;
    // Let it settle: `received` stops growing once the pause reaches the socket.
    let last = -1;
    while (input.received !== last) {
      last = input.received;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(input.received).toBeLessThan(4 * 1024 * 1024);
    release.resolve();
    const text = await client.until((t) =>
      parseResponses(Buffer.from(t, 'latin1')).some((r) => r.complete),
    );
    client.destroy();
    expect(parseResponses(Buffer.from(text, 'latin1'))[0]!.body.toString()).toBe(String(total));
  });
});
