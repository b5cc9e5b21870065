/**
 * One SCGI connection, which carries exactly one request (protocol.txt): the netstring through
 * the pure codec, the headers into environ (core's `environFromCgi`), the body into `tsgi.input`
 * (core's `requestFraming`/`requestInput`), the response through `SocketSink`. Everything the
 * adapter decides itself is the transport's: refusals of malformed input (ADP-SCGI-04), read
 * timeouts (ADP-SCGI-03), and what the connection's end means (ADP-SCGI-08).
 */
import type { Socket } from 'node:net';
import {
  ClientDisconnectError,
  createErrorStream,
  type Environ,
  type InputSource,
  RequestAbort,
  type RequestInput,
  refusalResponse,
  requestFraming,
  type Status,
} from '@tsgi/core';
import {
  gatewayEnviron,
  gatewayInput,
  type InFlightRequest,
  inFlightTarget,
  nativeLatin1,
  runGatewayRequest,
} from '@tsgi/server-node';
import { ScgiDecoder, type ScgiHead, type ScgiProtocolError } from '../codec/index.js';
import type { ServerContext } from './context.js';
import { type SinkOwner, SocketSink } from './response-sink.js';
import { cgiOptionsFor, cgiVariables } from './variables.js';

/** How long a finished connection may wait for the front end to close its side. */
const _LINGER_MS = 5000;

/** An SCGI connection from a front end: one request, one response, then the close. */
export class ScgiConnection implements SinkOwner, InputSource, InFlightRequest {
  readonly socket: Socket;
  readonly #host: ServerContext;
  readonly #decoder: ScgiDecoder;
  readonly #sink: SocketSink;
  #input: RequestInput | null = null;
  #abort: RequestAbort | null = null;
  #environ: Environ | null = null;
  /** The response is over (finished, reset) or the connection is gone. */
  #done = false;
  #closed = false;
  /** The body is read and dropped: the application cancelled it, or the response is out. */
  #discard = false;
  #paused = false;

