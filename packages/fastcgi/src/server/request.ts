/**
 * One FastCGI RESPONDER request (spec §6.2): PARAMS → environ, STDIN → `tsgi.input`,
 * ABORT_REQUEST and the connection's loss → `tsgi.signal`, `tsgi.errors` → STDERR. Its response
 * is written by its `StdoutSink` (`response-sink.ts`).
 */
import {
  ClientDisconnectError,
  createErrorStream,
  type Environ,
  type InputSource,
  RequestAbort,
  type RequestInput,
  refusalResponse,
  requestFraming,
} from '@tsgi/core';
import { gatewayEnviron, gatewayInput, inFlightTarget, runGatewayRequest } from '@tsgi/server-node';
import {
  encodeEndRequest,
  FastCGIProtocolError,
  ProtocolStatus,
  RecordType,
} from '../codec/index.js';
import { ParamsCollector } from './params.js';
import type { RequestChannel } from './request-channel.js';
import { APP_STATUS_INCOMPLETE, type SinkOwner, StdoutSink } from './response-sink.js';

const _PARAMS = 0;
const _RUNNING = 1;
const _DONE = 2;

/** A request on a connection, from BEGIN_REQUEST to END_REQUEST (or the connection's close). */
export class FastCGIRequest implements SinkOwner, InputSource {
  /** The connection, as far as a request needs it (see `RequestChannel`). */
  readonly conn: RequestChannel;
  readonly id: number;
  readonly keepConn: boolean;
  #state = _PARAMS;
  #params: ParamsCollector | null;
  #input: RequestInput | null = null;
  #stdinEnded = false;
  #discard = false;
  #paused = false;
  #abort: RequestAbort | null = null;
  readonly #sink: StdoutSink;
  #environ: Environ | null = null;

  constructor(conn: RequestChannel, id: number, keepConn: boolean) {
    this.conn = conn;
    this.id = id;
    this.keepConn = keepConn;
    this.#params = new ParamsCollector(id, conn.host.maxParamsSize);
    this.#sink = new StdoutSink(this);
  }

  /** `tsgi.signal` has been aborted (read without creating the signal, see RequestAbort). */
  get aborted(): boolean {
    return this.#abort?.aborted ?? false;
  }

