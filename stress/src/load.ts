/** Steady load: a fixed number of clients in a loop for a bounded time, every request recorded. */
import { connect } from 'node:net';
import { get } from './http.js';

/** One request of a load run. */
export interface LoadSample {
  start: number;
  end: number;
  ok: boolean;
  status: number;
  pid: string | undefined;
  why: string;
  path: string;
}

/**
 * Runs `concurrency` retry-free clients, each sending `GET path` with `Connection: close` on a
 * new connection, back to back, until `durationMs` has passed (and never more than `maxRequests`
 * in all). A request fails when it does not end in a complete 200.
 */
export async function steadyLoad(
  port: number,
  path: string,
  concurrency: number,
  durationMs: number,
  maxRequests = 1_000_000,
  requestTimeout = 5000,
): Promise<LoadSample[]> {
  const samples: LoadSample[] = [];
  const stopAt = Date.now() + durationMs;
  const client = async (): Promise<void> => {
    while (Date.now() < stopAt && samples.length < maxRequests) {
      const start = Date.now();
      const res = await get(port, path, { timeout: requestTimeout });
      const ok = res.status === 200 && res.complete;
      samples.push({
        start,
        end: Date.now(),
        ok,
        status: res.status,
        pid: res.header('x-pid'),
        path,
        why: ok
          ? ''
          : res.timedOut
            ? 'timeout'
            : res.status === 0
              ? res.reset
                ? 'reset'
                : 'closed'
              : `status ${res.status}`,
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return samples;
}

/** Resolves true when a TCP connection to the port is refused (or reset) within 2 s. */
export function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' });
    const t = setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 2000);
    s.on('connect', () => {
      clearTimeout(t);
      s.destroy();
      resolve(false);
    });
    s.on('error', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** Summarises failures by cause, e.g. `reset:2,status 502:1`. */
export function failureSummary(samples: readonly LoadSample[]): string {
  const by: Record<string, number> = {};
  for (const s of samples)
    if (!s.ok) by[`${s.path} ${s.why}`] = (by[`${s.path} ${s.why}`] ?? 0) + 1;
  return Object.entries(by)
    .map(([k, v]) => `${k}:${v}`)
    .join(',');
}
