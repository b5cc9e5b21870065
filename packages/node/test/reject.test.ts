/**
 * Requests refused before the application, over raw sockets: too many header lines (SRV-07),
 * Host missing or repeated and unknown transfer codings (SRV-02), nothing pipelined behind a
 * refusal reaching the app, and header/request timeouts that fire on time (SRV-06).
 */
import { createServer } from 'node:http';
import type { Application } from '@tsgi/core';
import { createRequestListener } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';
import { closeAll, enc, parseResponses, RawClient, start, withServer } from './_helpers.js';

afterEach(closeAll);

/** An app that counts its calls and echoes the body length. */
function counting(): { app: Application; calls: string[] } {
  const calls: string[] = [];
  const app: Application = async (environ, startResponse) => {
    calls.push(`${environ.REQUEST_METHOD} ${environ.PATH_INFO}`);
    let n = 0;
    for (;;) {
      const chunk = await environ['tsgi.input'].read();
      if (chunk.length === 0) break;
      n += chunk.length;
    }
    startResponse('200 OK', [['content-type', 'text/plain']]);
    return [enc(`${n}\n`)];
  };
  return { app, calls };
}

/** Sends `bytes` on a fresh connection and waits for the server to close it. */
async function exchange(port: number, bytes: string): Promise<string> {
  const client = await RawClient.open(port);
  client.write(bytes);
  return client.untilClosed();
}

const headerLines = (n: number): string =>
  Array.from({ length: n }, (_, i) => `X-H${i}: v\r\n`).join('');

