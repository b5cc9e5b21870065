/**
 * Standard output for the CGI sink without building `process.stdout` when the response is small
 * (ADP-CGI-16). For a pipe, `process.stdout` is a `net.Socket` over a libuv pipe handle: about
 * 1 ms of a 25 ms CGI process, spent before the first byte. The start of the response is
 * written with `writeSync(1)` instead, as long as that cannot block.
 *
 * Why 4096 bytes: the web server reads our stdout from a pipe (or a socket pair), and Linux
 * never gives a pipe less than one page of capacity (pipe(7)), so the first 4096 bytes fit into
 * a fresh pipe whatever the web server does. Beyond that a blocking write could stall the event
 * loop, and with it the reading of stdin: Apache writes the whole request body before it reads
 * the response, so a stalled echo would deadlock. From there on (or on EAGAIN, when the web
 * server handed us a non-blocking descriptor) everything goes through `process.stdout`, whose
 * writes are asynchronous, in order after the bytes already written.
 */
import { _fs } from './_fs.js';

/** The writable side the sink needs: a subset of `NodeJS.WritableStream`. */
export interface CgiOutput {
  write(bytes: Uint8Array, callback: (err?: Error | null) => void): unknown;
  on(event: 'error' | 'close', listener: (err?: unknown) => void): unknown;
  cork?(): void;
  uncork?(): void;
}

/** Bytes that may go out synchronously on file descriptor 1 (see the module comment). */
const _DIRECT_LIMIT = 4096;

/**
 * File descriptor 1: `writeNow` writes synchronously while the response is within the first
 * 4096 bytes; `stream()` is `process.stdout`, built on first use, for everything after.
 */
export class DirectStdout {
  #written = 0;
  #direct = process.platform !== 'win32';

  /**
   * Writes `bytes` at once if that cannot block; returns how many octets were written (all,
   * some before EAGAIN, or none). Throws what `write(2)` reports otherwise (EPIPE: the web
   * server closed our stdout, ERR-04).
   */
  writeNow(bytes: Uint8Array): number {
    if (!this.#direct) return 0;
    if (this.#written + bytes.length > _DIRECT_LIMIT) {
      this.#direct = false;
      return 0;
    }
    let done = 0;
    try {
      while (done < bytes.length) done += _fs.writeSync(1, bytes, done);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      this.#direct = false; // a non-blocking descriptor that is full: the stream waits for it
    }
    this.#written += done;
    return done;
  }

  /** `process.stdout`; from the first call on, nothing is written directly any more. */
  stream(): NodeJS.WritableStream {
    this.#direct = false;
    return process.stdout;
  }
}
