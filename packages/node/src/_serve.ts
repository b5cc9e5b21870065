/**
 * `serve(app, options)`: a node:http(s) server running a TSGI application. Listening, graceful
 * shutdown and signals are @tsgi/server-node's (shared with @tsgi/fastcgi); this file only
 * builds the node:http server and tells the shutdown how to drain and abort it.
 */
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type ServerOptions as HttpServerOptions,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Application } from '@tsgi/core';
import {
  DEFAULT_HOST,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GracefulShutdown,
  handleShutdownSignals,
  listen,
  listenTarget,
  listenUrl,
  positiveOption,
  signalsOption,
} from '@tsgi/server-node';
import { closeIdle, inGrace, limitConnections } from './_connection-limit.js';
import type { H2Server } from './_http2.js';
import { _createListener, type ListenerContext } from './_listener.js';
import { _WebSockets } from './_websocket.js';
import type { CloseOptions, ServeOptions, ServerHandle } from './options.js';

/** Starts a server and resolves once it is listening. Default `127.0.0.1:8000`. */
export async function serve(app: Application, options: ServeOptions = {}): Promise<ServerHandle> {
  const listener = _createListener(app, options);
  const serverOptions: HttpServerOptions = {
    // SRV-02: the listener checks Host itself (_reject.ts), so that after refusing a request it
    // can also keep the ones pipelined behind it from the application; node's own 400 cannot.
    requireHostHeader: false,
    // SRV-06: node enforces headersTimeout/requestTimeout only when it sweeps its connections,
    // every connectionsCheckingInterval (default 30 s); fixed at construction.
    connectionsCheckingInterval: _checkingInterval(options),
  };
  if (options.maxHeaderSize !== undefined) serverOptions.maxHeaderSize = options.maxHeaderSize;
  // ADP-NODE-15: HTTP/2 (and HTTP/1.1 by ALPN over TLS) in _http2.ts, whose allowHTTP1 server
  // has node:http's timeouts and header count for HTTP/1.1 connections. On by default with
  // `tls`, where ALPN lets every client that does not offer `h2` fall back to HTTP/1.1 on the
  // same port (spec/15-rationale.md); without TLS only when asked, since an h2c port cannot then
  // serve HTTP/1.1 (node 20). Loaded only then: node:http2 is ~6 ms of a plain server's start-up.
  const http2 = (options.http2 ?? options.tls !== undefined) ? await import('./_http2.js') : null;
  const server = (
    http2 !== null
      ? http2.createHttp2Server(options, listener.state.maxHeaders, _checkingInterval(options))
      : options.tls !== undefined
        ? createHttpsServer({ ...options.tls, ...serverOptions })
        : createHttpServer(serverOptions)
  ) as HttpServer | HttpsServer;
  server.on('request', listener);
  // ADP-NODE-03: handling 'checkContinue' stops node from sending 100 Continue by itself; the
  // listener sends it when the application first reads tsgi.input (IN-07).
  server.on('checkContinue', listener);
  if (http2 !== null) http2.serveStreams(server as unknown as H2Server, listener.state);
  // SRV-16: node's own answers to what its parser refuses, but 505 for a version it does not
  // speak, and an access-log line for each (_reject.ts).
  server.on('clientError', (err, socket) => listener.state.clientError(err, socket));
  // Spec 20: WebSocket upgrades through the same application; shutdown reaches them (_websocket.ts).
  if (options.websocket !== false)
    new _WebSockets(listener.state, options.websocket).listen(server);
  if (options.headersTimeout !== undefined) server.headersTimeout = options.headersTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  // SRV-08: a 503 beyond the connection limit (_connection-limit.ts).
  const maxConnections = positiveOption('serve', 'maxConnections', options.maxConnections, 4096);
  const perAddress = positiveOption(
    'serve',
    'maxConnectionsPerAddress',
    options.maxConnectionsPerAddress,
    maxConnections,
  );
  const sockets = limitConnections(
    server,
    maxConnections,
    perAddress,
    options.tls !== undefined || http2 !== null, // h2c: an HTTP/1.1 503 is no answer to an HTTP/2 client
    (socket, status, bytes) => listener.state.connectionRefused(socket, status, bytes),
  );
  // SRV-07: one line more than allowed, so the listener can tell "too many" from "exactly".
  server.maxHeadersCount = listener.state.maxHeaders + 1;

  const address = await listen(
    server,
    listenTarget(options, () => ({ kind: 'tcp', host: options.host ?? DEFAULT_HOST, port: 8000 })),
  );
  const url = listenUrl(address, options.tls !== undefined ? 'https' : 'http', server);

  const shutdown =
    http2 !== null
      ? http2.shutdownHttp2(server as unknown as H2Server, listener.state)
      : _shutdown(server, listener.state, sockets);
  const defaultTimeout = options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
  const handle: ServerHandle = {
    server,
    url,
    close(closeOptions?: CloseOptions): Promise<void> {
      const closing = shutdown.close(closeOptions?.timeout ?? defaultTimeout);
      closing.then(uninstall, uninstall);
      return closing;
    },
  };
  const signals = signalsOption(options.signals);
  const uninstall =
    signals.length > 0 ? handleShutdownSignals(() => handle.close(), { signals }) : () => {};
  return handle;
}

/**
 * SRV-09 through the shared shutdown. `server.close()` stops accepting; idle keep-alive
 * connections close at once; responses started from now on carry `Connection: close`; each
 * connection that goes idle as its request finishes is closed. Out of time, destroying the
 * connections closes each response early, which aborts its tsgi.signal and fails its input
 * (ADP-NODE-04), so the engine releases every body.
 */
function _shutdown(
  server: HttpServer | HttpsServer,
  state: ListenerContext,
  sockets: Set<Socket>,
): GracefulShutdown {
  const settled = (): void => shutdown.settled();
  const shutdown = new GracefulShutdown({
    server,
    // A connection accepted just before the close may still send its request (closeIdle).
    pending: () => state.active + inGrace(sockets),
    runs: state.runs, // BODY-24: in flight until the completion hook settled
    log: (text) => state.errors.write(text),
    drain() {
      state.beginClosing();
      closeIdle(sockets, settled);
    },
    abort() {
      state.beginAborting();
      server.closeAllConnections();
    },
    finish() {
      // Whatever is still open is idle or was just aborted.
      setImmediate(() => server.closeAllConnections());
    },
  });
  // The listener calls this as each request finishes while closing.
  state.onDrained = () => {
    // The connection becomes idle once node has processed the finished response.
    setImmediate(() => closeIdle(sockets, settled));
    shutdown.settled();
  };
  return shutdown;
}

/**
 * SRV-06: how often node checks the header and request timeouts: a quarter of the shorter one
 * (node's defaults when unset; 0 disables a timeout), between 10 ms and 1 s. A timeout thus
 * fires at most 1 s, and at most a quarter of itself, late.
 */
function _checkingInterval(options: ServeOptions): number {
  const headers = options.headersTimeout ?? 60_000;
  const request = options.requestTimeout ?? 300_000;
  const shortest = Math.min(headers > 0 ? headers : Infinity, request > 0 ? request : Infinity);
  return Math.max(10, Math.min(1000, Math.floor(shortest / 4)));
}
