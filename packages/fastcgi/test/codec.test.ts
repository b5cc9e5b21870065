import {
  concatBytes,
  decodeBeginRequestBody,
  decodeEndRequestBody,
  decodeHeader,
  decodeNameValuePairs,
  decodeRecords,
  decodeUnknownTypeBody,
  encodeBeginRequestBody,
  encodeEndRequestBody,
  encodeHeader,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  encodeUnknownTypeBody,
  FastCGIProtocolError,
  type FastCGIRecord,
  FCGI_MAX_CONTENT_LENGTH,
  ParamsDecoder,
  ProtocolStatus,
  paddingFor,
  RecordDecoder,
  RecordType,
  Role,
} from '@tsgi/fastcgi/codec';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);
const latin1 = (b: Uint8Array): string => String.fromCharCode(...b);

/** Decodes `stream` fed in pieces cut at `cuts` (sorted offsets). */
function decodeSplit(
  stream: Uint8Array,
  cuts: number[],
): { records: FastCGIRecord[]; error: unknown } {
  const records: FastCGIRecord[] = [];
  const d = new RecordDecoder((type, requestId, content) => {
    records.push({ type, requestId, content: content.slice() });
  });
  let at = 0;
  let error: unknown;
  for (const cut of [...cuts, stream.length]) {
    error = d.push(stream.subarray(at, cut));
    if (error !== undefined) return { records, error };
    at = cut;
  }
  return { records, error: d.end() };
}

const recordArb = fc.record({
  type: fc.integer({ min: 1, max: 255 }),
  requestId: fc.integer({ min: 0, max: 0xffff }),
  content: fc.uint8Array({ maxLength: 300 }),
  pad: fc.boolean(),
});

describe('FastCGI codec: record header (spec §3.3, ADP-FCGI-01)', () => {
  it('encodes version 1, big-endian id and length, padding, reserved 0', () => {
    expect(encodeHeader(RecordType.STDOUT, 0x1234, 0xabcd, 3)).toEqual(
      bytes(1, 6, 0x12, 0x34, 0xab, 0xcd, 3, 0),
    );
    expect(decodeHeader(bytes(1, 6, 0x12, 0x34, 0xab, 0xcd, 3, 0))).toEqual({
      version: 1,
      type: 6,
      requestId: 0x1234,
      contentLength: 0xabcd,
      paddingLength: 3,
    });
  });

  it('rejects fields that do not fit the wire', () => {
    expect(() => encodeHeader(1, 0x10000, 0)).toThrow(RangeError);
    expect(() => encodeHeader(1, 1, FCGI_MAX_CONTENT_LENGTH + 1)).toThrow(RangeError);
    expect(() => encodeHeader(1, 1, 0, 256)).toThrow(RangeError);
  });

  it('pads records to a multiple of 8 by default, and not when asked', () => {
    for (let n = 0; n < 20; n++) expect((n + paddingFor(n)) % 8).toBe(0);
    expect(encodeRecord(6, 1, new Uint8Array(5)).length).toBe(16);
    expect(encodeRecord(6, 1, new Uint8Array(5), { pad: false }).length).toBe(13);
  });

  it('encodeStream splits payloads larger than one record and can terminate the stream', () => {
    const data = new Uint8Array(200_000).map((_, i) => i & 0xff);
    const { records, error } = decodeRecords(
      encodeStream(RecordType.STDOUT, 7, data, { terminate: true }),
    );
    expect(error).toBeUndefined();
    expect(records.length).toBe(5); // 65528 * 3 + 3416, then the empty record
    for (const r of records) expect(r.content.length).toBeLessThanOrEqual(FCGI_MAX_CONTENT_LENGTH);
    expect(records.at(-1)!.content.length).toBe(0);
    expect(concatBytes(records.map((r) => r.content))).toEqual(data);
    const max = decodeRecords(
      encodeStream(RecordType.STDIN, 1, new Uint8Array(65535 * 2), { maxContentLength: 65535 }),
    );
    expect(max.records.map((r) => r.content.length)).toEqual([65535, 65535]);
  });
});

