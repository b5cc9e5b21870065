/**
 * The output side of a connection: records are queued and written together at the end of the
 * tick (one write for a small response), large payloads are queued without copying, and
 * `backpressure()` reports when the socket wants the writer to wait.
 *
 * Chunk ownership (BODY-19): a payload that fits one record is copied into it. A larger one is
 * queued by reference, and every such payload has a reference piece of at least 16 KiB, the
 * socket's high-water mark, so once written it sets `writableNeedDrain` and the request's
 * write() waits for 'drain', which node emits only when the socket has written everything.
 * 'drain' cannot come between two records of one payload: the first record's header, queued
 * before its data, scheduled the flush tick that writes the rest before the tick in which node
 * would report the first write done (test/reuse.test.ts has a socket that takes part of a write).
 */
import type { Socket } from 'node:net';
import {
  encodeHeader,
  FCGI_HEADER_LEN,
  FCGI_SPLIT_CONTENT_LENGTH,
  paddingFor,
} from './codec/index.js';

const _ZEROS = new Uint8Array(8);
/** Queued output below this is concatenated into one write; above, it is written as a vector. */
const _CONCAT_LIMIT = 16384;
/** Queued output at or above this is flushed at once (and backpressure checked). */
const _FLUSH_AT = 65536;

/** Queued, batched record output for one socket. */
export class OutputQueue {
  readonly #socket: Socket;
  #queue: Uint8Array[] = [];
  #queued = 0;
  #scheduled = false;
  #discarding = false;
  #drain: Promise<void> | null = null;
  #drainResolve: (() => void) | null = null;

  constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('drain', () => this.releaseDrain());
  }

  /** Drops what is queued and everything sent from now on (the connection is going away). */
  discard(): void {
    this.#discarding = true;
    this.#queue = [];
    this.#queued = 0;
  }

  /** Settles a pending `backpressure()` promise. */
  releaseDrain(): void {
    const r = this.#drainResolve;
    this.#drain = null;
    this.#drainResolve = null;
    r?.();
  }

  /** Queues bytes for the socket; they are written together at the end of this tick. */
  send(bytes: Uint8Array): void {
    if (this.#discarding) return;
    this.#queue.push(bytes);
    this.#queued += bytes.length;
    if (this.#queued >= _FLUSH_AT) this.flush();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      process.nextTick(this.flush);
    }
  }

  /** Writes everything queued. */
  flush = (): void => {
    this.#scheduled = false;
    const q = this.#queue;
    if (q.length === 0 || this.#socket.destroyed) return;
    const total = this.#queued;
    this.#queue = [];
    this.#queued = 0;
    if (q.length === 1) this.#socket.write(q[0]!);
    else if (total <= _CONCAT_LIMIT) this.#socket.write(Buffer.concat(q, total));
    else {
      this.#socket.cork();
      for (const b of q) this.#socket.write(b);
      this.#socket.uncork();
    }
  };

  /** Undefined when the socket can take more, else a promise settled on 'drain' or close. */
  backpressure(): Promise<void> | undefined {
    if (this.#discarding || !this.#socket.writableNeedDrain) return undefined;
    if (this.#drain === null) {
      this.#drain = new Promise((resolve) => {
        this.#drainResolve = resolve;
      });
    }
    return this.#drain;
  }

  /**
   * Queues `data` as records of `type`, prefixed by the byte string `prefix` (the CGI response
   * head), optionally followed by the empty record ending the stream and by `trailer` bytes.
   * Small payloads are copied into one buffer; large ones are queued without copying.
   */
  sendStream(
    type: number,
    id: number,
    data: Uint8Array | null,
    terminate: boolean,
    prefix = '',
    trailer?: Uint8Array,
  ): void {
    const dataLen = data === null ? 0 : data.length;
    const total = prefix.length + dataLen;
    if (total <= FCGI_SPLIT_CONTENT_LENGTH) {
      // One record (or none), the terminator and the trailer in one buffer.
      const pad = paddingFor(total);
      const size =
        (total > 0 ? FCGI_HEADER_LEN + total + pad : 0) +
        (terminate ? FCGI_HEADER_LEN : 0) +
        (trailer?.length ?? 0);
      const out = Buffer.allocUnsafe(size);
      let o = 0;
      if (total > 0) {
        encodeHeader(type, id, total, pad, out, 0);
        o = FCGI_HEADER_LEN;
        if (prefix.length > 0) o += out.write(prefix, o, 'latin1');
        if (data !== null && dataLen > 0) {
          out.set(data, o);
          o += dataLen;
        }
        out.fill(0, o, o + pad);
        o += pad;
      }
      if (terminate) {
        encodeHeader(type, id, 0, 0, out, o);
        o += FCGI_HEADER_LEN;
      }
      if (trailer !== undefined) out.set(trailer, o);
      this.send(out);
      return;
    }
    if (prefix.length > 0) this.sendStream(type, id, Buffer.from(prefix, 'latin1'), false);
    if (data !== null) {
      for (let i = 0; i < dataLen; i += FCGI_SPLIT_CONTENT_LENGTH) {
        const end = Math.min(i + FCGI_SPLIT_CONTENT_LENGTH, dataLen);
        const len = end - i;
        if (len < _CONCAT_LIMIT) {
          this.sendStream(type, id, data.subarray(i, end), false);
          continue;
        }
        const pad = paddingFor(len);
        this.send(encodeHeader(type, id, len, pad));
        this.send(data.subarray(i, end));
        if (pad > 0) this.send(_ZEROS.subarray(0, pad));
      }
    }
    if (terminate || trailer !== undefined) {
      const t = Buffer.allocUnsafe((terminate ? FCGI_HEADER_LEN : 0) + (trailer?.length ?? 0));
      if (terminate) encodeHeader(type, id, 0, 0, t, 0);
      if (trailer !== undefined) t.set(trailer, terminate ? FCGI_HEADER_LEN : 0);
      this.send(t);
    }
  }
}
