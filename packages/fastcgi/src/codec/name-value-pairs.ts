/**
 * Name-value pairs (spec §3.4): the encoder, and a decoder that works incrementally, since a
 * pair, or even a length prefix, may span any number of PARAMS or GET_VALUES records.
 */
import { FastCGIProtocolError } from './errors.js';
import { bytesToLatin1, type Latin1Decoder, latin1ToBytes } from './latin1.js';
import { concatBytes } from './records.js';

/** Called for every complete pair, name and value as byte strings (one code unit per octet). */
export type PairHandler = (name: string, value: string) => void;

/** Options for `ParamsDecoder`. */
export interface ParamsDecoderOptions {
  /**
   * Largest name + value length accepted for one pair. A longer declared length is an error at
   * once, before its bytes arrive (so a hostile 2^31 length never allocates). Default: no limit.
   */
  maxPairLength?: number;
  /**
   * Turns bytes into byte strings. Default: `bytesToLatin1`, plain ECMAScript; a server may pass
   * a native one (Node's `Buffer#latin1Slice` is about twice as fast on nginx's parameters).
   */
  latin1?: Latin1Decoder;
}

const _NAME_LEN = 0;
const _VALUE_LEN = 1;
const _BODY = 2;

/**
 * An incremental name-value pair decoder. `push` returns a `FastCGIProtocolError` instead of
 * throwing; after an error the decoder stays failed.
 */
export class ParamsDecoder {
  readonly #onPair: PairHandler;
  readonly #max: number;
  readonly #latin1: Latin1Decoder;
  #state = _NAME_LEN;
  #lenAcc = 0;
  #lenGot = 0;
  #nameLen = 0;
  #valueLen = 0;
  #parts: Uint8Array[] = [];
  #partsLen = 0;
  #error: FastCGIProtocolError | undefined = undefined;

  constructor(onPair: PairHandler, options: ParamsDecoderOptions = {}) {
    this.#onPair = onPair;
    this.#max = options.maxPairLength ?? Number.POSITIVE_INFINITY;
    this.#latin1 = options.latin1 ?? bytesToLatin1;
  }

  /** True between pairs: nothing partial is buffered. */
  get idle(): boolean {
    return this.#state === _NAME_LEN && this.#lenGot === 0;
  }

