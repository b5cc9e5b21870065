import {
  bytesToLatin1,
  decodeBeginRequestBody,
  decodeEndRequestBody,
  decodeGetValues,
  decodeGetValuesResult,
  decodeRecords,
  decodeUnknownTypeBody,
  encodeBeginRequest,
  encodeEndRequest,
  encodeGetValues,
  encodeGetValuesResult,
  encodeNameValuePairs,
  encodeUnknownType,
  FastCGIProtocolError,
  FCGI_KEEP_CONN,
  type Latin1Decoder,
  latin1ToBytes,
  ParamsDecoder,
  ProtocolStatus,
  RecordType,
  Role,
} from '@tsgi/fastcgi/codec';
import { describe, expect, it } from 'vitest';

const bytes = (...b: number[]): Uint8Array => new Uint8Array(b);

/** The one record in `r`, checked to be alone and well-formed. */
function only(r: Uint8Array): { type: number; requestId: number; content: Uint8Array } {
  const { records, error } = decodeRecords(r);
  expect(error).toBeUndefined();
  expect(records.length).toBe(1);
  return records[0]!;
}

describe('FastCGI codec: whole records the server and client send (spec §4, §5)', () => {
  it('END_REQUEST: 16 bytes, unpadded, appStatus and protocolStatus', () => {
    const r = encodeEndRequest(0x0102, 0xfffffffe, ProtocolStatus.OVERLOADED);
    expect(r).toEqual(bytes(1, 3, 1, 2, 0, 8, 0, 0, 0xff, 0xff, 0xff, 0xfe, 2, 0, 0, 0));
    const rec = only(r);
    expect(rec.type).toBe(RecordType.END_REQUEST);
    expect(decodeEndRequestBody(rec.content)).toEqual({ appStatus: 0xfffffffe, protocolStatus: 2 });
  });

  it('UNKNOWN_TYPE: a management record naming the type', () => {
    const r = encodeUnknownType(200);
    expect(r.length).toBe(16);
    const rec = only(r);
    expect([rec.type, rec.requestId]).toEqual([RecordType.UNKNOWN_TYPE, 0]);
    expect(decodeUnknownTypeBody(rec.content)).toEqual({ type: 200 });
  });

  it('BEGIN_REQUEST: role and flags; a short body is BAD_BODY', () => {
    const rec = only(encodeBeginRequest(7, Role.FILTER, FCGI_KEEP_CONN));
    expect([rec.type, rec.requestId]).toEqual([RecordType.BEGIN_REQUEST, 7]);
    expect(decodeBeginRequestBody(rec.content)).toEqual({ role: 3, flags: 1 });
    expect(() => decodeBeginRequestBody(bytes(0, 1, 1))).toThrow(/BAD_BODY/);
  });

  it('GET_VALUES and GET_VALUES_RESULT round-trip; a malformed body throws', () => {
    const ask = only(encodeGetValues(['FCGI_MAX_CONNS', 'FCGI_MPXS_CONNS']));
    expect([ask.type, ask.requestId]).toEqual([RecordType.GET_VALUES, 0]);
    expect(decodeGetValues(ask.content)).toEqual(['FCGI_MAX_CONNS', 'FCGI_MPXS_CONNS']);
    const answer = only(encodeGetValuesResult([['FCGI_MPXS_CONNS', '1']]));
    expect(answer.type).toBe(RecordType.GET_VALUES_RESULT);
    expect(decodeGetValuesResult(answer.content)).toEqual(new Map([['FCGI_MPXS_CONNS', '1']]));
    expect(only(encodeGetValuesResult([])).content.length).toBe(0);
    expect(() => decodeGetValues(bytes(5, 0, 65))).toThrow(FastCGIProtocolError);
    expect(() => decodeGetValues(bytes(20, 0), { maxPairLength: 10 })).toThrow(/PAIR_TOO_LARGE/);
  });
});

describe('FastCGI codec: byte strings without Buffer (ENV-06)', () => {
  it('bytesToLatin1 maps every octet to one code unit, beyond one apply block too', () => {
    const all = new Uint8Array(70_000).map((_, i) => (i * 7) & 0xff);
    const s = bytesToLatin1(all, 3, 69_999);
    let expected = '';
    for (let i = 3; i < 69_999; i++) expected += String.fromCharCode(all[i]!);
    expect(s === expected).toBe(true);
    expect(bytesToLatin1(bytes(0x80, 0x9f, 0xff))).toBe('\x80\x9f\xff'); // not windows-1252
    expect(latin1ToBytes(s)).toEqual(all.subarray(3, 69_999));
    expect(() => latin1ToBytes('\u0100')).toThrow(RangeError);
  });

  it('ParamsDecoder uses an injected decoder: once per chunk for pairs inside it', () => {
    const calls: Array<[number, number]> = [];
    const spy: Latin1Decoder = (b, start, end) => {
      calls.push([start, end]);
      return bytesToLatin1(b, start, end);
    };
    const pairs: Array<[string, string]> = [
      ['REQUEST_METHOD', 'GET'],
      ['HTTP_X', '\xe9\x80'],
      ['EMPTY', ''],
    ];
    const encoded = encodeNameValuePairs(pairs);
    const got: Array<[string, string]> = [];
    const d = new ParamsDecoder((n, v) => got.push([n, v]), { latin1: spy });
    expect(d.push(encoded) ?? d.end()).toBeUndefined();
    expect(got).toEqual(pairs);
    expect(calls).toEqual([[2, encoded.length]]);
    // Split inside the second pair: it is decoded from its own reassembled bytes.
    got.length = 0;
    calls.length = 0;
    const d2 = new ParamsDecoder((n, v) => got.push([n, v]), { latin1: spy });
    expect(d2.push(encoded.subarray(0, 22))).toBeUndefined();
    expect(d2.push(encoded.subarray(22)) ?? d2.end()).toBeUndefined();
    expect(got).toEqual(pairs);
    expect(calls.length).toBe(3);
  });
});
