/**
 * An SCGI request's `ResponseSink`: the response in CGI form (core's `formatCgiHead`, then the
 * body) straight onto the socket, ended by closing it (protocol.txt: "the server sends the
 * response and closes the connection"; ADP-SCGI-07), or reset when aborted (ADP-SCGI-08).
 */
import type { Socket } from 'node:net';
import { ClientDisconnectError } from '@tsgi/core';
import { GatewaySink, type GatewaySinkOwner } from '@tsgi/server-node';

/**
 * Chunks up to this size are copied (with the head, when it is still pending) into one buffer
 * the socket owns, so `write()` is done with them at once; larger ones are written by reference
 * and `write()` settles on the socket's callback, once libuv has handed them to the kernel
 * (BODY-19). 16 KiB is the socket's high-water mark: a copy above it costs more than the wait.
 */
const _COPY_LIMIT = 16384;

/** The connection as its sink sees it. */
export interface SinkOwner extends GatewaySinkOwner {
  readonly socket: Socket;
  /** The response is complete: half-close once the request has been read to its end. */
  finish(): void;
  /** The response was aborted: reset the connection. */
  reset(): void;
}

/** Writes one response to its connection's socket. */
export class SocketSink extends GatewaySink {
  readonly #owner: SinkOwner;

  constructor(owner: SinkOwner) {
    super(owner);
    this.#owner = owner;
  }

  protected send(head: string, chunk: Uint8Array, owned: boolean): void | Promise<void> {
    const socket = this.#owner.socket;
    if (chunk.length <= _COPY_LIMIT) {
      const out = Buffer.allocUnsafe(head.length + chunk.length);
      out.set(chunk, head.length === 0 ? 0 : out.write(head, 0, 'latin1'));
      socket.write(out);
      if (!socket.writableNeedDrain) return;
      return this.wait((settle) => socket.once('drain', settle), _failed);
    }
    if (head !== '') socket.write(Buffer.from(head, 'latin1'));
    if (owned) {
      // The socket's own read buffer returned by an echo: node never reuses it, so it is kept.
      socket.write(chunk);
      if (!socket.writableNeedDrain) return;
      return this.wait((settle) => socket.once('drain', settle), _failed);
    }
    // BODY-19: the chunk is the application's until the socket's callback says it is written.
    return this.wait((settle) => socket.write(chunk, settle), _failed);
  }

  /** ADP-SCGI-07: the response ends when the connection closes. */
  protected complete(head: string, body: Uint8Array | null): void {
    const socket = this.#owner.socket;
    if (body === null) {
      if (head !== '') socket.write(Buffer.from(head, 'latin1'));
    } else {
      const out = Buffer.allocUnsafe(head.length + body.length);
      out.set(body, out.write(head, 0, 'latin1'));
      socket.write(out);
    }
    this.#owner.finish();
  }

  /** ADP-SCGI-08: an incomplete response resets the connection, which the front end reports. */
  protected cut(_head: string): void {
    this.#owner.reset();
  }
}

/** ERR-05: the socket's own error is the client's disconnect. */
function _failed(err: Error): ClientDisconnectError {
  return new ClientDisconnectError(`the SCGI connection failed: ${err.message}`);
}
