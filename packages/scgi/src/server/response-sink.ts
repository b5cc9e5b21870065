/**
 * An SCGI request's `ResponseSink`: the response in CGI form (core's `formatCgiHead`, then the
 * body) straight onto the socket, ended by closing it (protocol.txt: "the server sends the
 * response and closes the connection"; ADP-SCGI-07), or reset when aborted (ADP-SCGI-08).
 */
import type { Socket } from 'node:net';
import {
  ClientDisconnectError,
  formatCgiHead,
  type OwnResponse,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
} from '@tsgi/core';

/**
 * Chunks up to this size are copied (with the head, when it is still pending) into one buffer
 * the socket owns, so `write()` is done with them at once; larger ones are written by reference
 * and `write()` settles on the socket's callback, once libuv has handed them to the kernel
 * (BODY-19). 16 KiB is the socket's high-water mark: a copy above it costs more than the wait.
 */
const _COPY_LIMIT = 16384;

/** The connection as its sink sees it. */
export interface SinkOwner {
  readonly socket: Socket;
  /** The connection is gone or the response is over: nothing more is written. */
  readonly done: boolean;
  /** `tsgi.signal` has been aborted (without creating it). */
  readonly aborted: boolean;
  /** The response is complete: half-close once the request has been read to its end. */
  finish(): void;
  /** The response was aborted: reset the connection. */
  reset(): void;
}

/** Writes one response to its connection's socket. */
export class SocketSink implements ResponseSink {
  readonly #owner: SinkOwner;
  /** The formatted head, sent with the first chunk or the end. */
  #head = '';
  #ended = false;
  #reject: ((err: unknown) => void) | null = null;

  constructor(owner: SinkOwner) {
    this.#owner = owner;
  }

  /** ResponseSink.aborted: lets the engine check for a disconnect without creating the signal. */
  get aborted(): boolean {
    return this.#owner.aborted;
  }

  /** The engine has ended or aborted the response (BODY-24's log). */
  get ended(): boolean {
    return this.#ended;
  }

  /** Answers without the application (SRV-02, ADP-SCGI-04): core's response, complete. */
  reply(response: OwnResponse): void {
    this.#ended = true;
    const head = formatCgiHead(response.status, response.headers);
    const out = Buffer.allocUnsafe(head.length + response.body.length);
    out.set(response.body, out.write(head, 0, 'latin1'));
    this.#owner.socket.write(out);
    this.#owner.finish();
  }

  /** ERR-05: a write still waiting for the socket rejects with `reason`. */
  disconnected(reason: unknown): void {
    const reject = this.#reject;
    this.#reject = null;
    reject?.(reason);
  }

  head(status: Status, headers: ResponseHeaders): void {
    if (this.#owner.done) return;
    this.#head = formatCgiHead(status, headers);
  }

  write(chunk: Uint8Array, owned?: boolean): void | Promise<void> {
    const owner = this.#owner;
    if (owner.done) return;
    const socket = owner.socket;
    const head = this.#head;
    this.#head = '';
    if (chunk.length <= _COPY_LIMIT) {
      const out = Buffer.allocUnsafe(head.length + chunk.length);
      out.set(chunk, head.length === 0 ? 0 : out.write(head, 0, 'latin1'));
      socket.write(out);
      if (!socket.writableNeedDrain) return;
      return this.#wait((settle) => socket.once('drain', settle));
    }
    if (head !== '') socket.write(Buffer.from(head, 'latin1'));
    if (owned === true) {
      // The socket's own read buffer returned by an echo: node never reuses it, so it is kept.
      socket.write(chunk);
      return socket.writableNeedDrain ? this.#wait((s) => socket.once('drain', s)) : undefined;
    }
    // BODY-19: the chunk is the application's until the socket's callback says it is written.
    return this.#wait((settle) => socket.write(chunk, settle));
  }

  /** A promise settled by `start`'s callback, or rejected by `disconnected` (ERR-05). */
  #wait(start: (settle: (err?: Error | null) => void) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#reject = reject;
      start((err) => {
        if (this.#reject !== reject) return; // already rejected by disconnected()
        this.#reject = null;
        // ERR-05: the socket's own error (EPIPE, ECONNRESET) can come before its 'close', and
        // the application must see the disconnect as such either way.
        if (err) reject(new ClientDisconnectError(`the SCGI connection failed: ${err.message}`));
        else resolve();
      });
    });
  }

  end(): void {
    this.#ended = true;
    const owner = this.#owner;
    if (owner.done) return;
    if (this.#head !== '') owner.socket.write(Buffer.from(this.#head, 'latin1'));
    this.#head = '';
    owner.finish();
  }

  abort(_reason: unknown): void {
    this.#ended = true;
    if (this.#owner.done) return;
    this.#head = '';
    this.#owner.reset();
  }
}
