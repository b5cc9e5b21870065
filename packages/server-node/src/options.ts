/**
 * The lifecycle options every Node.js adapter takes with the same names and meaning, so
 * `serve(app, ...)` and `serveFastCGI(app, ...)` read alike (SRV-01: documented once, here).
 * @module
 */
import type { UnixSocketOptions } from './unix-socket.js';

/** Options of the shared server lifecycle, extended by each adapter's own options. */
export interface LifecycleOptions extends UnixSocketOptions {
  /**
   * Listen on a socket inherited on this file descriptor instead of binding an address (a web
   * server's FCGI_LISTENSOCK_FILENO, systemd socket activation).
   */
  fd?: number;
  /**
   * Default for `close()`: how long in-flight requests may take to finish before their
   * `tsgi.signal` is aborted and their connections destroyed (SRV-09). Default 10 000 ms.
   */
  shutdownTimeout?: number;
  /**
   * Install SIGTERM and SIGINT handlers (or those listed) that shut down gracefully and then
   * exit the process with code 0; a second signal exits at once with 128 + its number (130 for
   * SIGINT, 143 for SIGTERM). Default false; the `tsgi` CLI handles signals itself the same way.
   */
  signals?: boolean | readonly NodeJS.Signals[];
}

/**
 * A positive integer option (a count, a size in bytes, milliseconds), or `fallback` when unset.
 * Throws a RangeError naming the adapter and the option, so a bad value fails at setup.
 */
export function positiveOption(
  owner: string,
  name: string,
  value: number | undefined,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new RangeError(`${owner}: ${name} must be a positive integer, got ${String(value)}`);
  return value;
}
