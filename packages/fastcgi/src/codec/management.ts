/**
 * Management records (spec §4), request id 0: GET_VALUES and its result, which carry
 * name-value pairs, and UNKNOWN_TYPE, the answer to a management type not understood.
 */
import { FCGI_HEADER_LEN, FCGI_NULL_REQUEST_ID, RecordType } from './constants.js';
import { FastCGIProtocolError } from './errors.js';
import {
  encodeNameValuePairs,
  ParamsDecoder,
  type ParamsDecoderOptions,
} from './name-value-pairs.js';
import { encodeHeader, encodeRecord } from './records.js';

/** The 8-byte UNKNOWN_TYPE body: the type not understood, then 7 reserved bytes (spec §4.2). */
export function encodeUnknownTypeBody(type: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = type & 0xff;
  return out;
}

/** A whole UNKNOWN_TYPE record (16 bytes). */
export function encodeUnknownType(type: number): Uint8Array {
  const out = new Uint8Array(FCGI_HEADER_LEN + 8);
  encodeHeader(RecordType.UNKNOWN_TYPE, FCGI_NULL_REQUEST_ID, 8, 0, out, 0);
  out[FCGI_HEADER_LEN] = type & 0xff;
  return out;
}

/** Decodes an UNKNOWN_TYPE body; a short body throws `BAD_BODY`. */
export function decodeUnknownTypeBody(content: Uint8Array): { type: number } {
  if (content.length < 8) {
    throw new FastCGIProtocolError(
      'BAD_BODY',
      `UNKNOWN_TYPE body has ${content.length} bytes, not 8`,
    );
  }
  return { type: content[0]! };
}

/** A whole GET_VALUES record asking for `names` (their values are sent empty, spec §4.1). */
export function encodeGetValues(names: Iterable<string>): Uint8Array {
  const pairs: Array<[string, string]> = [];
  for (const name of names) pairs.push([name, '']);
  return encodeRecord(RecordType.GET_VALUES, FCGI_NULL_REQUEST_ID, encodeNameValuePairs(pairs));
}

/**
 * The names a GET_VALUES body asks for, in order (values ignored). Throws `FastCGIProtocolError`
 * on a malformed body or a pair above `maxPairLength`.
 */
export function decodeGetValues(content: Uint8Array, options?: ParamsDecoderOptions): string[] {
  const names: string[] = [];
  const d = new ParamsDecoder((name) => names.push(name), options);
  const err = d.push(content) ?? d.end();
  if (err !== undefined) throw err;
  return names;
}

/**
 * A whole GET_VALUES_RESULT record. Always one record, even when empty: the answers to the
 * three variables FastCGI defines are a few dozen bytes.
 */
export function encodeGetValuesResult(values: Iterable<readonly [string, string]>): Uint8Array {
  return encodeRecord(
    RecordType.GET_VALUES_RESULT,
    FCGI_NULL_REQUEST_ID,
    encodeNameValuePairs(values),
  );
}

/** The variables of a GET_VALUES_RESULT body. Throws `FastCGIProtocolError` when malformed. */
export function decodeGetValuesResult(content: Uint8Array): Map<string, string> {
  const values = new Map<string, string>();
  const d = new ParamsDecoder((name, value) => values.set(name, value));
  const err = d.push(content) ?? d.end();
  if (err !== undefined) throw err;
  return values;
}
