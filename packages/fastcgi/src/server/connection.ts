/**
 * One FastCGI transport connection: the record dispatcher, management records and request
 * bookkeeping. The per-request state machine is in `request.ts`, its response sink in
 * `response-sink.ts`, the output queue in `../output.ts`; every record is encoded and decoded by
 * `../codec`.
 */
import type { Socket } from 'node:net';
import {
  decodeBeginRequestBody,
  decodeGetValues,
  encodeEndRequest,
  encodeGetValuesResult,
  encodeUnknownType,
  FastCGIProtocolError,
  FCGI_KEEP_CONN,
  FCGI_MAX_CONNS,
  FCGI_MAX_REQS,
  FCGI_MPXS_CONNS,
  ProtocolStatus,
  RecordDecoder,
  RecordType,
  Role,
} from '../codec/index.js';
import { OutputQueue } from '../output.js';
import type { ServerContext } from './context.js';
import { FastCGIRequest } from './request.js';
import type { RequestChannel } from './request-channel.js';

/** What every connection of one server shares, and how it reports its close. */
export interface ConnectionHost extends ServerContext {
  connectionClosed(conn: FastCGIConnection): void;
}

/** How long a connection may stay half-closed after we ended it. */
const _LINGER_MS = 5000;

/** A FastCGI connection from a web server. Created by the server for each accepted socket. */
export class FastCGIConnection implements RequestChannel {
  readonly socket: Socket;
  readonly host: ConnectionHost;
  readonly requests = new Map<number, FastCGIRequest>();
  /** Records queued for the socket. */
  readonly out: OutputQueue;
  readonly #decoder: RecordDecoder;
  #closed = false;
  #closeWhenIdle = false;
  #readingPaused = false;
  /** When the web server last sent bytes (`performance.now()`), for the timeouts' sweep. */
  #lastData = performance.now();
  /** The timeout that ran out (ADP-FCGI-24), for its log line. */
  #timeout = 0;

  constructor(socket: Socket, host: ConnectionHost) {
    this.socket = socket;
    this.host = host;
    this.out = new OutputQueue(socket);
    this.#decoder = new RecordDecoder(this.#onRecord);
    socket.setNoDelay?.(true);
    socket.on('data', this.#onData);
    socket.on('end', this.#onEnd);
    socket.on('error', this.#onGone);
    socket.on('close', this.#onGone);
  }

  /** True once the connection is closing or closed: records are ignored, output dropped. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Requests in flight on this connection. */
  get requestCount(): number {
    return this.requests.size;
  }

  // ---- input -------------------------------------------------------------------------------

  #onData = (chunk: Uint8Array): void => {
    this.#lastData = performance.now();
    let err: FastCGIProtocolError | undefined;
    try {
      err = this.#decoder.push(chunk);
    } catch (thrown) {
      if (thrown instanceof FastCGIProtocolError) {
        // The codec's whole-body decoders (BEGIN_REQUEST, GET_VALUES) throw on malformed input.
        err = thrown;
      } else {
        // A fault while handling one connection's records must not end the process (SRV-10, ERR-07).
        this.host.log(
          `tsgi fastcgi: internal error: ${(thrown as Error)?.stack ?? String(thrown)}`,
        );
        err = new FastCGIProtocolError(
          'UNEXPECTED_RECORD',
          'internal error while handling a record',
        );
      }
    }
    if (err !== undefined) this.protocolError(err);
  };

  #onEnd = (): void => {
    // The web server controls the connection's lifetime (spec §3.5): its EOF ends every request
    // on it. A record cut off by the EOF is a protocol error, logged as such.
    const err = this.#decoder.end();
    if (err !== undefined && !this.#closed)
      this.host.log(`tsgi fastcgi: ${err.message}; connection closed`);
    this.#onGone();
  };

  #onGone = (): void => {
    if (!this.#closed) {
      this.#closed = true;
      this.#decoder.stop();
      this.out.discard();
      this.#dropAll('connection closed by the web server');
    }
    this.out.releaseDrain();
    if (!this.socket.destroyed) this.socket.destroy();
    this.host.connectionClosed(this);
  };

  #onRecord = (type: number, requestId: number, content: Uint8Array): void => {
    if (requestId === 0) {
      this.#management(type, content);
      return;
    }
    if (type === RecordType.BEGIN_REQUEST) {
      this.#begin(requestId, content);
      return;
    }
    // Records for an inactive request id are ignored (spec §3.3), as are types a responder
    // does not expect (DATA, or anything a confused peer sends).
    const req = this.requests.get(requestId);
    if (req === undefined) return;
    if (type === RecordType.PARAMS) req.onParams(content);
    else if (type === RecordType.STDIN) req.onStdin(content);
    else if (type === RecordType.ABORT_REQUEST) req.abortRequested();
  };

  #management(type: number, content: Uint8Array): void {
    if (type !== RecordType.GET_VALUES) {
      // Spec §4.2: an unknown management record type gets UNKNOWN_TYPE.
      this.out.send(encodeUnknownType(type));
      return;
    }
    const h = this.host;
    const values: Array<[string, string]> = [];
    for (const name of decodeGetValues(content, { maxPairLength: h.maxParamsSize })) {
      if (name === FCGI_MAX_CONNS) values.push([name, String(h.maxConns)]);
      else if (name === FCGI_MAX_REQS) values.push([name, String(h.maxReqs)]);
      else if (name === FCGI_MPXS_CONNS) values.push([name, h.multiplex ? '1' : '0']);
    }
    this.out.send(encodeGetValuesResult(values));
  }