describe('FastCGI codec: fixed bodies (spec §4.2, §5.1, §5.5)', () => {
  it('BEGIN_REQUEST body: role and flags', () => {
    const b = encodeBeginRequestBody(Role.RESPONDER, 1);
    expect(b).toEqual(bytes(0, 1, 1, 0, 0, 0, 0, 0));
    expect(decodeBeginRequestBody(b)).toEqual({ role: 1, flags: 1 });
    expect(() => decodeBeginRequestBody(bytes(0, 1))).toThrow(FastCGIProtocolError);
  });

  it('END_REQUEST body: 32-bit appStatus (unsigned) and protocolStatus', () => {
    const b = encodeEndRequestBody(0xfffffffe, ProtocolStatus.UNKNOWN_ROLE);
    expect(b).toEqual(bytes(0xff, 0xff, 0xff, 0xfe, 3, 0, 0, 0));
    expect(decodeEndRequestBody(b)).toEqual({ appStatus: 0xfffffffe, protocolStatus: 3 });
  });

  it('UNKNOWN_TYPE body: the type and 7 reserved bytes', () => {
    expect(encodeUnknownTypeBody(42)).toEqual(bytes(42, 0, 0, 0, 0, 0, 0, 0));
    expect(decodeUnknownTypeBody(encodeUnknownTypeBody(200))).toEqual({ type: 200 });
  });
});

