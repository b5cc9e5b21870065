/**
 * The FastCGI listener: TCP, a Unix socket, or the listening socket a web server passes on fd 0
 * (FCGI_LISTENSOCK_FILENO, spec §2.2), with FCGI_WEB_SERVER_ADDRS, connection and request
 * limits, and graceful close. Listening, the stale-socket rule, shutdown and signals are
 * @tsgi/server-node's, shared with @tsgi/node.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type Application, checkBodyLimit, checkConfigKeys } from '@tsgi/core';
import {
  describeInFlight,
  GatewayLifecycle,
  GracefulShutdown,
  isInheritedSocket,
  PendingRuns,
  positiveOption,
} from '@tsgi/server-node';
import { type ConnectionHost, FastCGIConnection } from './connection.js';
import type { RequestInFlight } from './context.js';
import type { CloseOptions, FastCGIAddress, FastCGIServerOptions } from './options.js';

export type { CloseOptions, FastCGIAddress, FastCGIServerOptions } from './options.js';

/** `FCGI_LISTENSOCK_FILENO`: where a web server that spawns the application puts the listener. */
export const FCGI_LISTENSOCK_FILENO = 0;

function _defaultLog(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

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

/** A FastCGI 1.0 responder serving one TSGI application. */
export class FastCGIServer {
  /** The underlying `net.Server`. */
  readonly server: Server;
  readonly #host: ConnectionHost;
  readonly #allowed: Set<string>;
  readonly #connections = new Set<FastCGIConnection>();
  #address: FastCGIAddress | undefined = undefined;
  readonly #shutdown: GracefulShutdown;
  readonly #lifecycle: GatewayLifecycle;

  constructor(app: Application, options: FastCGIServerOptions = {}) {
    if (typeof app !== 'function')
      throw new TypeError('serveFastCGI: the application must be a function (APP-01)');
    const log = options.errors ?? _defaultLog;
    const connections = this.#connections;
    this.#host = {
      app,
      runOptions: { exposeErrors: options.exposeErrors === true },
      cgiOptions: { scriptName: options.scriptName },
      environ: checkConfigKeys(options.environ), // SRV-11: refused here, at setup
      maxParamsSize: options.maxParamsSize ?? 65536,
      maxBodySize: checkBodyLimit(options.maxBodySize),
      maxConns: options.maxConns ?? 1024,
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
      runs: new PendingRuns<RequestInFlight>(_describe),
      activeRequests: 0,
      draining: false,
      log,
      connectionClosed: (conn) => {
        connections.delete(conn);
        this.#shutdown.settled();
      },
    };
    this.#allowed = _parseAddrs(options.webServerAddrs ?? process.env.FCGI_WEB_SERVER_ADDRS);
    this.server = createServer({ noDelay: true }, (socket) => this.handle(socket));
    // An error while listen() is pending rejects listen() (the caller reports it, once: issue 23
    // saw EADDRINUSE printed twice); later errors (EMFILE on accept, say) are logged.
    this.server.on('error', (err) => {
      if (this.#address !== undefined) log(`tsgi fastcgi: listener error: ${err.message}`);
    });
    this.#shutdown = this.#createShutdown();
    // ADP-FCGI-17: without an address, the socket a web server passes on fd 0.
    this.#lifecycle = new GatewayLifecycle(
      this.server,
      this.#shutdown,
      options,
      'serveFastCGI: no address to listen on: give port, path or fd, or run under a web server that passes a listening socket on fd 0',
    );
  }

  /** Where the server listens, once `listen()` has resolved. */
  get address(): FastCGIAddress | undefined {
    return this.#address;
  }

  /** Open connections. */
  get connections(): number {
    return this.#connections.size;
  }

  /** Requests running on all connections. */
  get activeRequests(): number {
    return this.#host.activeRequests;
  }

  /**
   * Serves an already-connected socket (the listener calls this for each connection). Refuses
   * peers not in FCGI_WEB_SERVER_ADDRS and connections beyond `maxConns` by closing them.
   */
  handle(socket: Socket): void {
    const host = this.#host;
    if (host.draining) {
      socket.destroy();
      return;
    }
    const peer = this.#allowed.size > 0 ? socket.remoteAddress : undefined; // a syscall: only when needed
    if (peer !== undefined && !this.#allowed.has(_normaliseIp(peer))) {
      host.log(`tsgi fastcgi: refused a connection from ${peer} (not in FCGI_WEB_SERVER_ADDRS)`);
      socket.destroy();
      return;
    }
    if (this.#connections.size >= host.maxConns) {
      host.log(`tsgi fastcgi: refused a connection: ${host.maxConns} connections open (maxConns)`);
      socket.destroy();
      return;
    }
    this.#connections.add(new FastCGIConnection(socket, host));
    this.#sweep ??= this.#startSweep();
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
      for (const conn of this.#connections) conn.timedOut(now);
    }, every);
    timer.unref(); // never what keeps the process alive
    return timer;
  }

  /** Starts listening on the configured address and resolves where. */
  async listen(): Promise<FastCGIAddress> {
    this.#address = await this.#lifecycle.listen();
    return this.#address;
  }

  /**
   * Stops accepting, closes idle connections, lets running requests finish (new BEGIN_REQUESTs
   * get OVERLOADED), and after `timeout` ms (default `shutdownTimeout`, 10 s) aborts what is
   * left (`tsgi.signal`, ENV-24). Idempotent.
   */
  close(options: CloseOptions = {}): Promise<void> {
    const closing = this.#lifecycle.close(options.timeout);
    const stop = (): void => clearInterval(this.#sweep);
    closing.then(stop, stop);
    return closing;
  }

  /**
   * SRV-09 through the shared shutdown. In flight are connections: each one drained closes
   * once its last request has finished (`connectionClosed` reports it). Sockets given to
   * `handle()` count too, so a server that never listened shuts down the same way.
   */
  #createShutdown(): GracefulShutdown {
    const host = this.#host;
    const connections = this.#connections;
    return new GracefulShutdown({
      server: this.server,
      pending: () => connections.size,
      runs: host.runs, // BODY-24: in flight until the completion hook settled
      log: host.log,
      drain() {
        host.draining = true;
        for (const c of connections) c.drain();
      },
      abort() {
        for (const c of connections) {
          c.closeAfterFlush('the server is shutting down');
          c.socket.destroy();
        }
      },
    });
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
