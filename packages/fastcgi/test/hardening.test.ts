/**
 * A peer that stalls or floods (issue 22's audit): ADP-FCGI-24 read and idle timeouts free the
 * connection slots of stalled peers; ADP-FCGI-25 bounds the body bytes one connection holds
 * unread even while other requests on it keep the socket flowing.
 */
import { connect, type Socket } from 'node:net';
import type { Application, RequestInput } from '@tsgi/core';
import {
  encodeBeginRequest,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  FCGI_KEEP_CONN,
  RecordType,
  Role,
} from '@tsgi/fastcgi/codec';
import { afterEach, describe, expect, it } from 'vitest';
import { cgi, cgiParams, deferred, startServer, type TestServer } from './_helpers.js';

let running: TestServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await running?.close();
  running = undefined;
});

const hello: Application = (_e, start) => {
  start('200 OK', [['content-type', 'text/plain']]);
  return [new TextEncoder().encode('hello')];
};

/** A raw connection; resolves with how long it stayed open once the server closes it. */
function rawPeer(
  port: number,
  bytes: Uint8Array,
): Promise<{ socket: Socket; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.once('connect', () => {
      const opened = Date.now();
      const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - opened)));
      if (bytes.length > 0) socket.write(bytes);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

function params(id: number, values: Record<string, string>): Uint8Array {
  return encodeStream(RecordType.PARAMS, id, encodeNameValuePairs(Object.entries(values)), {
    terminate: true,
  });
}

const TIMEOUT = 300;

describe('ADP-FCGI-24: read and idle timeouts', () => {
  it('a peer stalled inside a record header (01 01 00) is closed after readTimeout, and logged', async () => {
    running = await startServer(hello, { readTimeout: TIMEOUT });
    const { closed } = await rawPeer(running.port, new Uint8Array([1, 1, 0]));
    const ms = await closed;
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT - 50);
    expect(running.logs.join('')).toMatch(/readTimeout, ADP-FCGI-24/);
  });

  it('a connection that never sends a byte is closed after readTimeout', async () => {
    running = await startServer(hello, { readTimeout: TIMEOUT, idleTimeout: 60_000 });
    const { closed } = await rawPeer(running.port, new Uint8Array(0));
    expect(await closed).toBeGreaterThanOrEqual(TIMEOUT - 50);
  });

  it('a request whose PARAMS never end is closed after readTimeout', async () => {
    running = await startServer(hello, { readTimeout: TIMEOUT });
    const begin = encodeBeginRequest(1, Role.RESPONDER, FCGI_KEEP_CONN);
    const some = encodeRecord(
      RecordType.PARAMS,
      1,
      encodeNameValuePairs(Object.entries(cgiParams())),
    );
    const { closed } = await rawPeer(running.port, Buffer.concat([begin, some]));
    expect(await closed).toBeGreaterThanOrEqual(TIMEOUT - 50);
    expect(running.server.activeRequests).toBe(0);
  });

  it('stalled peers filling maxConns stop blocking a good request once readTimeout has passed', async () => {
    running = await startServer(hello, { readTimeout: TIMEOUT, maxConns: 4 });
    const stalled = [];
    for (let i = 0; i < 4; i++)
      stalled.push(await rawPeer(running.port, new Uint8Array([1, 1, 0])));
    await Promise.all(stalled.map((p) => p.closed));
    const client = await running.client();
    const res = cgi(await client.request({ params: cgiParams() }));
    expect([res.status, res.text]).toEqual([200, 'hello']);
  });

  it('an application slower than readTimeout is not cut off: its PARAMS were all read', async () => {
    running = await startServer(
      async (_e, start) => {
        await new Promise((r) => setTimeout(r, TIMEOUT * 3));
        start('200 OK', []);
        return [new TextEncoder().encode('late')];
      },
      { readTimeout: TIMEOUT },
    );
    const client = await running.client();
    const res = cgi(await client.request({ params: cgiParams() }));
    expect([res.status, res.text]).toEqual([200, 'late']);
  });

  it('a kept-alive connection outlives readTimeout and is closed after idleTimeout', async () => {
    running = await startServer(hello, { readTimeout: TIMEOUT, idleTimeout: TIMEOUT * 4 });
    const begin = encodeBeginRequest(1, Role.RESPONDER, FCGI_KEEP_CONN);
    const request = Buffer.concat([
      begin,
      params(1, cgiParams()),
      encodeRecord(RecordType.STDIN, 1, new Uint8Array(0)),
    ]);
    const { socket, closed } = await rawPeer(running.port, request);
    const answered = deferred();
    socket.on('data', () => answered.resolve());
    await answered.promise;
    const ms = await closed;
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT * 4 - 50);
    expect(running.logs.join('')).not.toMatch(/readTimeout/);
  });

  it('options are checked at setup', async () => {
    await expect(startServer(hello, { readTimeout: 0 })).rejects.toThrow(
      /readTimeout must be a positive integer/,
    );
    await expect(startServer(hello, { idleTimeout: 1.5 })).rejects.toThrow(/idleTimeout/);
    await expect(startServer(hello, { maxBufferedInput: -1 })).rejects.toThrow(/maxBufferedInput/);
  });
});

describe('ADP-FCGI-25: unread bodies on one connection stay bounded', () => {
  it('request 1 never reads, request 2 never finishes PARAMS: STDIN for 1 stops being read', async () => {
    const bound = 256 * 1024;
    let input: RequestInput | undefined;
    const started = deferred();
    running = await startServer(
      (environ, start) => {
        input = environ['tsgi.input'] as RequestInput;
        started.resolve();
        start('200 OK', []);
        return (async function* () {
          await new Promise(() => {}); // never reads, never ends (closed with the connection)
        })();
      },
      { maxBufferedInput: bound, readTimeout: 60_000 },
    );
    const head = Buffer.concat([
      encodeBeginRequest(1, Role.RESPONDER, FCGI_KEEP_CONN),
      params(1, cgiParams({ REQUEST_METHOD: 'POST' })),
      encodeBeginRequest(2, Role.RESPONDER, FCGI_KEEP_CONN),
      encodeRecord(RecordType.PARAMS, 2, encodeNameValuePairs([['REQUEST_METHOD', 'GET']])),
    ]);
    const { socket } = await rawPeer(running.port, head);
    await started.promise;
    // Up to 16 MiB of STDIN for request 1, written as fast as the socket takes it, for 1.5 s.
    const record = encodeRecord(RecordType.STDIN, 1, new Uint8Array(65535 - 7).fill(0x61));
    const deadline = Date.now() + 1500;
    let sent = 0;
    while (sent < 16 * 1024 * 1024 && Date.now() < deadline) {
      sent += record.length;
      if (!socket.write(record)) {
        await Promise.race([
          new Promise((r) => socket.once('drain', r)),
          new Promise((r) => setTimeout(r, deadline - Date.now())),
        ]);
      }
    }
    await new Promise((r) => setTimeout(r, 100));
    // The bound, plus what node had read before the pause took effect (one read, 64 KiB).
    expect(input!.buffered).toBeLessThanOrEqual(bound + 2 * 65536);
    expect(input!.buffered).toBeGreaterThanOrEqual(64 * 1024); // the app's input did fill
  });
});
