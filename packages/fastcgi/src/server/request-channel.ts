/**
 * The connection as one of its requests sees it. The connection creates requests, so a request
 * that imported the connection's class would close an import cycle; it gets this instead.
 */
import type { FastCGIProtocolError } from '../codec/index.js';
import type { OutputQueue } from '../output.js';
import type { ServerContext } from './context.js';

/** What a request may ask of its connection. */
export interface RequestChannel {
  /** The server's configuration and counters. */
  readonly host: ServerContext;
  /** Where the request's records go (queued, written together at the end of the tick). */
  readonly out: OutputQueue;
  /** The connection is closing or closed: nothing more reaches the web server. */
  readonly closed: boolean;
  /** Requests in flight on the connection, this one included. */
  readonly requestCount: number;
  /** The request's input paused or resumed: the connection decides whether to read the socket. */
  updateReading(): void;
  /** The request has ended: its id is free again, and the connection may close if idle. */
  requestDone(request: { readonly id: number; readonly keepConn: boolean }): void;
  /** The web server broke the protocol: close the connection. */
  protocolError(err: FastCGIProtocolError): void;
  /** Ends the connection after flushing what is queued, without END_REQUEST. */
  closeAfterFlush(why: string): void;
}
