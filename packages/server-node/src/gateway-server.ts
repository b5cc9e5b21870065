/**
 * The server half that `@tsgi/fastcgi` and `@tsgi/scgi` share: a `net.Server` whose connections
 * come from a web server, admitted up to a limit, listened for through `GatewayLifecycle`, and
 * shut down through the shared `GracefulShutdown` (SRV-09). A subclass says only what a
 * connection of its protocol is, and what it refuses beyond the limit (FastCGI:
 * FCGI_WEB_SERVER_ADDRS). The two were copies before, and had drifted: the SCGI listener logged
 * an address already in use as well as rejecting `listen()` with it.
 * @module
 */
import { createServer, type Server, type ServerOpts, type Socket } from 'node:net';
import { GatewayLifecycle, type GatewayServerOptions, type InFlightRequest } from './gateway.js';
import type { ListenAddress } from './listen.js';
import type { PendingRuns } from './pending-runs.js';
import { GracefulShutdown } from './shutdown.js';

/** A connection as its gateway server manages it. */
export interface GatewayConnection {
  readonly socket: Socket;
  /** Shutdown: close once the connection's requests have finished, at once when idle. */
  drain(): void;
}

/** What a gateway server is, beyond its options. */
export interface GatewaySetup {
  /** Names the server in log lines: `tsgi fastcgi`. */
  readonly label: string;
  /** Most connections open at once; more are closed at once. */
  readonly maxConns: number;
  /** Requests whose completion hook (or application) has not settled (BODY-24). */
  readonly runs: PendingRuns<InFlightRequest>;
  log(text: string): void;
  /** `net.createServer` options. */
  readonly net: ServerOpts;
  /** The error when the options name no address and fd 0 is no listening socket. */
  readonly noAddress: string;
}

/** Writes a log line to stderr: the default `errors` of a gateway server. */
export function logToStderr(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
}

/** A gateway protocol server (FastCGI, SCGI) over `node:net`. */
export abstract class GatewayServer<Conn extends GatewayConnection> {
  /** The underlying `net.Server`. */
  readonly server: Server;
  readonly #setup: GatewaySetup;
  readonly #connections = new Set<Conn>();
  readonly #shutdown: GracefulShutdown;
  readonly #lifecycle: GatewayLifecycle;
  #address: ListenAddress | undefined = undefined;
  #draining = false;

  constructor(options: GatewayServerOptions & { fd?: number }, setup: GatewaySetup) {
    this.#setup = setup;
    this.server = createServer(setup.net, (socket) => this.handle(socket));
    // An error while listen() is pending rejects listen() and its caller reports it, once;
    // later errors (EMFILE on accept, say) are logged.
    this.server.on('error', (err) => {
      if (this.#address !== undefined) setup.log(`${setup.label}: listener error: ${err.message}`);
    });
    const connections = this.#connections;
    this.#shutdown = new GracefulShutdown({
      server: this.server,
      // In flight are connections: a drained one closes once its last request has finished.
      // Sockets given to handle() count too, so a server that never listened shuts down alike.
      pending: () => connections.size,
      runs: setup.runs,
      log: setup.log,
      drain: () => {
        this.#draining = true;
        this.draining();
        for (const c of [...connections]) c.drain();
      },
      abort: () => {
        for (const c of [...connections]) this.abortConnection(c);
      },
    });
    this.#lifecycle = new GatewayLifecycle(this.server, this.#shutdown, options, setup.noAddress);
  }

  /** Where the server listens, once `listen()` has resolved. */
  get address(): ListenAddress | undefined {
    return this.#address;
  }

  /** Open connections. */
  get connections(): number {
    return this.#connections.size;
  }

  /**
   * Serves an already-connected socket (the listener calls this for each connection). While
   * shutting down, beyond `maxConns`, or when `refusal` names a reason, it is closed at once.
   */
  handle(socket: Socket): void {
    if (this.#draining) {
      socket.destroy();
      return;
    }
    const setup = this.#setup;
    const refused = this.refusal(socket);
    if (refused !== undefined) {
      setup.log(`${setup.label}: refused a connection ${refused}`);
      socket.destroy();
      return;
    }
    if (this.#connections.size >= setup.maxConns) {
      setup.log(
        `${setup.label}: refused a connection: ${setup.maxConns} connections open (maxConns)`,
      );
      socket.destroy();
      return;
    }
    this.#connections.add(this.connect(socket));
  }

  /** Starts listening on the configured address and resolves where. */
  async listen(): Promise<ListenAddress> {
    this.#address = await this.#lifecycle.listen();
    return this.#address;
  }

  /** The shared graceful shutdown (SRV-09), `timeout` defaulting to `shutdownTimeout`. */
  close(options: { timeout?: number } = {}): Promise<void> {
    return this.#lifecycle.close(options.timeout);
  }

  /** The connection has closed: the server forgets it (a connection calls this once). */
  protected readonly connectionClosed = (conn: Conn): void => {
    this.#connections.delete(conn);
    this.#shutdown.settled();
  };

  /** The open connections, for a subclass's periodic work (timeouts). */
  protected openConnections(): Iterable<Conn> {
    return this.#connections;
  }

  /** A new connection of the protocol on `socket`. */
  protected abstract connect(socket: Socket): Conn;

  /** Why `socket` is refused before the limit is checked (" from 10.0.0.1 (...)"), if it is. */
  protected refusal(_socket: Socket): string | undefined {
    return undefined;
  }

  /** The shutdown has begun: called before each connection is told to drain. */
  protected draining(): void {}

  /** The shutdown is out of time: end the connection now. */
  protected abortConnection(conn: Conn): void {
    conn.socket.destroy();
  }
}
