/**
 * An echo over node:http: the application returns the server's own tsgi.input, which the engine
 * passes through inline (core's passInput, `ResponseSink.passThrough`): each request body chunk is
 * written from node's 'data' event. The rules the generic path kept still hold there.
 */
import type { Application } from '@tsgi/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeAll,
  deferred,
  eventually,
  parseResponses,
  RawClient,
  request,
  start,
} from './_helpers.js';

afterEach(closeAll);

const echo: Application = (environ, startResponse) => {
  startResponse('200 OK', [['content-type', 'application/octet-stream']]);
  return environ['tsgi.input'];
};

describe('tsgi.input echoed as the body (passed through)', () => {
  it('ADP-NODE-14: the access log counts the echoed bytes', async () => {
    const server = await start(echo);
    const body = Buffer.alloc(300_000, 0x61);
    const res = await request(server.port, '/', { method: 'POST', body });
    expect(res.body.length).toBe(body.length);
    await eventually(() => server.access.length === 1);
    expect(server.access[0]).toMatch(/"POST \/ HTTP\/1\.1" 200 300000$/);
  });

  it('ENV-24, BODY-05: a client leaving mid-echo aborts the signal and releases the body', async () => {
    const aborted = deferred<unknown>();
    const server = await start((environ, startResponse) => {
      const signal = environ['tsgi.signal'];
      signal.addEventListener('abort', () => aborted.resolve(signal.reason));
      return echo(environ, startResponse);
    });
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n');
    client.write(Buffer.alloc(50_000, 0x62));
    await client.until((t) => t.includes('b'.repeat(1000)));
    client.destroy();
    expect(await aborted.promise).toBeDefined();
    // The exchange is done: its one access-log line, with what was echoed before the end.
    await eventually(() => server.access.length === 1);
    expect(server.access[0]).toMatch(/"POST \/ HTTP\/1\.1" 200 \d+$/);
    expect(server.errors.join('')).not.toMatch(/ERR-01/); // ERR-04: a client leaving is no error
  });

  it('IN-07: 100 Continue goes out when the echo starts, not before', async () => {
    const go = deferred<void>();
    const server = await start(async (environ, startResponse) => {
      await go.promise;
      return echo(environ, startResponse);
    });
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(client.text).toBe('');
    go.resolve();
    await client.until((t) => t.includes('100 Continue'));
    client.write('hello');
    const text = await client.until((t) => t.endsWith('0\r\n\r\n'));
    const [interim, res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(interim!.status).toBe(100);
    expect(res!.status).toBe(200);
    expect(res!.body.toString('latin1')).toBe('hello');
    client.destroy();
  });

  it('IN-08: a chunked body over maxBodySize before anything was echoed gives 413, then close', async () => {
    const server = await start(echo, { maxBodySize: 8 });
    const client = await RawClient.open(server.port);
    client.write(
      'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n',
    );
    const text = await client.untilClosed();
    const [res] = parseResponses(Buffer.from(text, 'latin1'));
    expect(res!.status).toBe(413);
    expect(res!.header('connection')).toBe('close');
  });

  it('BODY-08: a declared content-length stops the echo there; the connection serves the next request', async () => {
    const server = await start((environ, startResponse) => {
      startResponse('200 OK', [['content-length', '3']]);
      return environ['tsgi.input'];
    });
    const client = await RawClient.open(server.port);
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabcdef');
    client.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nxyz');
    const text = await client.until(
      (t) => t.split('HTTP/1.1 200').length === 3 && t.endsWith('xyz'),
    );
    const [first, second] = parseResponses(Buffer.from(text, 'latin1'));
    expect(first!.body.toString('latin1')).toBe('abc');
    expect(second!.body.toString('latin1')).toBe('xyz');
    client.destroy();
  });
});