  /** `METHOD REQUEST_URI` once the request has started, for logs. */
  get target(): string {
    return inFlightTarget(this.#environ);
  }

  /** The engine has ended or aborted the response: what is left is its completion hook. */
  get responseEnded(): boolean {
    return this.#sink.ended;
  }

  /** END_REQUEST was sent or the connection is gone: nothing more is written for it. */
  get done(): boolean {
    return this.#state === _DONE;
  }

  /** The request's input is above its high-water mark (InputSource.pause was called). */
  get inputPaused(): boolean {
    return this.#paused;
  }

  /** Body bytes received and not yet read by the application (ADP-FCGI-25). */
  get bufferedInput(): number {
    return this.#input?.buffered ?? 0;
  }

  /** The request is still reading its PARAMS (ADP-FCGI-24: the web server sends them at once). */
  get readingParams(): boolean {
    return this.#state === _PARAMS;
  }

  /** The request still needs records from the socket (params, or body the app has not cancelled). */
  get wantsRecords(): boolean {
    return (
      this.#state === _PARAMS || (this.#state === _RUNNING && !this.#stdinEnded && !this.#discard)
    );
  }

  // ---- PARAMS ---------------------------------------------------------------------------------

  onParams(content: Uint8Array): void {
    if (this.#state !== _PARAMS) {
      if (this.#state === _RUNNING)
        this.#fail('UNEXPECTED_RECORD', 'PARAMS after the end of the params stream');
      return;
    }
    const params = this.#params!;
    const err = content.length === 0 ? params.end() : params.push(content);
    if (err !== undefined) this.conn.protocolError(err);
    else if (content.length === 0) this.#start(params.values);
  }

  #start(params: Record<string, string>): void {
    const conn = this.conn;
    const host = conn.host;
    this.#params = null;
    this.#state = _RUNNING;
    // IN-02, IN-03, SRV-05: core decides. Without a CONTENT_LENGTH the body is STDIN up to its
    // empty record (front ends stream a chunked upload so; nginx sends an empty STDIN for GET).
    const framing = requestFraming({
      contentLength: params.CONTENT_LENGTH,
      streamed: true,
      limit: host.maxBodySize,
    });
    const errors = createErrorStream(this.#stderr);
    const input = gatewayInput(framing, this, errors);
    this.#input = input;
    // The signal is created only if the app reads it: an AbortController per request is a
    // large share of a small request's cost on Node 20 (see RequestAbort).
    const abort = new RequestAbort();
    this.#abort = abort;
    let environ: Environ;
    try {
      environ = gatewayEnviron(params, input, errors, abort, host, host.cgiOptions);
    } catch (err) {
      // SRV-02: parameters that cannot make a request (no REQUEST_METHOD) never reach the app.
      host.log(`tsgi fastcgi: request ${this.id}: ${(err as Error).message}; answered 400`);
      this.#sink.reply(refusalResponse('400 Bad Request'));
      return;
    }
    this.#environ = environ;
    conn.updateReading();
    runGatewayRequest(host, this, framing, environ, this.#sink); // SRV-05: or core's 413
  }

  // ---- STDIN ----------------------------------------------------------------------------------

  onStdin(content: Uint8Array): void {
    if (this.#state !== _RUNNING) {
      if (this.#state === _PARAMS)
        this.#fail('UNEXPECTED_RECORD', 'STDIN before the end of PARAMS');
      return;
    }
    if (this.#stdinEnded) {
      this.#fail('UNEXPECTED_RECORD', 'STDIN after the end of the stdin stream');
      return;
    }
    if (content.length === 0) {
      this.#stdinEnded = true;
      this.#input!.end();
      if (this.#paused) {
        this.#paused = false;
        this.conn.updateReading();
      }
      return;
    }
    if (this.#discard) return;
    this.#input!.push(content);
    // ADP-FCGI-25: above its high-water mark the input still grows while other requests on the
    // connection need records; the connection weighs the total.
    if (this.#paused) this.conn.updateReading();
  }

  // InputSource: backpressure and cancel (IN-06).
  pause(): void {
    this.#paused = true;
    this.conn.updateReading();
  }

  resume(): void {
    this.#paused = false;
    this.conn.updateReading();
  }

  cancel(): void {
    this.#discard = true;
    this.#paused = false;
    this.conn.updateReading();
  }

  // ---- ABORT_REQUEST and disconnect (ADP-FCGI-03) ------------------------------------------------

  /** FCGI_ABORT_REQUEST: END_REQUEST at once (spec §5.4), then abort `tsgi.signal`. */
  abortRequested(): void {
    if (this.#state === _DONE) return;
    this.conn.out.send(
      encodeEndRequest(this.id, APP_STATUS_INCOMPLETE, ProtocolStatus.REQUEST_COMPLETE),
    );
    this.finished();
    this.#abortSignal(
      new ClientDisconnectError('the web server aborted the request (FCGI_ABORT_REQUEST)'),
    );
  }

  /** The connection is gone: abort `tsgi.signal`; nothing more is written. */
  disconnected(why: string): void {
    if (this.#state === _DONE) return;
    this.#state = _DONE;
    this.#abortSignal(new ClientDisconnectError(why));
  }

  #abortSignal(reason: ClientDisconnectError): void {
    this.#input?.fail(reason);
    this.#abort?.abort(reason);
    this.#sink.disconnected(reason); // ERR-05: a write waiting for the socket to drain rejects
  }

  #fail(code: 'UNEXPECTED_RECORD', message: string): void {
    this.conn.protocolError(new FastCGIProtocolError(code, `request ${this.id}: ${message}`));
  }

  /** SinkOwner: END_REQUEST was sent; the connection frees the id. */
  finished(): void {
    this.#state = _DONE;
    this.conn.requestDone(this);
  }

  /** SinkOwner: the connection closes without END_REQUEST; nothing more is sent. */
  abandoned(): void {
    this.#state = _DONE;
  }

  // ---- tsgi.errors → STDERR -------------------------------------------------------------------

  #stderr = (text: string): void => {
    if (this.#state === _DONE || this.conn.closed) {
      this.conn.host.log(text);
      return;
    }
    this.conn.out.sendStream(RecordType.STDERR, this.id, Buffer.from(text, 'utf8'), false);
  };
}
