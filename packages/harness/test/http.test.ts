/** The kit's raw HTTP client against a loopback server that answers fixed bytes. */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, parseResponse, parseResponses, request, requestBytes } from '../src/http.js';
import { deferred, testEnviron, utf8 } from '../src/kit.js';

/** What the server answers, by the first request line's target. */
const ANSWERS: Record<string, { bytes: string }> = {
  '/length': { bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello' },
  '/chunked': {
    bytes: 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n',
  },
  '/close': { bytes: 'HTTP/1.0 200 OK\r\n\r\nhello' },
  '/cut': { bytes: 'HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nhel' },
  '/nothing': { bytes: '' },
  '/junk': { bytes: 'SSH-2.0-OpenSSH\r\n\r\n' },
};

let server: Server;
let port: number;
const seen: Buffer[] = [];

beforeAll(async () => {
  server = createServer((s) => {
    s.on('error', () => {});
    s.once('data', (d: Buffer) => {
      seen.push(d);
      const target = d.toString('latin1').split(' ')[1] ?? '';
      const answer = ANSWERS[target] ?? ANSWERS['/nothing']!;
      s.end(Buffer.from(answer.bytes, 'latin1'));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('@tsgi/harness/http', () => {
  it('reads content-length, chunked and close-delimited bodies, headers as received', async () => {
    const length = await request(port, { target: '/length' });
    expect([length.status, length.framing, length.complete]).toEqual([200, 'length', true]);
    expect(length.body.toString()).toBe('hello');
    expect(length.headerAll('x-a')).toEqual(['1', '2']);
    expect(length.headers[1]).toEqual(['X-A', '1']);
    expect(length.head).toBe('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2');
    const chunked = await request(port, { target: '/chunked' });
    expect([chunked.framing, chunked.complete, chunked.chunkSizes]).toEqual([
      'chunked',
      true,
      [3, 2, 0],
    ]);
    expect(chunked.text()).toBe('hello');
    const close = await request(port, { target: '/close' });
    expect([close.version, close.framing, close.complete, close.text()]).toEqual([
      'HTTP/1.0',
      'close',
      true,
      'hello',
    ]);
  });

  it('tells a cut-short response, a reset, no answer and a non-HTTP answer apart', async () => {
    const cut = await request(port, { target: '/cut' });
    expect([cut.status, cut.complete, cut.body.toString()]).toEqual([200, false, 'hel']);
    const reset = parseResponse(Buffer.from('HTTP/1.1 200 OK\r\n\r\nhel'), { reset: true });
    expect([reset.status, reset.framing, reset.complete, reset.reset]).toEqual([
      200,
      'close',
      false,
      true,
    ]);
    const nothing = await request(port, { target: '/nothing' });
    expect([nothing.status, nothing.complete, nothing.raw.length]).toEqual([0, false, 0]);
    const junk = await request(port, { target: '/junk' });
    expect([junk.status, junk.head]).toEqual([0, 'SSH-2.0-OpenSSH']);
    const refused = await exchange(1, 'GET / HTTP/1.1\r\n\r\n');
    expect([refused.status, refused.reset]).toEqual([0, true]);
  });

  it('sends exact bytes: headers in order, chunked or content-length bodies', async () => {
    const bytes = requestBytes({
      target: '/a%E9',
      hostHeader: 'x',
      headers: [['X-B', '1']],
      body: 'hello',
      chunked: 2,
    });
    expect(bytes.toString('latin1')).toBe(
      'POST /a%E9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-B: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhe\r\n2\r\nll\r\n1\r\no\r\n0\r\n\r\n',
    );
    seen.length = 0;
    await request(port, { method: 'PUT', target: '/length', body: utf8('hi') });
    expect(seen[0]?.toString('latin1')).toBe(
      `PUT /length HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi`,
    );
  });

  it('parses pipelined responses, interim ones as their own entries, HEAD without a body', () => {
    const wire =
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok' +
      'HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n' +
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab';
    const all = parseResponses(Buffer.from(wire, 'latin1'), ['POST', 'HEAD', 'GET']);
    expect(all.map((r) => [r.status, r.complete, r.body.toString()])).toEqual([
      [100, true, ''],
      [200, true, 'ok'],
      [200, true, ''],
      [200, false, 'ab'],
    ]);
    expect(parseResponse(Buffer.from('HTTP/1.1 204 No Content\r\n\r\n')).complete).toBe(true);
  });
});

describe('@tsgi/harness/kit', () => {
  it('deferred settles from outside; testEnviron is a valid GET / with overrides', async () => {
    const d = deferred<number>();
    d.resolve(7);
    expect(await d.promise).toBe(7);
    let errors = '';
    const env = testEnviron({ method: 'POST', errors: (t) => (errors += t), overrides: { X: 1 } });
    expect([env.REQUEST_METHOD, env.PATH_INFO, env.SERVER_NAME, env.X]).toEqual([
      'POST',
      '/',
      'localhost',
      1,
    ]);
    env['tsgi.errors'].write('e');
    expect(errors).toBe('e');
  });
});
