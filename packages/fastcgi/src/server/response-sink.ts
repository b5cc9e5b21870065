/**
 * A FastCGI request's `ResponseSink`: the CGI-syntax response as STDOUT records, then
 * END_REQUEST (spec §6.1), or the abort of an incomplete response (ADP-FCGI-03, ADP-FCGI-16).
 * The request state machine (PARAMS, STDIN, ABORT_REQUEST) is in `request.ts`.
 */
import {
  formatCgiHead,
  type OwnResponse,
  type ResponseHeaders,
  type ResponseSink,
  type Status,
} from '@tsgi/core';
import { encodeEndRequest, encodeRecord, ProtocolStatus, RecordType } from '../codec/index.js';
import type { RequestChannel } from './request-channel.js';

/** `appStatus` of an END_REQUEST whose response is complete. */
export const APP_STATUS_OK = 0;
/** `appStatus` of an END_REQUEST whose response is incomplete (ABORT_REQUEST, or a failed multiplexed response). */
export const APP_STATUS_INCOMPLETE = 1;

/** The request as its response sink sees it. */
export interface SinkOwner {
  readonly conn: RequestChannel;
  readonly id: number;
  /** END_REQUEST was sent or the connection is gone: nothing more is written. */
  readonly done: boolean;
  /** `tsgi.signal` has been aborted (without creating it). */
  readonly aborted: boolean;
  /** END_REQUEST was sent: the request is over and its id free again. */
  finished(): void;
  /** The connection closes without END_REQUEST: the request is over, nothing more is sent. */
  abandoned(): void;
}

/** Writes one request's response as STDOUT records on its connection. */
export class StdoutSink implements ResponseSink {
  readonly #req: SinkOwner;
  /** The formatted head, sent with the first chunk or the end. */
  #head = '';
  /** The engine called end() or abort() (for the shutdown log, BODY-24). */
  #ended = false;
  #drainReject: ((err: unknown) => void) | null = null;

  constructor(req: SinkOwner) {
    this.#req = req;
  }

  /** ResponseSink.aborted: lets the engine check for a disconnect without creating the signal. */
  get aborted(): boolean {
    return this.#req.aborted;
  }

  /** The engine has ended or aborted the response: what is left is its completion hook. */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Spec §6.1: STDOUT always ends with an empty record, then END_REQUEST (ADP-FCGI-01) with
   * appStatus 0 for a complete response or 1 for an incomplete one (ADP-FCGI-03, ADP-FCGI-16).
   */
  complete(head: string, body: Uint8Array | null, appStatus: number): void {
    const req = this.#req;
    req.conn.out.sendStream(
      RecordType.STDOUT,
      req.id,
      body,
      true,
      head,
      encodeEndRequest(req.id, appStatus, ProtocolStatus.REQUEST_COMPLETE),
    );
    req.finished();
  }

  /** Answers without the application (SRV-02): core's response, complete. */
  reply(response: OwnResponse): void {
    this.complete(formatCgiHead(response.status, response.headers), response.body, APP_STATUS_OK);
  }

  /** ERR-05: a write waiting for the socket to drain rejects with `reason`. */
  disconnected(reason: unknown): void {
    const reject = this.#drainReject;
    this.#drainReject = null;
    reject?.(reason);
  }

  head(status: Status, headers: ResponseHeaders): void {
    if (this.#req.done) return;
    this.#head = formatCgiHead(status, headers);
  }

  write(chunk: Uint8Array): void | Promise<void> {
    const req = this.#req;
    if (req.done) return;
    const head = this.#head;
    this.#head = '';
    const out = req.conn.out;
    out.sendStream(RecordType.STDOUT, req.id, chunk, false, head);
    const drain = out.backpressure();
    if (drain === undefined) return;
    return new Promise<void>((resolve, reject) => {
      this.#drainReject = reject;
      drain.then(() => {
        this.#drainReject = null;
        resolve();
      });
    });
  }

  end(): void {
    this.#ended = true;
    if (this.#req.done) return;
    const head = this.#head;
    this.#head = '';
    this.complete(head, null, APP_STATUS_OK);
  }

  abort(_reason: unknown): void {
    this.#ended = true;
    const req = this.#req;
    if (req.done) return;
    const conn = req.conn;
    const head = this.#head;
    this.#head = '';
    if (conn.requestCount <= 1) {
      // ADP-FCGI-16, ERR-03: close without END_REQUEST. A bare close is not enough for nginx
      // without fastcgi_keep_conn (it then takes EOF as the end of the response), so an
      // FCGI_ABORT_REQUEST record, a type no front end accepts from an application, goes first:
      // nginx fails the response ("upstream sent invalid FastCGI record type: 2"), Apache too,
      // and lighttpd (which skips unknown types) fails it on the close when it streams responses.
      // Everything queued before it (the STDERR text of the error) still reaches the front end.
      if (head !== '') conn.out.sendStream(RecordType.STDOUT, req.id, null, false, head);
      conn.out.send(encodeRecord(RecordType.ABORT_REQUEST, req.id));
      req.abandoned();
      conn.closeAfterFlush('response aborted');
      return;
    }
    // Other requests share the connection: end only this one, marked incomplete (appStatus 1).
    this.complete(head, null, APP_STATUS_INCOMPLETE);
  }
}