describe('refusals before the application', () => {
  it('SRV-07: more header lines than maxHeaders get 431 and close; exactly maxHeaders is served', async () => {
    const { app, calls } = counting();
    const server = await start(app, { maxHeaders: 10 });
    // Host plus 9 lines: 10, the limit.
    const ok = await exchange(
      server.port,
      `GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headerLines(8)}\r\n`,
    );
    expect(parseResponses(Buffer.from(ok, 'latin1'))[0]!.status).toBe(200);
    const text = await exchange(
      server.port,
      `GET /many HTTP/1.1\r\nHost: x\r\n${headerLines(10)}\r\n`,
    );
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(res!.status).toBe(431);
    expect(res!.header('connection')).toBe('close');
    expect(calls).toEqual(['GET /ok']);
    expect(server.access.at(-1)).toMatch(/"GET \/many HTTP\/1\.1" 431 /);
  });

  it('SRV-07: by default 100 header lines are allowed and 2,500 (beyond node’s own cut) get 431', async () => {
    const { app, calls } = counting();
    const server = await start(app);
    const ok = await exchange(
      server.port,
      `GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${headerLines(98)}\r\n`,
    );
    expect(ok).toMatch(/^HTTP\/1\.1 200 /);
    const many = await exchange(
      server.port,
      `GET /many HTTP/1.1\r\nHost: x\r\n${headerLines(2500)}\r\n`,
    );
    expect(many).toMatch(/^HTTP\/1\.1 431 /);
    expect(calls).toEqual(['GET /ok']);
    await expect(start(app, { maxHeaders: 0 })).rejects.toThrow(RangeError);
  });

  it('SRV-02: an unknown transfer coding gets 501 and close without the app; chunked in any case is served', async () => {
    const { app, calls } = counting();
    const server = await start(app);
    for (const coding of ['gzip, chunked', 'gzip', 'xchunked', 'identity']) {
      const text = await exchange(
        server.port,
        `POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: ${coding}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`,
      );
      const [res] = parseResponses(Buffer.from(text, 'latin1'));
      expect([coding, res?.status, res?.header('connection')]).toEqual([coding, 501, 'close']);
    }
    // Two field lines are one list, "chunked, chunked" (node's parser answers 400 itself).
    const twice = await exchange(
      server.port,
      'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expect(twice).toMatch(/^HTTP\/1\.1 (400|501) /);
    expect(calls).toEqual([]);
    const ok = await exchange(
      server.port,
      'POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: CHUNKED\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
    );
    expect(parseResponses(Buffer.from(ok, 'latin1'))[0]!.body.toString()).toBe('5\n');
    expect(calls).toEqual(['POST /up']);
  });

  it('SRV-02: HTTP/1.1 without Host gets 400 and close; a request pipelined behind it never reaches the app', async () => {
    const { app, calls } = counting();
    const server = await start(app);
    const text = await exchange(
      server.port,
      'GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /c HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const responses = parseResponses(Buffer.from(text, 'latin1'));
    expect(responses.map((r) => r.status)).toEqual([400]);
    expect(responses[0]!.header('connection')).toBe('close');
    // Give the server a moment to (wrongly) run what was pipelined.
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual([]);
    // HTTP/1.0 needs no Host.
    const old = await exchange(server.port, 'GET /old HTTP/1.0\r\n\r\n');
    expect(old).toMatch(/^HTTP\/1\.1 200 /);
    expect(calls).toEqual(['GET /old']);
  });

  it('SRV-02: two Host header lines get 400 and close (RFC 9112 §3.2), in HTTP/1.1 and 1.0, in any case', async () => {
    const { app, calls } = counting();
    const server = await start(app);
    for (const [version, first, second] of [
      ['1.1', 'Host', 'Host'],
      ['1.0', 'Host', 'Host'],
      ['1.1', 'HOST', 'hOsT'],
    ]) {
      const text = await exchange(
        server.port,
        `GET /a HTTP/${version}\r\n${first}: a.test\r\n${second}: b.test\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n`,
      );
      const responses = parseResponses(Buffer.from(text, 'latin1'));
      expect(responses.map((r) => r.status)).toEqual([400]);
      expect(responses[0]!.header('connection')).toBe('close');
    }
    expect(calls).toEqual([]);
  });

  it('SRV-02 / SRV-05: nothing pipelined behind a 413 reaches the app; a valid request before a refusal is answered', async () => {
    const { app, calls } = counting();
    const server = await start(app, { maxBodySize: 2 });
    const text = await exchange(
      server.port,
      'GET /first HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
        'GET /after HTTP/1.1\r\nHost: x\r\n\r\n',
    );
    const responses = parseResponses(Buffer.from(text, 'latin1'));
    expect(responses.map((r) => r.status)).toEqual([200, 413]);
    await new Promise((r) => setTimeout(r, 50));
    expect(calls).toEqual(['GET /first']);
  });

  it('SRV-02: createRequestListener on a server of your own checks Host too', async () => {
    const { app, calls } = counting();
    const listener = createRequestListener(app);
    const server = createServer({ requireHostHeader: false }).on('request', listener);
    await withServer(server, async (port) => {
      expect(await exchange(port, 'GET / HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
      expect(calls).toEqual([]);
    });
  });
});

describe('timeouts', () => {
  /** Writes `head` then one byte of `drip` every `every` ms; resolves with the ms until close. */
  async function dribble(port: number, head: string, drip: string, every: number) {
    const client = await RawClient.open(port);
    const t0 = Date.now();
    client.write(head);
    const timer = setInterval(() => client.write(drip), every);
    try {
      const text = await client.untilClosed();
      return { ms: Date.now() - t0, text };
    } finally {
      clearInterval(timer);
    }
  }

  it('SRV-06: a header section dribbled slowly is cut off by headersTimeout within a second, without the app', async () => {
    const { app, calls } = counting();
    const server = await start(app, { headersTimeout: 300, requestTimeout: 5000 });
    const { ms, text } = await dribble(server.port, 'GET / HTTP/1.1\r\nHost: x\r\n', 'X', 50);
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(1300); // node's own default would be up to 30 s + 300 ms
    expect(text).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(calls).toEqual([]);
  });

  it('SRV-06: a body that stalls is cut off by requestTimeout within a second and the read fails', async () => {
    let failure: unknown;
    const server = await start(
      async (environ, startResponse) => {
        try {
          while ((await environ['tsgi.input'].read()).length > 0);
        } catch (err) {
          failure = err;
          throw err;
        }
        startResponse('200 OK', []);
        return [];
      },
      { headersTimeout: 300, requestTimeout: 600 },
    );
    const { ms } = await dribble(
      server.port,
      'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc',
      '',
      1000,
    );
    expect(ms).toBeGreaterThanOrEqual(550);
    expect(ms).toBeLessThan(1600);
    await expect.poll(() => failure).toBeInstanceOf(Error);
  });
});
