/**
 * A FastCGI request's `ResponseSink`: the CGI-syntax response as STDOUT records, then
 * END_REQUEST (spec §6.1), or the abort of an incomplete response (ADP-FCGI-03, ADP-FCGI-16).
 * The request state machine (PARAMS, STDIN, ABORT_REQUEST) is in `request.ts`.
 */
import { GatewaySink, type GatewaySinkOwner } from '@tsgi/server-node';
import { encodeEndRequest, encodeRecord, ProtocolStatus, RecordType } from '../codec/index.js';
import type { RequestChannel } from './request-channel.js';

/** `appStatus` of an END_REQUEST whose response is complete. */
export const APP_STATUS_OK = 0;
/** `appStatus` of an END_REQUEST whose response is incomplete (ABORT_REQUEST, or a failed multiplexed response). */
export const APP_STATUS_INCOMPLETE = 1;

/** The request as its response sink sees it. */
export interface SinkOwner extends GatewaySinkOwner {
  readonly conn: RequestChannel;
  readonly id: number;
  /** END_REQUEST was sent: the request is over and its id free again. */
  finished(): void;
  /** The connection closes without END_REQUEST: the request is over, nothing more is sent. */
  abandoned(): void;
}

/** Writes one request's response as STDOUT records on its connection. */
export class StdoutSink extends GatewaySink {
  readonly #req: SinkOwner;

  constructor(req: SinkOwner) {
    super(req);
    this.#req = req;
  }

  protected send(head: string, chunk: Uint8Array): void | Promise<void> {
    const out = this.#req.conn.out;
    out.sendStream(RecordType.STDOUT, this.#req.id, chunk, false, head);
    const drain = out.backpressure();
    if (drain === undefined) return;
    return this.wait((settle) => void drain.then(() => settle()));
  }

  /** Spec §6.1: STDOUT ends with an empty record, then END_REQUEST (ADP-FCGI-01). */
  protected complete(head: string, body: Uint8Array | null): void {
    this.#endRequest(head, body, APP_STATUS_OK);
  }

  protected cut(head: string): void {
    const req = this.#req;
    const conn = req.conn;
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
    this.#endRequest(head, null, APP_STATUS_INCOMPLETE);
  }

  /**
   * Spec §6.1: STDOUT always ends with an empty record, then END_REQUEST (ADP-FCGI-01) with
   * appStatus 0 for a complete response or 1 for an incomplete one (ADP-FCGI-03, ADP-FCGI-16).
   */
  #endRequest(head: string, body: Uint8Array | null, appStatus: number): void {
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
}
