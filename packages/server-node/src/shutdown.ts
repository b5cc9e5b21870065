/**
 * Graceful shutdown (SRV-09), one mechanism for every Node.js adapter: stop accepting, let the
 * adapter refuse new work and close what is idle, wait for in-flight work up to a timeout, then
 * have the adapter abort what is left (its `tsgi.signal` aborts, its response is cut, its body
 * released) and close the rest.
 *
 * Event-driven: the adapter calls `settled()` each time a piece of in-flight work finishes, and
 * the wait ends on the call that leaves none, or on one timer. Nothing polls. (Before issue 17,
 * @tsgi/node counted requests and @tsgi/fastcgi polled its connections every 20 ms.)
 * @module
 */
import type { Server } from 'node:net';

/** Requests the shutdown waits for besides `pending()`: a `PendingRuns`. */
export interface PendingWork {
  readonly size: number;
  /** Registers the shutdown's `settled()`, called as each one settles. */
  onSettled(callback: () => void): void;
  /** One line per request still pending. */
  describe(): string[];
}

/** What an adapter tells the shutdown about its transport. */
export interface ShutdownTransport {
  /** The listener; closed first when it is listening. Its close callback is awaited last. */
  readonly server: Server;
  /** In-flight work still to finish: requests (@tsgi/node) or connections (@tsgi/fastcgi). */
  pending(): number;
  /** Called once, first: refuse new work, close idle connections. */
  drain(): void;
  /** The timeout passed with work in flight: abort it and destroy its connections. */
  abort(): void;
  /** Called once nothing is in flight (or after `abort`): close what is still open. */
  finish?(): void;
  /**
   * Requests whose `runApplication` promise has not settled: in flight as well, even once their
   * response is out, until the body's completion hook has settled (BODY-24).
   */
  readonly runs?: PendingWork;
  /** The server's own error log: each request still pending at the end is named there. */
  log?(text: string): void;
}

/** Default time in-flight requests get to finish, in ms (`shutdownTimeout`). */
export const DEFAULT_SHUTDOWN_TIMEOUT = 10_000;

/** After `abort()`, how long aborted work may take to settle before the rest is closed anyway. */
export const ABORT_GRACE = 1000;

/** The shutdown of one server. `close()` is idempotent: every call returns the same promise. */
export class GracefulShutdown {
  readonly #transport: ShutdownTransport;
  #wake: (() => void) | null = null;
  #closing: Promise<void> | undefined = undefined;

  constructor(transport: ShutdownTransport) {
    this.#transport = transport;
    transport.runs?.onSettled(() => this.settled());
  }

  /** True once `close()` was called. */
  get closing(): boolean {
    return this.#closing !== undefined;
  }

  /** The adapter calls this whenever a piece of in-flight work has finished. */
  settled(): void {
    if (this.#wake !== null && this.#pending() === 0) this.#wake();
  }

  #pending(): number {
    const t = this.#transport;
    return t.pending() + (t.runs?.size ?? 0);
  }

  /** Shuts down: in-flight work gets `timeout` ms (default 10 s) before it is aborted. */
  close(timeout: number = DEFAULT_SHUTDOWN_TIMEOUT): Promise<void> {
    this.#closing ??= this.#run(timeout);
    return this.#closing;
  }

  async #run(timeout: number): Promise<void> {
    const t = this.#transport;
    const server = t.server;
    // net.Server's close callback runs once its last connection has closed.
    const closed = server.listening
      ? new Promise<void>((resolve) => server.close(() => resolve()))
      : undefined;
    t.drain();
    if (!(await this.#idle(timeout))) {
      // With only completion hooks left (their responses are out), there is nothing to abort.
      const aborting = t.pending() > 0;
      t.abort();
      // BODY-24: the hooks of the bodies just released run now; then each request whose
      // application or completion hook is still pending is logged, and the shutdown completes.
      if (!(aborting ? await this.#idle(ABORT_GRACE) : this.#pending() === 0)) {
        for (const line of t.runs?.describe() ?? []) {
          t.log?.(`BODY-24: shutdown timed out after ${timeout} ms with ${line}\n`);
        }
      }
    }
    t.finish?.();
    await closed;
  }

  /** Resolves true once nothing is in flight, or false after `ms`. */
  #idle(ms: number): Promise<boolean> {
    if (this.#pending() === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const done = (idle: boolean): void => {
        clearTimeout(timer);
        this.#wake = null;
        resolve(idle);
      };
      const timer = setTimeout(() => done(false), ms);
      timer.unref();
      this.#wake = () => done(true);
    });
  }
}
