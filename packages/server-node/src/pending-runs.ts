/**
 * Requests in flight until their `runApplication` promise settles (SRV-09, BODY-24). That
 * promise resolves once the response has ended and the body's completion hook has settled
 * (BODY-16), so a request whose response is out but whose `[Symbol.asyncDispose]()` is still
 * releasing counts as in flight, and graceful shutdown waits for it; when the shutdown timeout
 * passes, `GracefulShutdown` logs each one still pending.
 * @module
 */
import { completedSynchronously } from '@tsgi/core';

/** The requests of one server whose `runApplication` promise has not settled. */
export class PendingRuns<R extends object> {
  readonly #pending = new Set<R>();
  readonly #describe: (request: R) => string;
  #onSettled: (() => void) | null = null;

  /** `describe` names a request in the shutdown log: method, target, what it waits for. */
  constructor(describe: (request: R) => string) {
    this.#describe = describe;
  }

  /** Requests still pending. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Counts `request` in flight until `run`, the promise `runApplication` returned for it,
   * settles. A request that completed synchronously (most small responses) is not tracked.
   */
  track(request: R, run: Promise<void>): void {
    if (completedSynchronously(run)) return;
    this.#pending.add(request);
    const settled = (): void => {
      this.#pending.delete(request);
      this.#onSettled?.();
    };
    run.then(settled, settled);
  }

  /** Called after each tracked request settles (the shutdown's `settled()`). */
  onSettled(callback: () => void): void {
    this.#onSettled = callback;
  }

  /** One line per pending request, for the shutdown log (BODY-24). */
  describe(): string[] {
    return [...this.#pending].map(this.#describe);
  }
}
