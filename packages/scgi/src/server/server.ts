/**
 * The SCGI listener: TCP, a Unix socket, or an inherited listening socket on fd 0 (ADP-SCGI-01),
 * with a connection limit and graceful close. Listening, the stale-socket rule, shutdown and
 * signals are @tsgi/server-node's, shared with @tsgi/node and @tsgi/fastcgi.
 */
import type { Socket } from 'node:net';
import { type Application, checkBodyLimit, checkConfigKeys } from '@tsgi/core';
import {
  describeInFlight,
  GatewayServer,
  type InFlightRequest,
  logToStderr,
  PendingRuns,
  positiveOption,
} from '@tsgi/server-node';
import { ScgiConnection } from './connection.js';
import type { ServerContext } from './context.js';
import type { SCGIServerOptions } from './options.js';

export type { CloseOptions, SCGIAddress, SCGIServerOptions } from './options.js';

/**
 * An SCGI server (python.ca/scgi protocol.txt) serving one TSGI application. `listen()` resolves
 * where it listens; `close({ timeout })` stops accepting, closes connections whose request has
 * not arrived, lets running requests finish, and after `timeout` ms (default `shutdownTimeout`,
 * 10 s) aborts what is left (`tsgi.signal`, ENV-24). Idempotent (SRV-09).
 */
export class SCGIServer extends GatewayServer<ScgiConnection> {
  readonly #host: ServerContext;

  constructor(app: Application, options: SCGIServerOptions = {}) {
    if (typeof app !== 'function')
      throw new TypeError('serveSCGI: the application must be a function (APP-01)');
    const log = options.errors ?? logToStderr;
    const runs = new PendingRuns<InFlightRequest>((r) => describeInFlight('SCGI request', r));
    super(options, {
      label: 'tsgi scgi',
      maxConns: positiveOption('serveSCGI', 'maxConns', options.maxConns, 1024),
      runs,
      log,
      // allowHalfOpen: a front end's EOF before the request is complete still gets its refusal.
      net: { noDelay: true, allowHalfOpen: true },
      // ADP-SCGI-01: without an address, the socket a process manager passes on fd 0.
      noAddress:
        'serveSCGI: no address to listen on: give port, path or fd, or run with a listening socket on fd 0',
    });
    this.#host = {
      app,
      runOptions: { exposeErrors: options.exposeErrors === true },
      cgiOptions: { scriptName: options.scriptName },
      environ: checkConfigKeys(options.environ), // SRV-11: refused here, at setup
      maxHeaderSize: positiveOption('serveSCGI', 'maxHeaderSize', options.maxHeaderSize, 65536),
      maxBodySize: checkBodyLimit(options.maxBodySize),
      readTimeout: positiveOption('serveSCGI', 'readTimeout', options.readTimeout, 30_000),
      multiprocess: options.multiprocess === true,
      runs,
      log,
      connectionClosed: this.connectionClosed as (conn: object) => void,
    };
  }

  /** Each connection carries one request (ADP-SCGI-01). */
  protected connect(socket: Socket): ScgiConnection {
    return new ScgiConnection(socket, this.#host);
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
