/**
 * HTTP/2 for `serve` (ADP-NODE-15..19): the server (TLS with ALPN `h2` and `http/1.1` on one port,
 * or cleartext h2c with prior knowledge), its sessions' idle timeout, and its graceful shutdown
 * (SRV-09), which on HTTP/2 is a GOAWAY per session rather than `Connection: close` per response.
 * HTTP/2 streams go to the listener's stream path (`serveStreams`), HTTP/1.1 connections of the
 * same port to its `(req, res)` path; the exchange is one class, and the few places that differ
 * check `h2`.
 */
import { Server as HttpServer, type IncomingHttpHeaders } from 'node:http';
import {
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2Session,
  type SecureServerOptions,
  type ServerHttp2Stream,
  type ServerOptions,
} from 'node:http2';
import { GracefulShutdown } from '@tsgi/server-node';
import type { ListenerContext } from './_listener.js';

/**
 * Serves the server's HTTP/2 streams through `state.handleStream` (node's stream API). node's
 * compat layer put its own 'stream' listener on the server when the 'request' listener (for the
 * HTTP/1.1 connections ALPN lets through) was added: it is replaced, so no stream gets the compat
 * objects (a third of a hello world's server CPU: bench/http2.mjs).
 */
export function serveStreams(server: H2Server, state: ListenerContext): void {
  server.removeAllListeners('stream');
  server.on(
    'stream',
    (stream: ServerHttp2Stream, headers: IncomingHttpHeaders, _f: number, raw: string[]) =>
      state.handleStream(stream, headers, raw),
  );
}

import type { ServeOptions } from './options.js';

/** The server `serve` builds when HTTP/2 is on. */
export type H2Server = Http2SecureServer | Http2Server;

/** The open sessions of a server. */
const kSessions = Symbol('tsgi.h2.sessions');
interface _Sessions {
  readonly open: Set<Http2Session>;
  /** The shutdown has begun: a session whose handshake ends now gets GOAWAY at once. */
  closing: boolean;
}
type _Tracked = H2Server & { [kSessions]: _Sessions };

/** The HTTP/2 server: `allowHTTP1` over TLS, h2c prior knowledge without. */
export function createHttp2Server(
  options: ServeOptions,
  maxHeaders: number,
  checkingInterval: number,
): H2Server {
  const settings = {
    // SRV-07: nghttp2 resets a stream whose header list is larger than this (RFC 9113 §6.5.2
    // SETTINGS_MAX_HEADER_LIST_SIZE, advertised to the client, binding once it acknowledged the
    // settings, §6.5.3; before that node's 64 KiB); node:http's default size.
    maxHeaderListSize: options.maxHeaderSize ?? 16 * 1024,
  };
  const common: ServerOptions = {
    settings,
    // SRV-07: one field over maxHeaders reaches the listener, which answers 431; the four
    // request pseudo-headers count too.
    maxHeaderListPairs: maxHeaders + 5,
    maxSessionMemory: 10, // MiB per session, node's default, spelled out: the bound per client
  };
  const server: H2Server =
    options.tls !== undefined
      ? createSecureServer({ ...(options.tls as SecureServerOptions), ...common, allowHTTP1: true })
      : createServer(common);
  if (options.tls !== undefined) {
    // SRV-06, SRV-07 for the HTTP/1.1 connections: node:http reads these off the server, which
    // node:http's own constructor would have set (the sweep's period, read when listening; the
    // keep-alive timeout, without which an idle HTTP/1.1 connection here never closes).
    Object.assign(server, {
      connectionsCheckingInterval: checkingInterval,
      keepAliveTimeout: options.keepAliveTimeout ?? 5000,
      maxHeaderSize: options.maxHeaderSize,
    });
    // A failed handshake is not an HTTP request: close it, as node:https does, rather than
    // let the 'clientError' listener answer in HTTP/1.1 bytes (Http2SecureServer forwards it).
    server.removeAllListeners('tlsClientError');
    server.on('tlsClientError', (_err, socket) => socket.destroy());
  }
  const tracked: _Sessions = { open: new Set(), closing: false };
  const sessions = tracked.open;
  (server as _Tracked)[kSessions] = tracked;
  const idle = options.keepAliveTimeout ?? 5000;
  server.on('session', (session: Http2Session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
    if (tracked.closing) session.close();
    // SRV-06 keep-alive timeout: a session without a frame for `keepAliveTimeout` gets GOAWAY
    // (RFC 9113 §6.8). `close()` is graceful: a stream still waiting on a slow application
    // finishes, and only new streams must go to a new connection. (Counting open streams to
    // spare such a session cost a listener per stream: bench/http2.mjs.)
    if (idle > 0) session.setTimeout(idle, () => session.close());
  });
  return server;
}

/**
 * SRV-09 on an HTTP/2 server. Drain: every session gets GOAWAY (`session.close()`: the streams it
 * has go on, no new one starts, and node closes the session once they end), and idle HTTP/1.1
 * connections close (in-flight HTTP/1.1 responses carry `Connection: close`, as on node:http).
 * Out of time: every session and connection is destroyed, which closes each response early and
 * aborts its tsgi.signal (ADP-NODE-04).
 */
export function shutdownHttp2(server: H2Server, state: ListenerContext): GracefulShutdown {
  const tracked = (server as _Tracked)[kSessions];
  const sessions = tracked.open;
  // HTTP/1.1 connections on an allowHTTP1 server are node:http's, in its connection list.
  const http1 =
    (server as { closeIdleConnections?: () => void }).closeIdleConnections !== undefined;
  const closeIdleHttp1 = (): void => {
    if (http1) (server as unknown as HttpServer).closeIdleConnections();
  };
  const destroyAll = (): void => {
    for (const session of sessions) session.destroy();
    if (http1) {
      try {
        HttpServer.prototype.closeAllConnections.call(server as unknown as HttpServer);
      } catch {
        // Not listening yet: no connection list, nothing to close.
      }
    }
  };
  const shutdown = new GracefulShutdown({
    server,
    pending: () => state.active,
    runs: state.runs, // BODY-24: in flight until the completion hook settled
    log: (text) => state.errors.write(text),
    drain() {
      state.beginClosing();
      tracked.closing = true;
      for (const session of sessions) session.close();
      closeIdleHttp1();
    },
    abort() {
      state.beginAborting();
      destroyAll();
    },
    finish() {
      setImmediate(destroyAll); // whatever is still open is idle or was just aborted
    },
  });
  state.onDrained = () => {
    setImmediate(closeIdleHttp1); // an HTTP/1.1 connection is idle once node processed the end
    shutdown.settled();
  };
  return shutdown;
}
