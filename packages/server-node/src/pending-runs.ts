/**
 * Requests in flight until their `runApplication` promise settles (SRV-09, BODY-24). That
 * promise resolves once the response has ended and the body's completion hook has settled
 * (BODY-16), so a request whose response is out but whose `[Symbol.asyncDispose]()` is still
 * releasing counts as in flight, and graceful shutdown waits for it; when the shutdown timeout
 * passes, `GracefulShutdown` logs each one still pending.
 * @module
 */
import { completedSynchronously } from '@tsgi/core';

/**
 * The requests of one server whose `runApplication` promise has not settled.
 *
 * Kept in slots that are reused, not in a `Set`: the set lives as long as the server, and its
 * add/delete pairs reallocated its hash table every few requests, so each table reached the
 * old generation before it was replaced. In a 1 MiB POST echo that was 119 of the 273 bytes a
 * request left there, enough for a major GC every few seconds, each of which deoptimised the
 * request path (bench/old-generation.mjs; bench/README.md, "Old-generation garbage"). Once the
 * slots cover the peak number of requests in flight, tracking allocates only the promise
 * reaction and its callback.
 */
export class PendingRuns<R extends object> {
  /** The request in each slot, `undefined` for a free one. */
  readonly #slots: (R | undefined)[] = [];
  /** Free slot numbers, a stack of `#freeCount`; written in place, never shortened. */
  readonly #free: number[] = [];
  #freeCount = 0;
  #size = 0;
  readonly #describe: (request: R) => string;
  #onSettled: (() => void) | null = null;

  /** `describe` names a request in the shutdown log: method, target, what it waits for. */
  constructor(describe: (request: R) => string) {
    this.#describe = describe;
  }

  /** Requests still pending. */
  get size(): number {
    return this.#size;
  }

  /**
   * Counts `request` in flight until `run`, the promise `runApplication` returned for it,
   * settles. A request that completed synchronously (most small responses) is not tracked.
   */
  track(request: R, run: Promise<void>): void {
    if (completedSynchronously(run)) return;
    const slot = this.#freeCount > 0 ? this.#free[--this.#freeCount]! : this.#slots.length;
    this.#slots[slot] = request;
    this.#size++;
    const settled = (): void => {
      this.#slots[slot] = undefined;
      this.#free[this.#freeCount++] = slot;
      this.#size--;
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
    const lines: string[] = [];
    for (const request of this.#slots)
      if (request !== undefined) lines.push(this.#describe(request));
    return lines;
  }
}