describe('FastCGI codec: name-value pairs (spec §3.4)', () => {
  it('uses 1-byte lengths up to 127 and 4-byte lengths from 128 (11, 14, 41, 44 forms)', () => {
    const n127 = 'n'.repeat(127);
    const v128 = 'v'.repeat(128);
    expect(encodeNameValuePairs([['A', 'b']])).toEqual(bytes(1, 1, 65, 98));
    const e14 = encodeNameValuePairs([['A', v128]]);
    expect([...e14.subarray(0, 5)]).toEqual([1, 0x80, 0, 0, 128]);
    const e41 = encodeNameValuePairs([[v128, 'x']]);
    expect([...e41.subarray(0, 5)]).toEqual([0x80, 0, 0, 128, 1]);
    const e11 = encodeNameValuePairs([[n127, '']]);
    expect([...e11.subarray(0, 2)]).toEqual([127, 0]);
    for (const [n, v] of [
      ['A', 'b'],
      ['A', v128],
      [v128, 'x'],
      [v128, v128],
      [n127, ''],
    ] as const) {
      expect(decodeNameValuePairs(encodeNameValuePairs([[n, v]]))).toEqual([[n, v]]);
    }
  });

  it('accepts the 4-byte form of a small length, and zero-length values', () => {
    const e = encodeNameValuePairs(
      [
        ['FCGI_MAX_CONNS', ''],
        ['X', 'y'],
      ],
      { longLengths: true },
    );
    expect(e[0]).toBe(0x80);
    expect(decodeNameValuePairs(e)).toEqual([
      ['FCGI_MAX_CONNS', ''],
      ['X', 'y'],
    ]);
  });

  it('is byte-transparent (ENV-06): every octet survives as one code unit', () => {
    const all = latin1(new Uint8Array(256).map((_, i) => i));
    expect(decodeNameValuePairs(encodeNameValuePairs([[all, all]]))).toEqual([[all, all]]);
    expect(() => encodeNameValuePairs([['x', '\u0100']])).toThrow(RangeError);
  });

  it('reports a truncated pair and an over-limit length as protocol errors', () => {
    expect(() => decodeNameValuePairs(bytes(5, 5, 65))).toThrow(/TRUNCATED_PAIR/);
    expect(() => decodeNameValuePairs(bytes(0x80, 0, 1))).toThrow(/TRUNCATED_PAIR/);
    const d = new ParamsDecoder(() => {}, { maxPairLength: 1000 });
    const err = d.push(bytes(0xff, 0xff, 0xff, 0xff, 1)); // 2^31-1: rejected before any allocation
    expect(err?.code).toBe('PAIR_TOO_LARGE');
    expect(d.push(bytes(1, 1, 65, 66))).toBe(err);
  });

  it('property: pairs round-trip however the stream is split, even inside a length prefix', () => {
    const part = fc.oneof(
      fc.uint8Array({ maxLength: 10 }),
      fc.uint8Array({ minLength: 120, maxLength: 300 }),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(part, part), { maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        fc.boolean(),
        (pairs, rawCuts, long) => {
          const encoded = encodeNameValuePairs(pairs, { longLengths: long });
          const cuts = [...new Set(rawCuts.map((c) => c % (encoded.length + 1)))].sort(
            (a, b) => a - b,
          );
          const got: Array<[string, string]> = [];
          const d = new ParamsDecoder((n, v) => got.push([n, v]));
          let at = 0;
          for (const cut of [...cuts, encoded.length]) {
            expect(d.push(encoded.subarray(at, cut))).toBeUndefined();
            at = cut;
          }
          expect(d.end()).toBeUndefined();
          expect(got).toEqual(pairs.map(([n, v]) => [latin1(n), latin1(v)]));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('FastCGI codec: streaming RecordDecoder (spec §3.3)', () => {
  it('reports a bad version as an error, never a throw, and stays failed', () => {
    const seen: number[] = [];
    const d = new RecordDecoder((t) => seen.push(t));
    const good = encodeRecord(RecordType.STDIN, 1, bytes(1, 2, 3));
    const err = d.push(concatBytes([good, bytes(2, 1, 0, 1, 0, 0, 0, 0), good]));
    expect(err).toBeInstanceOf(FastCGIProtocolError);
    expect(err?.code).toBe('BAD_VERSION');
    expect(seen).toEqual([RecordType.STDIN]);
    expect(d.push(good)).toBe(err);
    expect(d.end()).toBe(err);
  });

  it('reports input ending inside a header, content or padding as TRUNCATED_RECORD', () => {
    const r = encodeRecord(RecordType.STDOUT, 1, bytes(1, 2, 3)); // 8 + 3 + 5 padding
    for (const n of [3, 9, 12])
      expect(decodeRecords(r.subarray(0, n)).error?.code).toBe('TRUNCATED_RECORD');
    expect(decodeRecords(r).error).toBeUndefined();
  });

  it('accepts any padding 0..255 and content lengths 0 and 65535', () => {
    const raw = (type: number, content: Uint8Array, pad: number): Uint8Array =>
      concatBytes([encodeHeader(type, 1, content.length, pad), content, new Uint8Array(pad)]);
    const big = new Uint8Array(65535).fill(7);
    const { records, error } = decodeRecords(
      concatBytes([
        raw(5, bytes(1), 255),
        raw(5, new Uint8Array(0), 13),
        raw(5, big, 0),
        raw(6, bytes(9), 1),
      ]),
    );
    expect(error).toBeUndefined();
    expect(records.map((r) => r.content.length)).toEqual([1, 0, 65535, 1]);
  });

  it('property: any record stream decodes identically however it is split (and round-trips)', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (recs, rawCuts) => {
          const stream = concatBytes(
            recs.map((r) => encodeRecord(r.type, r.requestId, r.content, { pad: r.pad })),
          );
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const whole = decodeSplit(stream, []);
          const split = decodeSplit(stream, cuts);
          expect(whole.error).toBeUndefined();
          expect(split.error).toBeUndefined();
          const expected = recs.map((r) => ({
            type: r.type,
            requestId: r.requestId,
            content: r.content,
          }));
          expect(whole.records).toEqual(expected);
          expect(split.records).toEqual(expected);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('property: split at every single byte boundary gives the same records', () => {
    const stream = concatBytes([
      encodeRecord(RecordType.BEGIN_REQUEST, 1, encodeBeginRequestBody(1, 1)),
      encodeStream(RecordType.PARAMS, 1, encodeNameValuePairs([['REQUEST_METHOD', 'GET']]), {
        terminate: true,
      }),
      encodeRecord(RecordType.STDIN, 1),
    ]);
    const expected = decodeSplit(stream, []).records;
    for (let i = 0; i <= stream.length; i++)
      expect(decodeSplit(stream, [i]).records).toEqual(expected);
    const everyByte = Array.from({ length: stream.length }, (_, i) => i);
    expect(decodeSplit(stream, everyByte).records).toEqual(expected);
  });

  it('property: random bytes never throw; they decode or stop with a protocol error', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2000 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (data, rawCuts) => {
          const cuts = [...new Set(rawCuts.map((c) => c % (data.length + 1)))].sort(
            (a, b) => a - b,
          );
          const { error } = decodeSplit(data, cuts);
          if (error !== undefined) expect(error).toBeInstanceOf(FastCGIProtocolError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stop() ends decoding mid-chunk', () => {
    const seen: number[] = [];
    const d = new RecordDecoder((t) => {
      seen.push(t);
      d.stop();
    });
    d.push(concatBytes([encodeRecord(5, 1), encodeRecord(6, 1)]));
    expect(seen).toEqual([5]);
  });
});
