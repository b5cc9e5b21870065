/** The streaming record decoder: input split at any byte boundary, errors returned, never thrown. */
import { type FastCGIRecord, FCGI_HEADER_LEN, FCGI_VERSION_1 } from './constants.js';
import { FastCGIProtocolError } from './errors.js';

const _EMPTY = new Uint8Array(0);

/** Called for every complete record. `content` may be a view into a pushed chunk. */
export type RecordHandler = (type: number, requestId: number, content: Uint8Array) => void;

const _HEADER = 0;
const _CONTENT = 1;
const _PADDING = 2;

/**
 * A streaming record decoder. `push` accepts input split at any byte boundary and calls the
 * handler once per complete record, in order. A protocol error (a version other than 1) is
 * returned, never thrown, and leaves the decoder failed: later pushes return the same error.
 *
 * Record content is handed out without copying when a record lies inside one pushed chunk, so
 * the caller must not reuse a pushed chunk's memory while views of it are alive (socket data
 * chunks are never reused).
 */
export class RecordDecoder {
  readonly #onRecord: RecordHandler;
  #stage = _HEADER;
  readonly #head = new Uint8Array(FCGI_HEADER_LEN);
  #headLength = 0;
  #type = 0;
  #requestId = 0;
  #contentLength = 0;
  #padding = 0;
  #content: Uint8Array | null = null;
  #contentPos = 0;
  #error: FastCGIProtocolError | undefined = undefined;
  #stopped = false;
  #records = 0;

  constructor(onRecord: RecordHandler) {
    this.#onRecord = onRecord;
  }

  /** The protocol error that stopped this decoder, if any. */
  get error(): FastCGIProtocolError | undefined {
    return this.#error;
  }

  /** Records decoded so far. */
  get records(): number {
    return this.#records;
  }

  /** True between records: nothing partial is buffered. */
  get idle(): boolean {
    return this.#stage === _HEADER && this.#headLength === 0;
  }

  /** Stops decoding: the rest of the current chunk and later pushes are ignored. */
  stop(): void {
    this.#stopped = true;
  }

  /** Feeds bytes. Returns the protocol error that stopped decoding, if any. */
  push(chunk: Uint8Array): FastCGIProtocolError | undefined {
    if (this.#error !== undefined || this.#stopped) return this.#error;
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.#stage === _HEADER) {
        let h: Uint8Array;
        let at: number;
        if (this.#headLength === 0 && n - i >= FCGI_HEADER_LEN) {
          h = chunk;
          at = i;
          i += FCGI_HEADER_LEN;
        } else {
          const take = Math.min(FCGI_HEADER_LEN - this.#headLength, n - i);
          this.#head.set(chunk.subarray(i, i + take), this.#headLength);
          this.#headLength += take;
          i += take;
          if (this.#headLength < FCGI_HEADER_LEN) break;
          this.#headLength = 0;
          h = this.#head;
          at = 0;
        }
        if (h[at] !== FCGI_VERSION_1) {
          this.#error = new FastCGIProtocolError(
            'BAD_VERSION',
            `record version ${h[at]}, expected 1`,
          );
          return this.#error;
        }
        this.#type = h[at + 1]!;
        this.#requestId = (h[at + 2]! << 8) | h[at + 3]!;
        this.#contentLength = (h[at + 4]! << 8) | h[at + 5]!;
        this.#padding = h[at + 6]!;
        if (this.#contentLength === 0) {
          this.#stage = this.#padding > 0 ? _PADDING : _HEADER;
          this.#emit(_EMPTY);
          if (this.#stopped) return undefined;
          continue;
        }
        this.#stage = _CONTENT;
        if (i === n) break;
      }
      if (this.#stage === _CONTENT) {
        const len = this.#contentLength;
        if (this.#contentPos === 0 && n - i >= len) {
          const content = chunk.subarray(i, i + len);
          i += len;
          this.#stage = this.#padding > 0 ? _PADDING : _HEADER;
          this.#emit(content);
          if (this.#stopped) return undefined;
          continue;
        }
        if (this.#content === null) this.#content = new Uint8Array(len);
        const take = Math.min(len - this.#contentPos, n - i);
        this.#content.set(chunk.subarray(i, i + take), this.#contentPos);
        this.#contentPos += take;
        i += take;
        if (this.#contentPos < len) break;
        const content = this.#content;
        this.#content = null;
        this.#contentPos = 0;
        this.#stage = this.#padding > 0 ? _PADDING : _HEADER;
        this.#emit(content);
        if (this.#stopped) return undefined;
        continue;
      }
      // _PADDING
      const skip = Math.min(this.#padding, n - i);
      this.#padding -= skip;
      i += skip;
      if (this.#padding === 0) this.#stage = _HEADER;
    }
    return undefined;
  }

  /**
   * Ends the input. Returns a `TRUNCATED_RECORD` error when a record was cut off (end of input in
   * the middle of a header, content or padding), else the earlier error if any.
   */
  end(): FastCGIProtocolError | undefined {
    if (this.#error !== undefined || this.#stopped) return this.#error;
    if (!this.idle) {
      this.#error = new FastCGIProtocolError('TRUNCATED_RECORD', 'input ended inside a record');
    }
    return this.#error;
  }

  #emit(content: Uint8Array): void {
    this.#records++;
    this.#onRecord(this.#type, this.#requestId, content);
  }
}

/**
 * Decodes a complete byte sequence into records. Returns the records and the protocol error, if
 * one stopped decoding (then `records` holds those before it).
 */
export function decodeRecords(bytes: Uint8Array): {
  records: FastCGIRecord[];
  error: FastCGIProtocolError | undefined;
} {
  const records: FastCGIRecord[] = [];
  const d = new RecordDecoder((type, requestId, content) => {
    records.push({ type, requestId, content });
  });
  const error = d.push(bytes) ?? d.end();
  return { records, error };
}
