/**
 * The server over raw sockets: malformed requests get a clear refusal (a `400` CGI response, or
 * a logged close when nobody can read one) and never touch other connections (ADP-SCGI-04,
 * SRV-10); read timeouts and limits (ADP-SCGI-03, ADP-SCGI-01, SRV-05); the end of a response
 * (ADP-SCGI-07) and truncation (IN-04).
 */
import { utf8 } from '@tsgi/core';
import { encodeScgiRequest } from '@tsgi/scgi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, request, startServer, type TestServer } from './_helpers.js';
import { app, pattern, stats } from './fixtures/app.js';

const enc = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));
const net = (content: string, end = ','): string => `${content.length}:${content}${end}`;

describe('ADP-SCGI-04: malformed requests', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer(app, { maxHeaderSize: 4096 });
  });
  afterAll(() => srv.close());

  const cases: Array<[string, string, string]> = [
    ['a length overflow', '99999999999999999999:', 'HEADERS_TOO_LARGE'],
    [
      'a missing comma',
      net('CONTENT_LENGTH\x000\x00SCGI\x001\x00REQUEST_METHOD\x00GET\x00', ';'),
      'MISSING_COMMA',
    ],
    ['SCGI=1 missing', net('CONTENT_LENGTH\x000\x00REQUEST_METHOD\x00GET\x00'), 'NOT_SCGI'],
    [
      'CONTENT_LENGTH not first',
      net('SCGI\x001\x00CONTENT_LENGTH\x000\x00REQUEST_METHOD\x00GET\x00'),
      'NO_CONTENT_LENGTH',
    ],
    [
      'a duplicate key',
      net(
        'CONTENT_LENGTH\x000\x00SCGI\x001\x00REQUEST_METHOD\x00GET\x00REQUEST_METHOD\x00DELETE\x00',
      ),
      'DUPLICATE_NAME',
    ],
    [
      'no REQUEST_METHOD (SRV-02)',
      net('CONTENT_LENGTH\x000\x00SCGI\x001\x00'),
      'REQUEST_METHOD is missing',
    ],
  ];

  it.each(cases)(
    "ADP-SCGI-04, SRV-10: %s gets core's 400 in CGI form, logged, and the close",
    async (_what, bytes, why) => {
      const before = srv.logs.length;
      const res = await exchange(srv.target, enc(bytes));
      expect(res.reset).toBe(false);
      const cgi = res.cgi();
      expect(cgi.status).toBe(400);
      expect(cgi.text).toBe('400 Bad Request\n');
      expect(srv.logs.slice(before).join('')).toContain(why);
    },
  );

  it("ADP-SCGI-04: a netstring cut off by the front end's EOF is refused with a 400 too", async () => {
    const bytes = enc(
      net('CONTENT_LENGTH\x000\x00SCGI\x001\x00REQUEST_METHOD\x00GET\x00').slice(0, 20),
    );
    const res = await exchange(srv.target, bytes, { halfClose: true });
    expect(res.cgi().status).toBe(400);
    expect(srv.logs.join('')).toContain('TRUNCATED_HEADERS');
  });

  it("ADP-SCGI-04, IN-04: a body cut off by EOF makes the application's reads fail with InputTruncatedError", async () => {
    const full = request({ REQUEST_METHOD: 'POST', HTTP_X_CASE: 'echo' }, pattern(0, 1000));
    const res = await exchange(srv.target, full.subarray(0, full.length - 400), {
      halfClose: true,
    });
    // The engine answers the escaped error with its 500 (ERR-02); the log says why.
    expect(res.cgi().status).toBe(500);
    expect(srv.logs.join('')).toMatch(/TRUNCATED_BODY.*400 bytes short/);
  });

  it('ADP-SCGI-04, SRV-10: a storm of malformed connections leaves a concurrent streaming response intact', async () => {
    const big = exchange(srv.target, request({ HTTP_X_CASE: 'big', HTTP_X_SIZE: '4194304' }), {
      split: 7,
    });
    const storm = [];
    for (let i = 0; i < 40; i++)
      storm.push(exchange(srv.target, enc(cases[i % cases.length]![1]), { split: 3 }));
    for (const r of await Promise.all(storm)) expect(r.cgi().status).toBe(400);
    const res = (await big).cgi();
    expect(res.status).toBe(200);
    expect(Buffer.compare(Buffer.from(res.body), Buffer.from(pattern(0, 4194304)))).toBe(0);
    await expect.poll(() => srv.server.connections).toBe(0);
  });

  it('ADP-SCGI-02: a request sent one byte at a time is served', async () => {
    const res = await exchange(
      srv.target,
      request({ REQUEST_URI: '/x?y', QUERY_STRING: 'y' }, utf8('body')),
      { split: 1 },
    );
    const seen = JSON.parse(res.cgi().text);
    expect(seen.bodyLength).toBe(4);
    expect(seen.environ.PATH_INFO).toBe('/x');
  });
});

