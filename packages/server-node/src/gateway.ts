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

/** A request as a shutdown log names it (BODY-24). */
export interface InFlightRequest {
  /** `METHOD REQUEST_URI`, or a placeholder before the request line is known. */
  readonly target: string;
  /** The engine has ended the response: what is pending is the body's completion hook. */
  readonly responseEnded: boolean;
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
