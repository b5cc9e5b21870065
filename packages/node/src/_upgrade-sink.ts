/**
 * The `ResponseSink` of a request node:http handed over on its 'upgrade' event (ADP-NODE-21):
 * the socket is raw, so an application that answers with HTTP instead of accepting gets its
 * response written here as HTTP/1.1 bytes (core's `formatNphHead`, the head CGI's NPH scripts
 * use), chunked when it has no length, and the connection closed after it. An application that
 * accepts (WS-05) marks the sink `upgraded`: the engine then sends nothing (WS-06) and its end
 * or abort closes the WebSocket with 1000 or 1011 (WS-15).
 */
import type { Socket } from 'node:net';
import {
  type BodyFraming,
  formatNphHead,
  type OwnResponse,
  type RequestAbort,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
  type WebSocketSession,
} from '@tsgi/core';

const _CRLF = Buffer.from('\r\n');
const _LAST = Buffer.from('0\r\n\r\n');

function _hasUpgrade(headers: ResponseHeaders): boolean {
  for (const [name] of headers) if (name.toLowerCase() === 'upgrade') return true;
  return false;
}

/** Writes a head the server produced itself (a refusal) and closes: WS-04, SRV-02. */
export function _writeOwn(socket: Socket, own: OwnResponse): number {
  const sink = new _UpgradeSink(socket, null);
  sink.head(own.status, own.headers, 'whole', Number(own.status.slice(0, 3)));
  void sink.write(own.body);
  sink.end();
  return own.body.length;
}

export class _UpgradeSink implements ResponseSink {
  readonly socket: Socket;
  readonly #abort: RequestAbort | null;
  #chunked = false;
  headSent = false;
  upgraded = false;
  /** The accepted connection's session, once `accept()` ran. */
  session: WebSocketSession | null = null;
  status = 0;
  bytes = 0;

  constructor(socket: Socket, abort: RequestAbort | null) {
    this.socket = socket;
    this.#abort = abort;
  }

  get aborted(): boolean {
    return this.#abort?.aborted === true;
  }

  head(status: Status, headers: ResponseHeaders, framing: BodyFraming, code: number): void {
    this.headSent = true;
    this.status = code;
    const head = formatNphHead(status, headers, framing, 'HTTP/1.1');
    let text = head.text;
    // SR-17: a 426 naming a protocol in `upgrade` lists `upgrade` in `connection` too.
    if (code === 426 && _hasUpgrade(headers)) {
      text = `${text.slice(0, -'connection: close\r\n\r\n'.length)}connection: upgrade, close\r\n\r\n`;
    }
    this.#chunked = head.chunked;
    if (this.socket.writable) this.socket.write(text, 'latin1');
  }

  write(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.length;
    const socket = this.socket;
    if (!socket.writable) return Promise.resolve();
    // BODY-19: the socket keeps a reference until its callback; BODY-02: that is the wait too.
    return new Promise((resolve) => {
      if (this.#chunked) {
        socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1');
        socket.write(chunk);
        socket.write(_CRLF, () => resolve());
      } else socket.write(chunk, () => resolve());
    });
  }

  end(): void {
    if (this.upgraded) {
      this.session?.finish(undefined); // WS-15: the application returned: 1000
      return;
    }
    if (this.#chunked && this.socket.writable) this.socket.write(_LAST);
    this.socket.end(); // the connection was the upgrade's: it is not reused
  }

  abort(reason: unknown): void {
    if (this.upgraded) {
      this.session?.finish(reason ?? new Error('aborted')); // WS-15: 1011
      return;
    }
    // ERR-03: a response cut short lacks its last chunk, or its length, and closes.
    this.socket.destroy();
  }
}