describe('ADP-SCGI-03, ADP-SCGI-01, SRV-05: timeouts and limits', () => {
  it('ADP-SCGI-03: a front end that stalls inside the netstring gets 408 after readTimeout', async () => {
    const srv = await startServer(app, { readTimeout: 150 });
    try {
      const res = await exchange(srv.target, enc('100:CONTENT_LENGTH\x00'));
      expect(res.cgi().status).toBe(408);
      expect(srv.logs.join('')).toContain('readTimeout');
    } finally {
      await srv.close();
    }
  });

  it('ADP-SCGI-03, ERR-04: a front end that stalls inside the body aborts the request and closes', async () => {
    const srv = await startServer(app, { readTimeout: 150 });
    try {
      const full = request({ REQUEST_METHOD: 'POST', HTTP_X_CASE: 'echo' }, pattern(0, 1000));
      const res = await exchange(srv.target, full.subarray(0, full.length - 10));
      expect(res.bytes.length).toBe(0);
      await expect.poll(() => srv.server.connections).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('ADP-SCGI-03: the netstring length is bounded by maxHeaderSize', async () => {
    const srv = await startServer(app, { maxHeaderSize: 100 });
    try {
      const res = await exchange(srv.target, request({ HTTP_X: 'x'.repeat(200) }));
      expect(res.cgi().status).toBe(400);
      expect(srv.logs.join('')).toContain('HEADERS_TOO_LARGE');
    } finally {
      await srv.close();
    }
  });

  it('ADP-SCGI-01: connections beyond maxConns are closed at once', async () => {
    const srv = await startServer(app, { maxConns: 1 });
    try {
      const held = exchange(srv.target, enc('5'));
      await expect.poll(() => srv.server.connections).toBe(1);
      const res = await exchange(srv.target, request());
      expect(res.bytes.length).toBe(0);
      expect(srv.logs.join('')).toContain('maxConns');
      void held;
    } finally {
      await srv.close();
    }
  });

  it("SRV-05, ADP-SCGI-10: a CONTENT_LENGTH above maxBodySize gets core's 413 without the app, and the body is read and dropped", async () => {
    const srv = await startServer(app, { maxBodySize: 1000 });
    const started = stats.started;
    try {
      const res = await exchange(
        srv.target,
        request({ REQUEST_METHOD: 'POST', HTTP_X_CASE: 'forever' }, pattern(0, 300_000)),
        { split: 65536 },
      );
      expect(res.reset).toBe(false);
      const cgi = res.cgi();
      expect(cgi.status).toBe(413);
      expect(cgi.text).toBe('Content Too Large\n');
      expect(stats.started).toBe(started);
    } finally {
      await srv.close();
    }
  });
});

describe('ADP-SCGI-07: the response', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startServer(app);
  });
  afterAll(() => srv.close());

  it('ADP-SCGI-07, BODY-25: a response sent before the body is read arrives whole (the unread body is drained, never reset)', async () => {
    const res = await exchange(
      srv.target,
      request(
        { REQUEST_METHOD: 'POST', HTTP_X_CASE: 'big', HTTP_X_SIZE: '1000' },
        pattern(0, 2_000_000),
      ),
      { split: 65536 },
    );
    expect(res.reset).toBe(false);
    const cgi = res.cgi();
    expect(cgi.status).toBe(200);
    expect(cgi.body.length).toBe(1000);
  });

  it('ADP-SCGI-07: the head is `Status:` first, CRLF lines, then the body, closed by the server', async () => {
    const res = await exchange(
      srv.target,
      request({ HTTP_X_CASE: 'echo', REQUEST_METHOD: 'POST' }, utf8('hi')),
    );
    expect(res.text).toMatch(
      /^Status: 200 OK\r\ncontent-type: application\/octet-stream\r\nx-body-length: 2\r\n/,
    );
    expect(res.text.endsWith('\r\n\r\nhi')).toBe(true);
  });

  it('ADP-SCGI-08, ERR-03: a response aborted after its headers resets the TCP connection', async () => {
    const res = await exchange(srv.target, request({ HTTP_X_CASE: 'throw-after' }));
    expect(res.reset).toBe(true);
  });

  it('ADP-SCGI-08, ERR-05: a write() pending when the front end goes away rejects with ClientDisconnectError', async () => {
    const seen: string[] = [];
    const writer = await startServer(async (_environ, startResponse) => {
      const write = startResponse('200 OK', [['content-type', 'application/octet-stream']]);
      try {
        for (;;) await write(new Uint8Array(100_000)); // by reference: settles on the socket
      } catch (err) {
        seen.push((err as Error).name);
      }
      return [];
    });
    try {
      await exchange(writer.target, request(), {
        onSocket: (socket) => socket.once('data', () => socket.resetAndDestroy()),
      });
      await expect.poll(() => seen).toEqual(['ClientDisconnectError']);
    } finally {
      await writer.close();
    }
  });

  it('ADP-SCGI-06, ENV-09: CONTENT_LENGTH 0 stays only when the client declared it (HTTP_CONTENT_LENGTH)', async () => {
    const declared = await exchange(
      srv.target,
      request({ REQUEST_METHOD: 'POST', HTTP_CONTENT_LENGTH: '0' }),
    );
    expect(JSON.parse(declared.cgi().text).environ.CONTENT_LENGTH).toBe('0');
    const none = await exchange(srv.target, request());
    expect(JSON.parse(none.cgi().text).environ.CONTENT_LENGTH).toBeUndefined();
  });

  it('ADP-SCGI-06: repeated HTTP_* headers are joined; CONTENT_LENGTH 0 is no body', async () => {
    const pairs: Array<[string, string]> = [
      ['CONTENT_LENGTH', '0'],
      ['SCGI', '1'],
      ['REQUEST_METHOD', 'GET'],
      ['REQUEST_URI', '/'],
      ['HTTP_X_DUP', 'a'],
      ['HTTP_X_DUP', 'b'],
      ['HTTP_COOKIE', 'a=1'],
      ['HTTP_COOKIE', 'b=2'],
    ];
    const seen = JSON.parse((await exchange(srv.target, encodeScgiRequest(pairs))).cgi().text);
    expect(seen.environ.HTTP_X_DUP).toBe('a, b');
    expect(seen.environ.HTTP_COOKIE).toBe('a=1; b=2');
    expect(seen.environ.CONTENT_LENGTH).toBeUndefined();
    expect(seen.bodyLength).toBe(0);
    expect(seen.multithread).toBe(false);
    expect(seen.runOnce).toBe(false);
  });
});