  /** Feeds the content of one record (or any slice of the pair stream). */
  push(bytes: Uint8Array): FastCGIProtocolError | undefined {
    if (this.#error !== undefined) return this.#error;
    const n = bytes.length;
    let i = 0;
    // Pairs lying wholly in this chunk are cut out of one decoded string: one decoder call per
    // record instead of two per pair (nginx sends ~30 pairs in one PARAMS record). V8 makes a
    // slice of 13 or more characters a view of that string, so a value an application keeps
    // beyond its request keeps the record's text (at most 64 KiB) alive with it.
    let text: string | undefined;
    let textAt = 0;
    while (i < n) {
      if (this.#state !== _BODY) {
        let len: number;
        if (this.#lenGot === 0) {
          const b = bytes[i]!;
          if (b < 0x80) {
            len = b;
            i++;
          } else if (n - i >= 4) {
            len = ((b & 0x7f) << 24) | (bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!;
            i += 4;
          } else {
            this.#lenAcc = b & 0x7f;
            this.#lenGot = 1;
            i++;
            continue;
          }
        } else {
          this.#lenAcc = (this.#lenAcc << 8) | bytes[i]!;
          i++;
          if (++this.#lenGot < 4) continue;
          this.#lenGot = 0;
          len = this.#lenAcc;
        }
        if (this.#state === _NAME_LEN) {
          this.#nameLen = len;
          this.#state = _VALUE_LEN;
          continue;
        }
        this.#valueLen = len;
        const total = this.#nameLen + len;
        if (total > this.#max) {
          this.#error = new FastCGIProtocolError(
            'PAIR_TOO_LARGE',
            `a name-value pair of ${total} bytes exceeds the limit of ${this.#max}`,
          );
          return this.#error;
        }
        this.#state = _BODY;
        if (total === 0) {
          this.#state = _NAME_LEN;
          this.#onPair('', '');
          continue;
        }
        if (n - i >= total) {
          if (text === undefined) {
            text = this.#latin1(bytes, i, n);
            textAt = i;
          }
          const at = i - textAt;
          const name = text.slice(at, at + this.#nameLen);
          const value = text.slice(at + this.#nameLen, at + total);
          i += total;
          this.#state = _NAME_LEN;
          this.#onPair(name, value);
        }
        continue;
      }
      const total = this.#nameLen + this.#valueLen;
      const take = Math.min(total - this.#partsLen, n - i);
      this.#parts.push(bytes.subarray(i, i + take));
      this.#partsLen += take;
      i += take;
      if (this.#partsLen < total) break;
      let whole: Uint8Array;
      if (this.#parts.length === 1) whole = this.#parts[0]!;
      else {
        whole = new Uint8Array(total);
        let o = 0;
        for (const p of this.#parts) {
          whole.set(p, o);
          o += p.length;
        }
      }
      this.#parts = [];
      this.#partsLen = 0;
      this.#state = _NAME_LEN;
      const pair = this.#latin1(whole, 0, total);
      this.#onPair(pair.slice(0, this.#nameLen), pair.slice(this.#nameLen));
    }
    return undefined;
  }

  /** Ends the pair stream: a pair cut off is a `TRUNCATED_PAIR` error. */
  end(): FastCGIProtocolError | undefined {
    if (this.#error === undefined && !this.idle) {
      this.#error = new FastCGIProtocolError(
        'TRUNCATED_PAIR',
        'the name-value pair stream ended inside a pair',
      );
    }
    return this.#error;
  }
}

/** A name or value in a pair: a byte string (one code unit per octet) or raw bytes. */
export type PairPart = string | Uint8Array;

function _bytes(part: PairPart): Uint8Array {
  return typeof part === 'string' ? latin1ToBytes(part) : part;
}

function _putLength(out: Uint8Array, o: number, n: number, long: boolean): number {
  if (!long) {
    out[o] = n;
    return o + 1;
  }
  out[o] = ((n >>> 24) & 0x7f) | 0x80;
  out[o + 1] = (n >>> 16) & 0xff;
  out[o + 2] = (n >>> 8) & 0xff;
  out[o + 3] = n & 0xff;
  return o + 4;
}

/** Options for `encodeNameValuePairs`. */
export interface PairEncodeOptions {
  /** Use the 4-byte length form even for lengths up to 127 (legal; some decoders reject it). */
  longLengths?: boolean;
}

/**
 * Encodes name-value pairs (spec §3.4): each length in 1 byte when ≤ 127, else in 4 bytes with the
 * high bit set. Strings are byte strings; a code unit above 0xFF throws `RangeError`.
 */
export function encodeNameValuePairs(
  pairs: Iterable<readonly [PairPart, PairPart]>,
  options: PairEncodeOptions = {},
): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const [n, v] of pairs) {
    const name = _bytes(n);
    const value = _bytes(v);
    if (name.length > 0x7fffffff || value.length > 0x7fffffff)
      throw new RangeError('pair too large');
    const longN = options.longLengths === true || name.length > 127;
    const longV = options.longLengths === true || value.length > 127;
    const out = new Uint8Array((longN ? 4 : 1) + (longV ? 4 : 1) + name.length + value.length);
    let o = _putLength(out, 0, name.length, longN);
    o = _putLength(out, o, value.length, longV);
    out.set(name, o);
    out.set(value, o + name.length);
    parts.push(out);
    total += out.length;
  }
  return concatBytes(parts, total);
}

/**
 * Decodes a complete block of name-value pairs into `[name, value]` byte strings, in order and
 * with repeats kept. Throws `FastCGIProtocolError` on a malformed or truncated block.
 */
export function decodeNameValuePairs(bytes: Uint8Array): Array<[name: string, value: string]> {
  const out: Array<[string, string]> = [];
  const d = new ParamsDecoder((name, value) => {
    out.push([name, value]);
  });
  const err = d.push(bytes) ?? d.end();
  if (err !== undefined) throw err;
  return out;
}