  #begin(id: number, content: Uint8Array): void {
    const { role, flags } = decodeBeginRequestBody(content);
    if (this.requests.has(id)) {
      this.protocolError(
        new FastCGIProtocolError('UNEXPECTED_RECORD', `BEGIN_REQUEST for active request ${id}`),
      );
      return;
    }
    const keepConn = (flags & FCGI_KEEP_CONN) !== 0;
    let refuse = -1;
    if (role !== Role.RESPONDER) refuse = ProtocolStatus.UNKNOWN_ROLE;
    else if (!this.host.multiplex && this.requests.size > 0) refuse = ProtocolStatus.CANT_MPX_CONN;
    else if (this.host.draining || this.host.activeRequests >= this.host.maxReqs)
      refuse = ProtocolStatus.OVERLOADED;
    if (refuse >= 0) {
      this.out.send(encodeEndRequest(id, 0, refuse));
      if (!keepConn) this.#closeWhenIdle = true;
      this.#maybeIdleClose();
      return;
    }
    this.host.activeRequests++;
    this.requests.set(id, new FastCGIRequest(this, id, keepConn));
    this.updateReading();
  }

  /** A peer broke the protocol: log it and close this connection (no other is affected). */
  protocolError(err: FastCGIProtocolError): void {
    if (this.#closed) return;
    this.host.log(`tsgi fastcgi: ${err.message}; closing the connection`);
    this.#decoder.stop();
    this.#onGone();
  }

  /**
   * Pauses reading the socket when some request's input is above its high-water mark and no
   * other request on the connection is still waiting for records (see README: with
   * multiplexing, one slow reader does not stall the others' input), or when the bodies waiting
   * unread on this connection reach `maxBufferedInput` whatever the others need (ADP-FCGI-25:
   * 768 MiB of STDIN for a request that never read grew a process to 835 MiB while another
   * request's PARAMS kept the socket flowing).
   */
  updateReading(): void {
    if (this.#closed) return;
    let paused = false;
    let needed = false;
    let unread = 0;
    for (const r of this.requests.values()) {
      if (r.inputPaused) {
        paused = true;
        unread += r.bufferedInput;
      } else if (r.wantsRecords) needed = true;
    }
    const pause = paused && (!needed || unread >= this.host.maxBufferedInput);
    if (pause !== this.#readingPaused) {
      this.#readingPaused = pause;
      if (pause) this.socket.pause();
      else this.socket.resume();
    }
  }

  // ---- timeouts (ADP-FCGI-24) ---------------------------------------------------------------

  /**
   * The server's sweep (server.ts) asks each connection a few times per timeout, so requests pay
   * nothing for the timeouts (a socket timer was re-armed three times a request: FastCGI hello
   * world at 32 connections went from 51.8 to 58.6 µs CPU per request in one bench run, 65.1
   * against the earlier adapter's 66.1 with the sweep). Which timeout applies: `readTimeout` while the
   * connection waits for bytes a web server sends at once (the first record, the rest of a
   * record, a request's PARAMS); `idleTimeout` while no request is in flight; none while reading
   * is paused or the requests have all their PARAMS (the application's time is its own; the web
   * server's timeouts apply). Closes the connection when it ran out; true then.
   */
  timedOut(now: number): boolean {
    if (this.#closed || this.#readingPaused) return false;
    const host = this.host;
    let ms = 0;
    if (!this.#decoder.idle || this.#decoder.records === 0) ms = host.readTimeout;
    else if (this.requests.size === 0) ms = host.idleTimeout;
    else for (const r of this.requests.values()) if (r.readingParams) ms = host.readTimeout;
    if (ms === 0 || now - this.#lastData < ms) return false;
    this.#timeout = ms;
    this.#onTimeout();
    return true;
  }

  #onTimeout = (): void => {
    if (this.#closed) return;
    if (this.requests.size === 0 && this.#decoder.idle && this.#decoder.records > 0) {
      this.closeAfterFlush('idle timeout');
      return;
    }
    this.host.log(
      `tsgi fastcgi: no bytes from the web server for ${this.#timeout} ms in the middle of a record or of PARAMS (readTimeout, ADP-FCGI-24); closing the connection`,
    );
    this.#decoder.stop();
    this.#onGone();
  };

  // ---- request completion -------------------------------------------------------------------

  /** Removes a finished request; closes the connection when its last request wanted that. */
  requestDone(req: { readonly id: number; readonly keepConn: boolean }): void {
    if (this.requests.get(req.id) !== req) return;
    this.requests.delete(req.id);
    this.host.activeRequests--;
    if (!req.keepConn) this.#closeWhenIdle = true;
    if (!this.#maybeIdleClose()) this.updateReading();
  }

  /** Ends the connection after flushing (no END_REQUEST): how an incomplete response is signalled. */
  closeAfterFlush(why = 'connection closed'): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#decoder.stop();
    this.#dropAll(why);
    this.out.flush();
    this.out.discard();
    this.socket.end();
    if (this.#readingPaused) this.socket.resume(); // read (and drop) until the peer closes
    // A peer that never closes its side is dropped after a while (the timer dies with the socket).
    this.socket.setTimeout(_LINGER_MS, () => this.socket.destroy());
  }

  #dropAll(why: string): void {
    this.host.activeRequests -= this.requests.size;
    const reqs = [...this.requests.values()];
    this.requests.clear();
    for (const req of reqs) req.disconnected(why);
  }

  /** Graceful server shutdown: close now if idle, else once the last request finishes. */
  drain(): void {
    this.#closeWhenIdle = true;
    this.#maybeIdleClose();
  }

  #maybeIdleClose(): boolean {
    if (!this.#closeWhenIdle || this.requests.size > 0 || this.#closed) return false;
    this.closeAfterFlush();
    return true;
  }
}
