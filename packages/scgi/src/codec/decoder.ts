/**
 * The SCGI request decoder (python.ca/scgi protocol.txt): a netstring (`LEN:HEADERS,`) whose
 * content is NUL-terminated name/value pairs, then exactly CONTENT_LENGTH body bytes. Pure: no
 * I/O and no imports, so it is tested over every split of its input (ADP-SCGI-02). Incremental:
 * `push` takes the bytes as they arrive, split anywhere, several requests never (one request per
 * connection, protocol.txt "the server closes the connection").
 */

import { type Latin1Decoder, ScgiProtocolError } from './errors.js';
import { type HeaderPairs, parseHeaders } from './headers.js';

/** A request's head: its header pairs in order and the declared body length. */
export interface ScgiHead {
  /** Name/value pairs as byte strings, in the order received (CONTENT_LENGTH first). */
  readonly pairs: HeaderPairs;
  /** CONTENT_LENGTH, the exact number of body bytes that follow the netstring. */
  readonly contentLength: number;
}

/** What a decoder reports. */
export interface ScgiDecoderEvents {
  /** The netstring was complete and valid. Called once, before any `body`. */
  head(head: ScgiHead): void;
  /**
   * Body bytes: a view of the chunk given to `push` (valid until `push` returns, never copied).
   * Called with at most `contentLength` bytes in all; bytes past it are dropped (IN-03).
   */
  body(chunk: Uint8Array): void;
}

/** Options for `ScgiDecoder`. */
export interface ScgiDecoderOptions {
  /** Largest netstring content accepted, in bytes (ADP-SCGI-03). Default 65536. */
  maxHeaderSize?: number;
  /** Byte-string decoder for names and values; default a plain loop. */
  latin1?: Latin1Decoder;
}

const _LENGTH = 0;
const _HEADERS = 1;
const _COMMA = 2;
const _BODY = 3;
const _DONE = 4;
const _FAILED = 5;

/** The plain byte-string decoder: one code unit per octet (ENV-06). */
export const bytesToByteString: Latin1Decoder = (bytes, start, end) => {
  let out = '';
  for (let i = start; i < end; i++) out += String.fromCharCode(bytes[i]!);
  return out;
};

/** Decodes one SCGI request from bytes split anywhere. */
export class ScgiDecoder {
  readonly #events: ScgiDecoderEvents;
  readonly #max: number;
  readonly #latin1: Latin1Decoder;
  #state = _LENGTH;
  #digits = 0;
  #length = 0;
  #headers: Uint8Array | null = null;
  #filled = 0;
  #remaining = 0;
  #head: ScgiHead | null = null;

  constructor(events: ScgiDecoderEvents, options: ScgiDecoderOptions = {}) {
    this.#events = events;
    this.#max = options.maxHeaderSize ?? 65536;
    this.#latin1 = options.latin1 ?? bytesToByteString;
  }

  /** The head, once decoded. */
  get head(): ScgiHead | null {
    return this.#head;
  }

  /** Body bytes still expected. */
  get remaining(): number {
    return this.#remaining;
  }

  /** The netstring and all CONTENT_LENGTH body bytes have been read. */
  get complete(): boolean {
    return this.#state === _DONE;
  }

  /** Feeds bytes; returns the error that makes the request malformed (later pushes are ignored). */
  push(chunk: Uint8Array): ScgiProtocolError | undefined {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const state = this.#state;
      if (state === _LENGTH) {
        const c = chunk[i++]!;
        if (c === 0x3a) {
          if (this.#digits === 0) return this.#fail('BAD_LENGTH', 'the netstring has no length');
          this.#state = _HEADERS;
          this.#headers = new Uint8Array(this.#length);
          continue;
        }
        if (c < 0x30 || c > 0x39)
          return this.#fail('BAD_LENGTH', `byte 0x${c.toString(16)} in the netstring length`);
        // djb's netstrings: leading zeros are prohibited (an empty netstring is no request either).
        if (this.#digits === 1 && this.#length === 0)
          return this.#fail('BAD_LENGTH', 'the netstring length has a leading zero');
        this.#length = this.#length * 10 + (c - 0x30);
        this.#digits++;
        // ADP-SCGI-03: refuse as soon as the length passes the bound, without waiting for it.
        if (this.#length > this.#max)
          return this.#fail('HEADERS_TOO_LARGE', `the headers exceed ${this.#max} bytes`);
      } else if (state === _HEADERS) {
        const buf = this.#headers!;
        const take = Math.min(buf.length - this.#filled, n - i);
        buf.set(chunk.subarray(i, i + take), this.#filled);
        this.#filled += take;
        i += take;
        if (this.#filled === buf.length) this.#state = _COMMA;
      } else if (state === _COMMA) {
        if (chunk[i++] !== 0x2c)
          return this.#fail('MISSING_COMMA', 'the netstring does not end with a comma');
        const parsed = parseHeaders(this.#headers!, this.#latin1);
        this.#headers = null;
        if (parsed instanceof ScgiProtocolError) return this.#fail(parsed);
        this.#head = parsed;
        this.#remaining = parsed.contentLength;
        this.#state = parsed.contentLength === 0 ? _DONE : _BODY;
        this.#events.head(parsed);
      } else if (state === _BODY) {
        const take = Math.min(this.#remaining, n - i);
        this.#remaining -= take;
        if (this.#remaining === 0) this.#state = _DONE;
        this.#events.body(chunk.subarray(i, i + take));
        i += take;
      } else return undefined; // _DONE: bytes past the body are dropped (IN-03); _FAILED: ignored
    }
    return undefined;
  }

  /**
   * The peer ended its side: an error when the netstring is cut off (`TRUNCATED_HEADERS`) or
   * the body is short of CONTENT_LENGTH (`TRUNCATED_BODY`), else undefined.
   */
  end(): ScgiProtocolError | undefined {
    const state = this.#state;
    if (state === _DONE || state === _FAILED) return undefined;
    if (state === _BODY) {
      return this.#fail(
        'TRUNCATED_BODY',
        `the connection ended ${this.#remaining} bytes short of CONTENT_LENGTH`,
      );
    }
    if (state === _LENGTH && this.#digits === 0) return undefined; // nothing was sent at all
    return this.#fail('TRUNCATED_HEADERS', 'the connection ended inside the netstring');
  }

  /** Stops decoding: later bytes are ignored. */
  stop(): void {
    if (this.#state !== _DONE) this.#state = _FAILED;
    this.#headers = null;
  }

  #fail(code: ScgiProtocolError | ScgiProtocolError['code'], message = ''): ScgiProtocolError {
    this.stop();
    return code instanceof ScgiProtocolError ? code : new ScgiProtocolError(code, message);
  }
}