  constructor(socket: Socket, host: ServerContext) {
    this.socket = socket;
    this.#host = host;
    this.#sink = new SocketSink(this);
    this.#decoder = new ScgiDecoder(
      { head: (head) => this.#start(head), body: (chunk) => this.#body(chunk) },
      { maxHeaderSize: host.maxHeaderSize, latin1: nativeLatin1 },
    );
    socket.setNoDelay?.(true);
    socket.setTimeout(host.readTimeout, this.#onTimeout);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onGone);
    socket.on('close', this.#onGone);
  }

  /** `METHOD REQUEST_URI`, for logs. */
  get target(): string {
    return inFlightTarget(this.#environ);
  }

  get responseEnded(): boolean {
    return this.#sink.ended;
  }

  get done(): boolean {
    return this.#done;
  }

  get aborted(): boolean {
    return this.#abort?.aborted ?? false;
  }

  // ---- the request -----------------------------------------------------------------------------

  #onData = (chunk: Uint8Array): void => {
    const err = this.#decoder.push(chunk);
    if (err !== undefined) this.#refuse(err);
    else if (this.#decoder.complete) this.socket.setTimeout(0); // ADP-SCGI-03: all read
  };

  #start(head: ScgiHead): void {
    const host = this.#host;
    const params = cgiVariables(head.pairs);
    // IN-03, SRV-05: core decides; an SCGI body is always exactly CONTENT_LENGTH bytes.
    const framing = requestFraming({
      contentLength: String(head.contentLength),
      streamed: false,
      limit: host.maxBodySize,
    });
    const errors = createErrorStream(host.log); // ADP-SCGI-09: SCGI has no error stream
    const input = gatewayInput(framing, this, errors);
    this.#input = input;
    if (framing.kind === 'refuse') this.#discard = true;
    const abort = new RequestAbort();
    this.#abort = abort;
    let environ: Environ;
    try {
      environ = gatewayEnviron(
        params,
        input,
        errors,
        abort,
        host,
        cgiOptionsFor(params, host.cgiOptions),
      );
    } catch (err) {
      // SRV-02: headers that cannot make a request (no REQUEST_METHOD) never reach the app.
      this.#refuse(err as Error, '400 Bad Request');
      return;
    }
    this.#environ = environ;
    runGatewayRequest(host, this, framing, environ, this.#sink); // SRV-05: or core's 413
  }

  #body(chunk: Uint8Array): void {
    if (!this.#discard) this.#input!.push(chunk);
    if (this.#decoder.complete && !this.#discard) this.#input!.end();
  }

  // InputSource: backpressure and cancel (IN-06). No read timeout while the app holds back.
  pause(): void {
    if (this.#closed || this.#discard) return;
    this.#paused = true;
    this.socket.pause();
    this.socket.setTimeout(0);
  }

  resume(): void {
    if (!this.#paused || this.#closed) return;
    this.#paused = false;
    this.socket.resume();
    if (!this.#decoder.complete) this.socket.setTimeout(this.#host.readTimeout);
  }

  cancel(): void {
    this.#discard = true;
    this.resume();
  }

  // ---- refusals, timeouts and the connection's end ----------------------------------------------

  /**
   * ADP-SCGI-04: a malformed request is logged and, while nothing of a response has been sent,
   * answered with core's `400` in CGI form before the close; the application never runs. Only
   * this connection is affected (SRV-10).
   */
  #refuse(err: ScgiProtocolError | Error, status: Status = '400 Bad Request'): void {
    this.#decoder.stop();
    this.#host.log(`tsgi scgi: ${err.message}; refused (${status})`);
    if (this.#environ !== null || this.#done) {
      this.#gone(new ClientDisconnectError(`malformed request: ${err.message}`));
      return;
    }
    this.#discard = true;
    this.#sink.reply(refusalResponse(status));
  }

  #onTimeout = (): void => {
    if (this.#done) {
      this.#close(); // ended, and the front end did not close its side in time
      return;
    }
    this.#refuse(
      new Error(`no request bytes for ${this.#host.readTimeout} ms (readTimeout)`),
      '408 Request Timeout',
    );
  };

  /**
   * The front end ended its side. Before the request is complete that is a truncated request
   * (ADP-SCGI-04: refused, or the body's reads fail with IN-04's truncation); after it, the front
   * end has given up on the response: the client went away (ADP-SCGI-08).
   */
  #onEnd = (): void => {
    const err = this.#decoder.end();
    if (this.#done) return; // the response is out: the socket closes once it is written
    if (err === undefined) {
      if (this.#decoder.head === null)
        this.#close(); // connected and closed: nothing to answer
      else this.#gone(new ClientDisconnectError('the front end closed the connection'));
      return;
    }
    if (this.#decoder.head === null) {
      this.#refuse(err);
      return;
    }
    this.#host.log(`tsgi scgi: ${err.message} (${this.target})`);
    this.#input?.end(); // IN-04: reads reject with InputTruncatedError; the response may follow
  };

  #onGone = (): void => {
    if (!this.#done) this.#gone(new ClientDisconnectError('the SCGI connection was lost'));
    this.#close();
  };

  /** The connection is gone before the response ended: abort `tsgi.signal` (ERR-04, ERR-05). */
  #gone(reason: ClientDisconnectError): void {
    this.#done = true;
    this.#input?.fail(reason);
    this.#abort?.abort(reason);
    this.#sink.disconnected(reason);
    this.#close();
  }

  #close(): void {
    this.#done = true;
    this.#decoder.stop();
    if (!this.socket.destroyed) this.socket.destroy();
    if (this.#closed) return;
    this.#closed = true;
    this.#host.connectionClosed(this);
  }

  /** SinkOwner: the response is complete. Read what is left of the body, then half-close. */
  finish(): void {
    this.#done = true;
    this.#discard = true;
    if (this.#paused) this.resume();
    // Closing with unread bytes in the receive buffer would make the kernel send RST, and the
    // front end could lose the response: the rest of the body is read and dropped first.
    this.socket.end();
    this.socket.setTimeout(_LINGER_MS);
  }

  /**
   * SinkOwner, ADP-SCGI-08: an aborted response resets a TCP connection (RST), which nginx,
   * Apache and lighttpd report as an upstream error, so the client sees the truncation. A Unix
   * socket has no reset: its close reads as the response's end unless it declared a length.
   */
  reset(): void {
    this.#done = true;
    if (this.socket.remotePort !== undefined) this.socket.resetAndDestroy();
    this.#close();
  }

  /** Graceful shutdown: a connection whose request has not arrived yet is closed at once. */
  drain(): void {
    if (this.#decoder.head === null) this.#close();
  }
}
