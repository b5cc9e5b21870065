import { utf8 } from '@tsgi/core';
import type { FastCGIClient } from '@tsgi/fastcgi/client';
import {
  concatBytes,
  encodeBeginRequestBody,
  encodeHeader,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  RecordType,
} from '@tsgi/fastcgi/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cgi, cgiParams, startServer, type TestServer } from './_helpers.js';

/** mulberry32: a small seeded PRNG so every run sends the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function validRequest(id: number, body = 'hello'): Uint8Array {
  return concatBytes([
    encodeRecord(RecordType.BEGIN_REQUEST, id, encodeBeginRequestBody(1, 1)),
    encodeStream(
      RecordType.PARAMS,
      id,
      encodeNameValuePairs(
        Object.entries(cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(body.length) })),
      ),
      {
        terminate: true,
      },
    ),
    encodeStream(RecordType.STDIN, id, utf8(body), { terminate: true }),
  ]);
}

describe('FastCGI malformed input: the offending connection closes, nothing else notices', () => {
  let srv: TestServer;
  let good: FastCGIClient;
  let goodRequests = 0;

  beforeAll(async () => {
    srv = await startServer(
      async (environ, startResponse) => {
        let n = 0;
        for await (const c of environ['tsgi.input']) n += c.length;
        startResponse('200 OK', [['content-type', 'text/plain']]);
        return [utf8(`got ${n}`)];
      },
      { maxParamsSize: 4096 },
    );
    good = await srv.client();
  });
  afterAll(() => srv.close());

  /** A well-formed request on the long-lived connection: it must be unaffected by the fuzzing. */
  async function checkGood(): Promise<void> {
    const res = await good.request({
      params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '3' }),
      stdin: 'abc',
    });
    expect(cgi(res).text).toBe('got 3');
    goodRequests++;
  }

  /** Sends bytes on a fresh connection and expects the server to close it by itself. */
  async function expectClosedBy(bytes: Uint8Array): Promise<FastCGIClient> {
    const c = await srv.client();
    await c.sendRaw(bytes);
    await c.closed;
    return c;
  }

  it('ADP-FCGI-19: a record version other than 1 closes the connection', async () => {
    const bad = encodeRecord(RecordType.BEGIN_REQUEST, 1, encodeBeginRequestBody(1, 1));
    bad[0] = 2;
    await expectClosedBy(bad);
    expect(srv.logs.join('')).toMatch(/BAD_VERSION/);
    await checkGood();
  });

  it('ADP-FCGI-19: a version error after a valid request still answers nothing more and closes', async () => {
    const bytes = concatBytes([validRequest(1), new Uint8Array([9, 9, 9, 9, 9, 9, 9, 9])]);
    const c = await expectClosedBy(bytes);
    expect(c.isClosed).toBe(true);
    await checkGood();
  });

  it('ADP-FCGI-10, ADP-FCGI-19: params larger than maxParamsSize close the connection (huge params)', async () => {
    const pairs = encodeNameValuePairs([['HTTP_X_BIG', 'x'.repeat(10_000)]]);
    await expectClosedBy(
      concatBytes([
        encodeRecord(RecordType.BEGIN_REQUEST, 1, encodeBeginRequestBody(1, 1)),
        encodeStream(RecordType.PARAMS, 1, pairs, { maxContentLength: 1000 }),
      ]),
    );
    expect(srv.logs.join('')).toMatch(/PARAMS_TOO_LARGE|PAIR_TOO_LARGE/);
    await checkGood();
  });

  it('ADP-FCGI-19: a pair length of 2^31-1 is refused at once, before its bytes (CVE-2025-23016 class)', async () => {
    await expectClosedBy(
      concatBytes([
        encodeRecord(RecordType.BEGIN_REQUEST, 1, encodeBeginRequestBody(1, 1)),
        encodeRecord(RecordType.PARAMS, 1, new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x01])),
      ]),
    );
    expect(srv.logs.join('')).toMatch(/PAIR_TOO_LARGE/);
    await checkGood();
  });

  it('ADP-FCGI-19: protocol-order violations close the connection', async () => {
    const begin = encodeRecord(RecordType.BEGIN_REQUEST, 1, encodeBeginRequestBody(1, 1));
    const cases: Uint8Array[] = [
      encodeRecord(RecordType.BEGIN_REQUEST, 1, new Uint8Array(3)), // short body
      concatBytes([begin, begin]), // BEGIN for an active id
      concatBytes([begin, encodeRecord(RecordType.STDIN, 1, utf8('early'))]), // STDIN before PARAMS end
      concatBytes([begin, encodeRecord(RecordType.PARAMS, 1, new Uint8Array([5, 5, 65]))]).slice(), // cut pair...
    ];
    cases[3] = concatBytes([cases[3]!, encodeRecord(RecordType.PARAMS, 1)]); // ...then the params end
    for (const bytes of cases) await expectClosedBy(bytes);
    await checkGood();
  });

  it('ADP-FCGI-03: a record cut off by the web server closing (lengths past the buffer) ends cleanly', async () => {
    const c = await srv.client();
    await c.sendRaw(
      concatBytes([
        validRequest(1).subarray(0, 40),
        encodeHeader(RecordType.STDIN, 1, 65535),
        utf8('ten bytes!'),
      ]),
    );
    await c.close(); // FIN with a record outstanding
    expect(c.isClosed).toBe(true);
    await expect.poll(() => srv.server.activeRequests).toBe(0);
    await checkGood();
  });

  it('ADP-FCGI-19, SRV-10, ERR-07: 300 seeded random and mutated byte streams: no crash, no hang, well-formed traffic unaffected', async () => {
    const random = rng(0x7a61);
    const template = validRequest(1, 'payload');
    const byte = (): number => Math.floor(random() * 256);
    for (let i = 0; i < 300; i++) {
      let bytes: Uint8Array;
      const kind = i % 4;
      if (kind === 0) {
        bytes = new Uint8Array(Math.floor(random() * 600)).map(byte);
      } else if (kind === 1) {
        // Version 1 headers with random fields: exercises lengths, types and ids.
        const parts: Uint8Array[] = [];
        for (let r = 0; r < 1 + Math.floor(random() * 6); r++) {
          const len = Math.floor(random() * 300);
          const h = encodeHeader(
            1 + Math.floor(random() * 12),
            Math.floor(random() * 4),
            len,
            Math.floor(random() * 256),
          );
          parts.push(h, new Uint8Array(len + h[6]!).map(byte));
        }
        bytes = concatBytes(parts);
      } else {
        // A valid request with a few bytes changed, truncated or both.
        bytes = template.slice();
        for (let m = 0; m < 1 + Math.floor(random() * 4); m++)
          bytes[Math.floor(random() * bytes.length)] = byte();
        if (kind === 3) bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
      }
      const c = await srv.client({ splitWrites: [1 + Math.floor(random() * 50)] });
      await c.sendRaw(bytes);
      await c.close(); // the server must let go once the web server does
      if (i % 50 === 0) await checkGood();
    }
    await checkGood();
    await expect.poll(() => srv.server.activeRequests).toBe(0);
    await expect.poll(() => srv.server.connections).toBe(1); // only the well-formed one is left
    expect(goodRequests).toBeGreaterThan(6);
  });
});
