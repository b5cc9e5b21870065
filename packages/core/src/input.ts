/**
 * `tsgi.input` (IN-01..09): one implementation for every transport. The adapter pushes bytes in
 * (from an IncomingMessage, FastCGI STDIN records or process.stdin) and the application pulls.
 */
import { ContractError, InputTooLargeError, InputTruncatedError } from './errors.js';
import type { ErrorStream, InputStream } from './types.js';

const _EMPTY = new Uint8Array(0);

/** How `RequestInput` talks back to the transport. Every member is optional. */
export interface InputSource {
  /** Stop reading: the buffer is above the high-water mark (backpressure). */
  pause?(): void;
  /** Reading may continue. */
  resume?(): void;
  /** The application read for the first time: the moment to send `100 Continue` (IN-07). */
  firstRead?(): void;
  /** The application does not want the rest (IN-06): discard it or close the connection. */
  cancel?(): void;
}

/** Options for `RequestInput`. */
export interface RequestInputOptions {
  /** The declared length: never deliver more (IN-03); EOF before it is truncation (IN-04). */
  length?: number | undefined;
  /** Reject bodies larger than this with `InputTooLargeError` (IN-08). */
  limit?: number | undefined;
  /** Bytes buffered before `pause()` is called. Default 64 KiB. */
  highWaterMark?: number;
  /** `tsgi.errors`: a contract error raised to the application is logged there (ERR-08). */
  errors?: ErrorStream | undefined;
}

interface _Waiter {
  resolve(chunk: Uint8Array): void;
  reject(err: unknown): void;
  max: number;
}

/** A push-fed, pull-read request body implementing `InputStream`. */
export class RequestInput implements InputStream {
  #source: InputSource | null;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #received = 0;
  #ended = false;
  #paused = false;
  #readOnce = false;
  #error: unknown = undefined;
  #waiter: _Waiter | null = null;
  readonly #length: number | undefined;
  readonly #limit: number | undefined;
  readonly #hwm: number;
  readonly #errors: ErrorStream | undefined;

