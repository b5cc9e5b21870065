/**
 * Leak checks on a server child: wait until the application's bodies are all released and the
 * descriptors are back to the baseline, then compare heap (after GC) and RSS with tolerances.
 *
 * Tolerances (documented in stress/README.md): descriptors must return exactly to the
 * baseline (within 15 s: closed sockets are released asynchronously); heap used after three
 * GCs may grow by at most 6 MiB over the baseline; RSS may grow by at most 48 MiB between the
 * two halves of the main round (the allocator keeps freed pages and V8 grows its semi-spaces
 * under load, so RSS first climbs to a high-water mark and then stays: only growth after it
 * means a leak). The baseline is taken after a warm-up round of the same workload, so JIT code
 * and pools are in it; a real leak of even 1 KiB per request shows as 10 MiB of heap over the
 * full profile's 10,000 disconnects.
 */
import { expect } from 'vitest';
import type { ChildStats, ServerChild } from './child.js';
import { waitFor } from './child.js';

export const HEAP_TOLERANCE = 6 * 1024 * 1024;
export const RSS_TOLERANCE = 48 * 1024 * 1024;

/** Waits until every tracked body was released, every watched signal aborted, fds settled. */
export async function settle(
  srv: ServerChild,
  baselineFds: number,
  timeout = 15_000,
): Promise<ChildStats> {
  let last!: ChildStats;
  await waitFor(
    async () => {
      last = await srv.stats();
      const c = last.counters;
      return (
        c.released === c.bodies &&
        c.signalAborted >= c.watched &&
        last.fds <= baselineFds &&
        (last.activeRequests ?? 0) === 0
      );
    },
    timeout,
    200,
  );
  return last;
}

/** Heap and RSS growth between two measurements, in MiB (for the report line). */
export function growth(before: ChildStats, after: ChildStats): { heapMiB: number; rssMiB: number } {
  const mib = (n: number): number => Math.round((n / 1048576) * 100) / 100;
  return { heapMiB: mib(after.heapUsed - before.heapUsed), rssMiB: mib(after.rss - before.rss) };
}

/** ERR-07: the child had no unhandled rejection and no uncaught exception (its last errors say why). */
export function expectNoStrayErrors(s: ChildStats): void {
  expect(s.unhandledRejections, s.lastErrors.join('\n')).toBe(0);
  expect(s.uncaughtExceptions, s.lastErrors.join('\n')).toBe(0);
}

/** For `afterAll`: `expectNoStrayErrors` on the child's last stats, then stops it. */
export async function closeChecked(srv: ServerChild | undefined): Promise<void> {
  const s = await srv?.stats();
  if (s !== undefined) expectNoStrayErrors(s);
  await srv?.close();
}
