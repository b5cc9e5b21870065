/**
 * The FastCGI listener: TCP, a Unix socket, or the listening socket a web server passes on fd 0
 * (FCGI_LISTENSOCK_FILENO, spec §2.2), with FCGI_WEB_SERVER_ADDRS, connection and request
 * limits, and graceful close. Listening, the stale-socket rule, shutdown and signals are
 * @tsgi/server-node's, shared with @tsgi/node.
 */
import type { Socket } from 'node:net';
import { type Application, checkBodyLimit, checkConfigKeys } from '@tsgi/core';
import {
  describeInFlight,
  GatewayServer,
  isInheritedSocket,
  logToStderr,
  PendingRuns,
  positiveOption,
} from '@tsgi/server-node';
import { type ConnectionHost, FastCGIConnection } from './connection.js';
import type { RequestInFlight } from './context.js';
import type { FastCGIServerOptions } from './options.js';

export type { CloseOptions, FastCGIAddress, FastCGIServerOptions } from './options.js';

/** `FCGI_LISTENSOCK_FILENO`: where a web server that spawns the application puts the listener. */
export const FCGI_LISTENSOCK_FILENO = 0;

function _parseAddrs(value: readonly string[] | string | undefined): Set<string> {
  const list = typeof value === 'string' ? value.split(',') : (value ?? []);
  return new Set(list.map((a) => _normaliseIp(a.trim())).filter((a) => a !== ''));
}

function _normaliseIp(ip: string): string {
  return ip.startsWith('::ffff:') && ip.includes('.') ? ip.slice(7) : ip.toLowerCase();
}

/** True when `fd` (default 0) is a socket, as a web server leaves FCGI_LISTENSOCK_FILENO. */
export function isListenSocketInherited(fd = FCGI_LISTENSOCK_FILENO): boolean {
  return isInheritedSocket(fd);
}

/**
 * A FastCGI 1.0 responder serving one TSGI application. `listen()` resolves where it listens;
 * `close({ timeout })` stops accepting, closes idle connections, lets running requests finish
 * (new BEGIN_REQUESTs get OVERLOADED), and after `timeout` ms (default `shutdownTimeout`, 10 s)
 * aborts what is left (`tsgi.signal`, ENV-24). Idempotent (SRV-09).
 */
export class FastCGIServer extends GatewayServer<FastCGIConnection> {
  readonly #host: ConnectionHost;
  readonly #allowed: Set<string>;

  constructor(app: Application, options: FastCGIServerOptions = {}) {
    if (typeof app !== 'function')
      throw new TypeError('serveFastCGI: the application must be a function (APP-01)');
    const log = options.errors ?? logToStderr;
    const maxConns = options.maxConns ?? 1024;
    const runs = new PendingRuns<RequestInFlight>(_describe);
    super(options, {
      label: 'tsgi fastcgi',
      maxConns,
      runs,
      log,
      net: { noDelay: true },
      // ADP-FCGI-17: without an address, the socket a web server passes on fd 0.
      noAddress:
        'serveFastCGI: no address to listen on: give port, path or fd, or run under a web server that passes a listening socket on fd 0',
    });
    this.#host = {
      app,
      runOptions: { exposeErrors: options.exposeErrors === true },
      cgiOptions: { scriptName: options.scriptName },
      environ: checkConfigKeys(options.environ), // SRV-11: refused here, at setup
      maxParamsSize: options.maxParamsSize ?? 65536,
      maxBodySize: checkBodyLimit(options.maxBodySize),
      maxConns,
      readTimeout: positiveOption('serveFastCGI', 'readTimeout', options.readTimeout, 10_000),
      idleTimeout: positiveOption('serveFastCGI', 'idleTimeout', options.idleTimeout, 75_000),
      maxBufferedInput: positiveOption(
        'serveFastCGI',
        'maxBufferedInput',
        options.maxBufferedInput,
        1024 * 1024,
      ),
      maxReqs: options.maxReqs ?? 4096,
      multiplex: options.multiplex !== false,
      multiprocess: options.multiprocess === true,
      runs,
      activeRequests: 0,
      draining: false,
      log,
      connectionClosed: this.connectionClosed,
    };
    this.#allowed = _parseAddrs(options.webServerAddrs ?? process.env.FCGI_WEB_SERVER_ADDRS);
  }

  /** Requests running on all connections. */
  get activeRequests(): number {
    return this.#host.activeRequests;
  }

  override close(options: { timeout?: number } = {}): Promise<void> {
    const closing = super.close(options);
    const stop = (): void => clearInterval(this.#sweep);
    closing.then(stop, stop);
    return closing;
  }

  protected connect(socket: Socket): FastCGIConnection {
    this.#sweep ??= this.#startSweep();
    return new FastCGIConnection(socket, this.#host);
  }

  /** FCGI_WEB_SERVER_ADDRS (spec §3.2): only the web servers listed may connect. */
  protected override refusal(socket: Socket): string | undefined {
    const peer = this.#allowed.size > 0 ? socket.remoteAddress : undefined; // a syscall: only when needed
    if (peer === undefined || this.#allowed.has(_normaliseIp(peer))) return undefined;
    return `from ${peer} (not in FCGI_WEB_SERVER_ADDRS)`;
  }

  /** New BEGIN_REQUESTs get OVERLOADED from now on (connection.ts reads `draining`). */
  protected override draining(): void {
    this.#host.draining = true;
  }

  protected override abortConnection(conn: FastCGIConnection): void {
    conn.closeAfterFlush('the server is shutting down');
    conn.socket.destroy();
  }

  /** The timeouts' sweep (ADP-FCGI-24): each timeout fires within a quarter of itself. */
  #sweep: NodeJS.Timeout | undefined = undefined;

  #startSweep(): NodeJS.Timeout {
    const host = this.#host;
    const every = Math.max(
      25,
      Math.min(1000, Math.floor(Math.min(host.readTimeout, host.idleTimeout) / 4)),
    );
    const timer = setInterval(() => {
      const now = performance.now();
      for (const conn of this.openConnections()) conn.timedOut(now);
    }, every);
    timer.unref(); // never what keeps the process alive
    return timer;
  }
}

/** A request pending at the end of a shutdown, for its log (BODY-24). */
function _describe(request: RequestInFlight): string {
  return describeInFlight(`FastCGI request ${request.id}`, request);
}

/** Creates a FastCGI server for `app` without listening yet (see `FastCGIServer.listen`). */
export function createFastCGIServer(
  app: Application,
  options: FastCGIServerOptions = {},
): FastCGIServer {
  return new FastCGIServer(app, options);
}

/**
 * Serves `app` over FastCGI: listens on `options.port`/`host`, `options.path` or `options.fd`,
 * or on fd 0 when a web server spawned the process with its listening socket there.
 * @example
 * ```ts
 * const server = await serveFastCGI(app, { port: 9000 });
 * // nginx: fastcgi_pass 127.0.0.1:9000; include fastcgi_params;
 * ```
 */
export async function serveFastCGI(
  app: Application,
  options: FastCGIServerOptions = {},
): Promise<FastCGIServer> {
  const server = new FastCGIServer(app, options);
  await server.listen();
  return server;
}