  constructor(source: InputSource | null, options: RequestInputOptions = {}) {
    this.#source = source;
    this.#length = options.length;
    this.#limit = options.limit;
    this.#hwm = options.highWaterMark ?? 65536;
    this.#errors = options.errors;
    if (this.#length === 0) this.#ended = true;
  }

  /** True once the whole body has arrived (or failed). */
  get ended(): boolean {
    return this.#ended || this.#error !== undefined;
  }

  /** Bytes received and not yet read by the application (a transport's memory bound). */
  get buffered(): number {
    return this.#buffered;
  }

  /** Bytes received from the transport so far. */
  get received(): number {
    return this.#received;
  }

  /** Transport side: a chunk of body arrived. Bytes past the declared length are dropped (IN-03). */
  push(chunk: Uint8Array): void {
    if (this.#ended || this.#error !== undefined || chunk.length === 0) return;
    if (this.#length !== undefined && this.#received + chunk.length > this.#length) {
      chunk = chunk.subarray(0, this.#length - this.#received);
    }
    this.#received += chunk.length;
    if (this.#limit !== undefined && this.#received > this.#limit) {
      this.fail(new InputTooLargeError(this.#limit));
      return;
    }
    if (this.#length !== undefined && this.#received === this.#length) this.#ended = true;
    const w = this.#waiter;
    if (w !== null && this.#buffered === 0) {
      this.#waiter = null;
      if (chunk.length > w.max) {
        this.#chunks.push(chunk.subarray(w.max));
        this.#buffered += chunk.length - w.max;
        chunk = chunk.subarray(0, w.max);
      }
      w.resolve(chunk);
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    if (this.#buffered >= this.#hwm && !this.#paused && !this.#ended) {
      this.#paused = true;
      this.#source?.pause?.();
    }
  }

  /** Transport side: the body ended. Short of the declared length, that is truncation (IN-04). */
  end(): void {
    if (this.#ended || this.#error !== undefined) return;
    if (this.#length !== undefined && this.#received < this.#length) {
      this.fail(new InputTruncatedError(this.#length, this.#received));
      return;
    }
    this.#ended = true;
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w.resolve(_EMPTY);
    }
  }

  /**
   * Transport side: the body cannot complete; pending and later reads reject (IN-04, ERR-05).
   * A no-op once the body was completely received or cancelled (IN-14): what is buffered stays
   * readable, then the end of the body.
   */
  fail(err: unknown): void {
    if (this.#error !== undefined || this.#ended) return;
    this.#error = err;
    this.#chunks.length = 0;
    this.#buffered = 0;
    const w = this.#waiter;
    if (w !== null) {
      this.#waiter = null;
      w.reject(err);
    }
  }

  read(maxBytes?: number): Promise<Uint8Array> {
    if (this.#error !== undefined) return Promise.reject(this.#error);
    this.#firstRead();
    const max = _maxBytes(maxBytes);
    if (this.#waiter !== null) {
      // IN-13: rejected, never thrown; the pending read is left as it is. ERR-08: logged.
      const err = new ContractError('IN-12', 'read() called while an earlier read() is pending');
      this.#errors?.write(`ERR-08: contract error raised to the application: ${err.stack}\n`);
      return Promise.reject(err);
    }
    if (this.#buffered > 0) return Promise.resolve(this.#take(max));
    if (this.#ended) return Promise.resolve(_EMPTY);
    this.#resume();
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject, max };
    });
  }

  /**
   * `read()` without a promise, for the engine's echo (pump.ts `passInput`): `onChunk` gets the
   * next chunk, or an empty one at the end of the body, at once when one is buffered, else from
   * within the transport's `push()` that brings it; `onError` gets what `read()` would reject
   * with. Both are called exactly once.
   */
  readInto(onChunk: (chunk: Uint8Array) => void, onError: (err: unknown) => void): void {
    if (this.#error !== undefined) {
      onError(this.#error);
    } else if (this.#waiter !== null) {
      onError(new ContractError('IN-12', 'readInto() called while a read() is pending'));
    } else {
      this.#firstRead();
      if (this.#buffered > 0) onChunk(this.#take(Number.POSITIVE_INFINITY));
      else if (this.#ended) onChunk(_EMPTY);
      else {
        this.#resume();
        this.#waiter = { resolve: onChunk, reject: onError, max: Number.POSITIVE_INFINITY };
      }
    }
  }

  cancel(): void {
    if (this.#error !== undefined) return;
    // IN-06: what was buffered is discarded too, even when the whole body has already arrived.
    this.#chunks.length = 0;
    this.#buffered = 0;
    if (this.#ended) return;
    this.#ended = true;
    const w = this.#waiter;
    this.#waiter = null;
    this.#source?.cancel?.();
    w?.resolve(_EMPTY); // last: readInto's callback may run synchronously
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    for (;;) {
      const chunk = await this.read();
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /** IN-07: the first read is when the transport may ask for the body (100 Continue). */
  #firstRead(): void {
    if (!this.#readOnce) {
      this.#readOnce = true;
      if (!this.#ended) this.#source?.firstRead?.();
    }
  }

  #take(max: number): Uint8Array {
    let chunk = this.#chunks[0]!;
    if (chunk.length > max) {
      this.#chunks[0] = chunk.subarray(max);
      chunk = chunk.subarray(0, max);
    } else {
      this.#chunks.shift();
    }
    this.#buffered -= chunk.length;
    if (this.#buffered < this.#hwm) this.#resume();
    return chunk;
  }

  #resume(): void {
    if (this.#paused) {
      this.#paused = false;
      this.#source?.resume?.();
    }
  }
}

/**
 * IN-10: `maxBytes` truncated to an integer; below 1, NaN, not a number or Infinity mean any
 * size (a fraction must not become a zero-length read, which means the end of the body).
 */
function _maxBytes(maxBytes: unknown): number {
  if (typeof maxBytes !== 'number') return Number.POSITIVE_INFINITY;
  const n = Math.floor(maxBytes);
  return n >= 1 ? n : Number.POSITIVE_INFINITY;
}

/** An error stream over a function that writes text, per ERRS-01: `write` never throws. */
export function createErrorStream(
  sink: (text: string) => void,
  flush?: () => Promise<void>,
): import('./types.js').ErrorStream {
  return {
    write(text: string): void {
      try {
        sink(String(text));
      } catch {
        // ERRS-01: a failing log sink must never break the request.
      }
    },
    flush: flush ?? (() => Promise.resolve()),
  };
}
