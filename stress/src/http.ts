/**
 * Raw HTTP/1.1 over loopback sockets for the stress tests, on the test kit's client
 * (`@tsgi/harness/http`: exact bytes out, exact bytes in, and whether the response was complete
 * by its own framing, so a truncated response is told apart from a whole one). Every operation
 * has a deadline.
 */
import { connect, type Socket } from 'node:net';
import { type Exchanged, type ExchangeOptions, exchange, request } from '@tsgi/harness/http';

export { type Exchanged as RawResponse, type ExchangeOptions, exchange };

/**
 * A GET with `Connection: close` whose first response bytes can be awaited: `started` resolves
 * true once any byte arrived (the server is handling it), false if the connection ended first.
 */
export function startGet(
  port: number,
  path: string,
  options: ExchangeOptions = {},
): { started: Promise<boolean>; done: Promise<Exchanged> } {
  let onStart!: (v: boolean) => void;
  const started = new Promise<boolean>((r) => {
    onStart = r;
  });
  const done = get(port, path, { ...options, onData: () => onStart(true) });
  void done.then(() => onStart(false));
  return { started, done };
}

/** A GET with `Connection: close`. */
export function get(port: number, path: string, options: ExchangeOptions = {}): Promise<Exchanged> {
  return request(port, { ...options, target: path, hostHeader: '127.0.0.1' });
}

/** How a client vanishes. */
export type VanishMode = 'destroy' | 'reset' | 'half-close';

/**
 * Requests `path`, waits until at least `minBytes` of the response arrived (mid-stream), then
 * vanishes: `destroy` (FIN and gone), `reset` (RST), or `half-close` (FIN, then gone a tick
 * later). Resolves with the bytes received; `received` is 0 when nothing came in `timeout` ms.
 */
export function vanishMidStream(
  port: number,
  path: string,
  mode: VanishMode,
  minBytes = 1,
  timeout = 10_000,
): Promise<{ received: number; ok: boolean }> {
  return new Promise((resolve) => {
    const s: Socket = connect({ port, host: '127.0.0.1' });
    let received = 0;
    let done = false;
    const finish = (ok: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (mode === 'reset' && !s.destroyed) s.resetAndDestroy();
      else if (mode === 'half-close' && !s.destroyed) {
        s.end();
        setImmediate(() => s.destroy());
      } else s.destroy();
      resolve({ received, ok });
    };
    const timer = setTimeout(() => finish(false), timeout);
    s.on('connect', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    });
    s.on('data', (d: Buffer) => {
      received += d.length;
      if (received >= minBytes) finish(true);
    });
    s.on('error', () => finish(false));
    s.on('close', () => finish(false));
  });
}

/** Runs `count` tasks with at most `concurrency` at a time; resolves when all settled. */
export async function pool<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}
