// What every benchmark server serves, so each subject sends the same bytes. A server process
// serves one workload, named by its first argument, on every path (no routing cost anywhere):
//   hello   200, text/plain, "Hello, World!" (13 bytes)
//   stream  200, application/octet-stream, 64 KiB written as 16 chunks of 4 KiB (no length)
//   echo    200, application/octet-stream, the request body streamed back (no length)
//   big     200, application/octet-stream, BENCH_BIG_BYTES streamed in 64 KiB chunks
// It listens on 127.0.0.1, port $PORT (0 = any free one), or on the Unix socket $SOCKET when
// set (the FastCGI backends), prints one JSON line {"ready":true,...} on stdout once listening, and exits cleanly on SIGTERM/SIGINT (so `node --cpu-prof` writes
// its profile).

export const HELLO = new TextEncoder().encode('Hello, World!');
export const CHUNK = new Uint8Array(4096).fill(0x61);
export const CHUNKS = 16;
export const BIG_CHUNK = new Uint8Array(65536).fill(0x62);
export const BIG_BYTES = Number(process.env.BENCH_BIG_BYTES ?? 1024 * 1024 * 1024);

export const workload = process.argv[2] ?? 'hello';
export const port = Number(process.env.PORT ?? 0);
export const host = '127.0.0.1';
/** A Unix socket path to listen on instead of TCP (FastCGI backends behind nginx). */
export const socketPath = process.env.SOCKET || undefined;
/** What to pass to net/http `listen()`. */
export const listenOptions = socketPath !== undefined ? { path: socketPath } : { host, port };

const WORKLOADS = ['hello', 'stream', 'echo', 'big'];
if (!WORKLOADS.includes(workload)) {
  console.error(`unknown workload ${workload}; one of ${WORKLOADS.join(', ')}`);
  process.exit(2);
}

/** The 64 KiB body as 16 chunks, one at a time. */
export function* chunks() {
  for (let i = 0; i < CHUNKS; i++) yield CHUNK;
}

/** BENCH_BIG_BYTES in 64 KiB chunks (the last one shorter when needed). */
export function* bigChunks() {
  let left = BIG_BYTES;
  while (left > 0) {
    const n = Math.min(left, BIG_CHUNK.length);
    yield n === BIG_CHUNK.length ? BIG_CHUNK : BIG_CHUNK.subarray(0, n);
    left -= n;
  }
}

/** The same bodies as web ReadableStreams, for the fetch-style servers (srvx, Hono). */
export function webStream(iterable) {
  const it = iterable[Symbol.iterator]();
  return new ReadableStream({
    pull(controller) {
      const next = it.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

/** Announces the address to the orchestrator and arranges a clean exit on signals. */
export function ready(actualPort) {
  const exit = () => process.exit(0);
  process.on('SIGTERM', exit);
  process.on('SIGINT', exit);
  // The memory scenario (node --expose-gc, BENCH_HEAP=1): SIGUSR2 collects garbage and reports
  // the live heap, which tells a leak from V8 merely growing its heap capacity.
  if (process.env.BENCH_HEAP === '1' && typeof globalThis.gc === 'function') {
    process.on('SIGUSR2', () => {
      globalThis.gc();
      globalThis.gc();
      const m = process.memoryUsage();
      process.stdout.write(
        `${JSON.stringify({ heap: true, heap_used: m.heapUsed, heap_total: m.heapTotal })}\n`,
      );
    });
  }
  const address = socketPath !== undefined ? { path: socketPath } : { port: actualPort };
  process.stdout.write(`${JSON.stringify({ ready: true, ...address, pid: process.pid })}\n`);
}
