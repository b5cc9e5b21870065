/**
 * The SCGI listener: TCP, a Unix socket, or an inherited listening socket on fd 0 (ADP-SCGI-01),
 * with a connection limit and graceful close. Listening, the stale-socket rule, shutdown and
 * signals are @tsgi/server-node's, shared with @tsgi/node and @tsgi/fastcgi.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { type Application, checkBodyLimit, checkConfigKeys } from '@tsgi/core';
import {
  describeInFlight,
  GatewayLifecycle,
  GracefulShutdown,
  type InFlightRequest,
  PendingRuns,
  positiveOption,
} from '@tsgi/server-node';
import { ScgiConnection } from './connection.js';
import type { ServerContext } from './context.js';
import type { CloseOptions, SCGIAddress, SCGIServerOptions } from './options.js';

export type { CloseOptions, SCGIAddress, SCGIServerOptions } from './options.js';

function _defaultLog(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** An SCGI server (python.ca/scgi protocol.txt) serving one TSGI application. */
export class SCGIServer {
  /** The underlying `net.Server`. */
  readonly server: Server;
  readonly #host: ServerContext;
  readonly #maxConns: number;
  readonly #connections = new Set<ScgiConnection>();
  readonly #shutdown: GracefulShutdown;
  #draining = false;
  readonly #lifecycle: GatewayLifecycle;
  #address: SCGIAddress | undefined = undefined;

  constructor(app: Application, options: SCGIServerOptions = {}) {
    if (typeof app !== 'function')
      throw new TypeError('serveSCGI: the application must be a function (APP-01)');
    this.#maxConns = positiveOption('serveSCGI', 'maxConns', options.maxConns, 1024);
    const connections = this.#connections;
    this.#host = {
      app,
      runOptions: { exposeErrors: options.exposeErrors === true },
      cgiOptions: { scriptName: options.scriptName },
      environ: checkConfigKeys(options.environ), // SRV-11: refused here, at setup
      maxHeaderSize: positiveOption('serveSCGI', 'maxHeaderSize', options.maxHeaderSize, 65536),
      maxBodySize: checkBodyLimit(options.maxBodySize),
      readTimeout: positiveOption('serveSCGI', 'readTimeout', options.readTimeout, 30_000),
      multiprocess: options.multiprocess === true,
      runs: new PendingRuns<InFlightRequest>((r) => describeInFlight('SCGI request', r)),
      log: options.errors ?? _defaultLog,
      connectionClosed: (conn) => {
        connections.delete(conn as ScgiConnection);
        this.#shutdown.settled();
      },
    };
    // allowHalfOpen: a front end's EOF before the request is complete still gets its refusal.
    this.server = createServer({ noDelay: true, allowHalfOpen: true }, (s) => this.handle(s));
    this.server.on('error', (err) => this.#host.log(`tsgi scgi: listener error: ${err.message}`));
    this.#shutdown = this.#createShutdown();
    // ADP-SCGI-01: without an address, the socket a process manager passes on fd 0.
    this.#lifecycle = new GatewayLifecycle(
      this.server,
      this.#shutdown,
      options,
      'serveSCGI: no address to listen on: give port, path or fd, or run with a listening socket on fd 0',
    );
  }

  /** Where the server listens, once `listen()` has resolved. */
  get address(): SCGIAddress | undefined {
    return this.#address;
  }

  /** Open connections (each carries one request). */
  get connections(): number {
    return this.#connections.size;
  }

  /**
   * Serves an already-connected socket (the listener calls this for each connection). Beyond
   * `maxConns`, or while shutting down, the connection is closed at once (ADP-SCGI-01).
   */
  handle(socket: Socket): void {
    if (this.#draining) {
      socket.destroy();
      return;
    }
    if (this.#connections.size >= this.#maxConns) {
      this.#host.log(`tsgi scgi: refused a connection: ${this.#maxConns} open (maxConns)`);
      socket.destroy();
      return;
    }
    this.#connections.add(new ScgiConnection(socket, this.#host));
  }

  /** Starts listening on the configured address and resolves where. */
  async listen(): Promise<SCGIAddress> {
    this.#address = await this.#lifecycle.listen();
    return this.#address;
  }

  /**
   * Stops accepting, closes connections whose request has not arrived, lets running requests
   * finish, and after `timeout` ms (default `shutdownTimeout`, 10 s) aborts what is left
   * (`tsgi.signal`, ENV-24). Idempotent (SRV-09).
   */
  close(options: CloseOptions = {}): Promise<void> {
    return this.#lifecycle.close(options.timeout);
  }

  #createShutdown(): GracefulShutdown {
    const connections = this.#connections;
    return new GracefulShutdown({
      server: this.server,
      pending: () => connections.size,
      runs: this.#host.runs, // BODY-24: in flight until the completion hook settled
      log: this.#host.log,
      drain: () => {
        this.#draining = true;
        for (const c of [...connections]) c.drain();
      },
      abort() {
        for (const c of [...connections]) c.socket.destroy();
      },
    });
  }
}

/** Creates an SCGI server for `app` without listening yet (see `SCGIServer.listen`). */
export function createSCGIServer(app: Application, options: SCGIServerOptions = {}): SCGIServer {
  return new SCGIServer(app, options);
}

/**
 * Serves `app` over SCGI: listens on `options.port`/`host`, `options.path` or `options.fd`, or
 * on fd 0 when the process was started with a listening socket there.
 * @example
 * ```ts
 * const server = await serveSCGI(app, { port: 4000 });
 * // nginx: scgi_pass 127.0.0.1:4000; include scgi_params;
 * ```
 */
export async function serveSCGI(
  app: Application,
  options: SCGIServerOptions = {},
): Promise<SCGIServer> {
  const server = new SCGIServer(app, options);
  await server.listen();
  return server;
}
