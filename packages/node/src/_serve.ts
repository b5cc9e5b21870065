/**
 * `serve(app, options)`: a node:http(s) server running a TSGI application, with graceful
 * shutdown (stop accepting, finish in-flight requests, then abort what is left).
 */
import { existsSync, unlinkSync } from 'node:fs';
import {
  createServer as createHttpServer,
  type Server as HttpServer,
  type ServerOptions as HttpServerOptions,
} from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect } from 'node:net';
import type { Application } from '@tsgi/core';
import { _createListener, type _ListenerState } from './_listener.js';
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
  const server: HttpServer | HttpsServer =
    options.tls !== undefined
      ? createHttpsServer({ ...options.tls, ...serverOptions })
      : createHttpServer(serverOptions);
  server.on('request', listener);
  // ADP-NODE-03: handling 'checkContinue' stops node from sending 100 Continue by itself; the
  // listener sends it when the application first reads tsgi.input (IN-07).
  server.on('checkContinue', listener);
  // SRV-16: node's own answers to what its parser refuses, but 505 for a version it does not
  // speak, and an access-log line for each (_reject.ts).
  server.on('clientError', (err, socket) => listener.state.clientError(err, socket));
  if (options.headersTimeout !== undefined) server.headersTimeout = options.headersTimeout;
  if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
  if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections;
  // SRV-07: one line more than allowed, so the listener can tell "too many" from "exactly".
  server.maxHeadersCount = listener.state.maxHeaders + 1;

  const scheme = options.tls !== undefined ? 'https' : 'http';
  let url: string;
  if (options.path !== undefined) {
    await _listenUnix(server, options.path);
    url = `unix:${options.path}`;
  } else {
    const host = options.host ?? '127.0.0.1';
    await _listen(server, { host, port: options.port ?? 8000 });
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : options.port;
    url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  const state = listener.state;
  const defaultTimeout = options.shutdownTimeout ?? 10_000;
  let closing: Promise<void> | undefined;
  const handle: ServerHandle = {
    server,
    url,
    close(closeOptions?: CloseOptions): Promise<void> {
      if (closing === undefined) {
        closing = _shutdown(server, state, closeOptions?.timeout ?? defaultTimeout);
        closing.then(uninstall, uninstall);
      }
      return closing;
    },
  };
  const signals =
    options.signals === true ? (['SIGTERM', 'SIGINT'] as const) : options.signals || [];
  const uninstall = signals.length > 0 ? _installSignals(handle, signals) : () => {};
  return handle;
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

function _listen(
  server: HttpServer,
  options: { host: string; port: number } | { path: string },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Listens on a unix socket, replacing a stale socket file nobody is accepting on. */
async function _listenUnix(server: HttpServer, path: string): Promise<void> {
  try {
    await _listen(server, { path });
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code !== 'EADDRINUSE' ||
      !existsSync(path) ||
      (await _accepting(path))
    ) {
      throw err;
    }
    unlinkSync(path);
    await _listen(server, { path });
  }
}

function _accepting(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ path }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/**
 * Graceful shutdown. `server.close()` stops accepting and closes idle keep-alive connections;
 * responses started from now on carry `Connection: close`; each connection that goes idle as
 * its request finishes is closed. After `timeout` ms the remaining requests are aborted:
 * `tsgi.signal` fires (ENV-24), the engine releases their bodies, sockets are destroyed.
 */
async function _shutdown(
  server: HttpServer | HttpsServer,
  state: _ListenerState,
  timeout: number,
): Promise<void> {
  state.closing = true;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  if (state.active > 0) {
    await _drained(state, timeout, () => {
      // The connection becomes idle once node has processed the finished response.
      setImmediate(() => server.closeIdleConnections());
    });
  }
  if (state.active > 0) {
    // Out of time: destroying the connections closes each response early, which aborts its
    // tsgi.signal and fails its input (ADP-NODE-04), so the engine releases every body.
    state.aborting = true;
    server.closeAllConnections();
    await _drained(state, 1000, () => {});
  }
  // Whatever is still open is idle or was just aborted.
  setImmediate(() => server.closeAllConnections());
  await closed;
}

/** Resolves when no request is in flight, or after `timeout` ms. */
function _drained(state: _ListenerState, timeout: number, onEach: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(finish, timeout);
    timer.unref();
    function finish(): void {
      clearTimeout(timer);
      state.onDrained = null;
      resolve();
    }
    state.onDrained = () => {
      onEach();
      if (state.active === 0) finish();
    };
  });
}

/** SIGTERM/SIGINT: graceful shutdown, then exit; a second signal exits at once. */
function _installSignals(handle: ServerHandle, signals: readonly NodeJS.Signals[]): () => void {
  let received = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) process.exit(signal === 'SIGINT' ? 130 : 143);
    received = true;
    handle.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    // Keep handling a signal that arrives mid-shutdown; drop the handlers once closed
    // programmatically, so they do not outlive the server.
    if (!received) for (const signal of signals) process.off(signal, onSignal);
  };
}
