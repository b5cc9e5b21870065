/**
 * What the servers a web server talks to over a gateway protocol (`@tsgi/fastcgi`, `@tsgi/scgi`)
 * share beyond listening itself: the address rule (the options' address, else a listening socket
 * inherited on fd 0), installing the shutdown signals once listening, `close()` with the
 * `shutdownTimeout` default, and how a request still pending at the end of a shutdown is logged
 * (BODY-24).
 * @module
 */
import type { Server } from 'node:net';
import {
  isInheritedSocket,
  type ListenAddress,
  type ListenOptions,
  listen,
  listenTarget,
} from './listen.js';
import type { LifecycleOptions } from './options.js';
import { DEFAULT_SHUTDOWN_TIMEOUT, type GracefulShutdown } from './shutdown.js';
import { handleShutdownSignals, signalsOption } from './signals.js';

/**
 * The options every gateway server (`serveFastCGI`, `serveSCGI`) takes with the same meaning;
 * each adds its own (`fd`, `scriptName`, `errors`, limits) with what its protocol makes of them.
 */
export interface GatewayServerOptions extends LifecycleOptions {
  /** TCP port to listen on (0 picks a free one). */
  port?: number;
  /** TCP address to listen on with `port`, IPv4 or IPv6. Default `127.0.0.1`. */
  host?: string;
  /**
   * Unix socket path to listen on. A stale socket file (nothing answers on it) is replaced; one
   * a running server answers on fails with EADDRINUSE.
   */
  path?: string;
  /**
   * Extra environ keys for every request (SRV-03), e.g. `{ 'myapp.config': config }`, checked
   * once at setup by core's `checkConfigKeys`: a key naming request data (`HTTP_*`, a CGI
   * variable of the request, `tsgi.*`) throws a `TypeError` naming it (SRV-11). A variable the
   * front end sent keeps its value.
   */
  environ?: Readonly<Record<string, unknown>>;
  /** Put the error's stack in 500 bodies (development only; ERR-02). Default false. */
  exposeErrors?: boolean;
  /**
   * Largest request body accepted, in bytes (IN-08, SRV-05). A larger `CONTENT_LENGTH` is
   * answered `413` by core without invoking the application; a body streamed without a length
   * that grows past it fails `tsgi.input` with `InputTooLargeError`. Default: no limit (the web
   * server's own limit, such as nginx `client_max_body_size`, applies first).
   */
  maxBodySize?: number;
  /** Value of `tsgi.multiprocess` (true when several worker processes serve the application). */
  multiprocess?: boolean;
}

/** A request as a shutdown log names it (BODY-24). */
export interface InFlightRequest {
  /** `METHOD REQUEST_URI`, or a placeholder before the request line is known. */
  readonly target: string;
  /** The engine has ended the response: what is pending is the body's completion hook. */
  readonly responseEnded: boolean;
}

/**
 * `InFlightRequest.target` of a gateway request: `METHOD REQUEST_URI` from its environ, or a
 * placeholder before the front end's variables made one.
 */
export function inFlightTarget(environ: Readonly<Record<string, unknown>> | null): string {
  if (environ === null) return '(no request yet)';
  return `${String(environ.REQUEST_METHOD)} ${String(environ.REQUEST_URI)}`;
}

/** `<label> (<target>) still waiting for <what>`: one line of the shutdown log (BODY-24). */
export function describeInFlight(label: string, request: InFlightRequest): string {
  const waiting = request.responseEnded
    ? 'the completion hook of its response body'
    : 'its application, which has not ended its response';
  return `${label} (${request.target}) still waiting for ${waiting}`;
}

/** `listen()` and `close()` of a gateway server, over its `net.Server` and its shutdown. */
export class GatewayLifecycle {
  readonly #server: Server;
  readonly #shutdown: GracefulShutdown;
  readonly #options: ListenOptions & LifecycleOptions;
  readonly #noAddress: string;
  #uninstallSignals: () => void = () => {};

  /**
   * `noAddress` is the error message when the options name no address and fd 0 is not a socket
   * (ADP-FCGI-17, ADP-SCGI-01: an application a web server spawns finds its listener there).
   */
  constructor(
    server: Server,
    shutdown: GracefulShutdown,
    options: ListenOptions & LifecycleOptions,
    noAddress: string,
  ) {
    this.#server = server;
    this.#shutdown = shutdown;
    this.#options = options;
    this.#noAddress = noAddress;
  }

  /** Listens where the options say, else on fd 0; then installs the `signals` handlers. */
  async listen(): Promise<ListenAddress> {
    const target = listenTarget(this.#options, () => {
      if (!isInheritedSocket(0)) throw new Error(this.#noAddress);
      return { kind: 'fd', fd: 0 };
    });
    const address = await listen(this.#server, target);
    const signals = signalsOption(this.#options.signals);
    if (signals.length > 0)
      this.#uninstallSignals = handleShutdownSignals(() => this.close(), { signals });
    return address;
  }

  /** The shared graceful shutdown (SRV-09), `timeout` defaulting to `shutdownTimeout`. Idempotent. */
  close(timeout?: number): Promise<void> {
    const closing = this.#shutdown.close(
      timeout ?? this.#options.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT,
    );
    closing.then(this.#uninstallSignals, this.#uninstallSignals);
    return closing;
  }
}
