/**
 * Applications that reuse their chunk memory as BODY-17 allows, for every transport's BODY-19
 * tests: whatever a server still references after the chunk's holding period ends is
 * overwritten by the next chunk's bytes (or by the completion hook), so a transport that keeps a
 * reference sends the wrong bytes. Chunk `i` starts with `i` (32-bit little-endian) followed by
 * pseudo-random bytes seeded by `i`, so no two chunks of a body are alike.
 *
 * The case travels in the `X-Reuse` request header (`reuseHeader`), so one app (`reuseRouter`)
 * serves every case, in process or in a CGI child process. Slow readers to test them with are in
 * slow-peer.ts (exported here too).
 * @module
 */
import type { Application, ResponseHeader } from '@tsgi/core';
import { parseResponse, request } from './http.js';
import { readSlowly } from './slow-peer.js';

export * from './slow-peer.js';

/**
 * How the app produces its body, always from one buffer it refills:
 * - `sync`: a synchronous generator yields the buffer, refilled before each yield;
 * - `async`: the same as an async generator;
 * - `write`: `await write(buffer)` per chunk, refilled after each await, then an empty body;
 * - `array`: an Array of views of one buffer (every chunk exists before the first is sent), whose
 *   completion hook overwrites that buffer (BODY-17: the Array is held until the hook).
 */
export type ReuseMode = 'sync' | 'async' | 'write' | 'array';

/** Every `ReuseMode`. */
export const REUSE_MODES: readonly ReuseMode[] = ['sync', 'async', 'write', 'array'];

/** One response: `count` chunks of `size` bytes. */
export interface ReuseCase {
  mode: ReuseMode;
  size: number;
  count: number;
  /** The app declares `content-length` (else the transport delimits the body). */
  length?: boolean;
}

/** Counts the chunks an app has produced so far (a slow reader shows it held the app back). */
export interface ReuseProgress {
  produced: number;
}

/** The chunk sizes every transport is tested with, from 4 bytes to 100 KB. */
export const REUSE_SIZES: readonly number[] = [4, 1000, 4096, 16384, 65536, 100000];

/** A chunk count giving about `bytes` of body for chunks of `size` (at least `min`). */
export function reuseCount(size: number, bytes: number, min = 4): number {
  return Math.max(min, Math.ceil(bytes / size));
}

/**
 * Every mode at every `REUSE_SIZES` size, each with `reuseCount(size, bytes, min)` chunks, at
 * most `max` (so 4-byte chunks stay a bounded number of writes).
 */
export function reuseCases(
  bytes: number,
  options: { min?: number; max?: number } = {},
): ReuseCase[] {
  const max = options.max ?? Number.POSITIVE_INFINITY;
  return REUSE_MODES.flatMap((mode) =>
    REUSE_SIZES.map((size) => ({
      mode,
      size,
      count: Math.min(max, reuseCount(size, bytes, options.min)),
    })),
  );
}

/** Fills `buf` with chunk `i`'s bytes. */
export function fillChunk(buf: Uint8Array, i: number): void {
  let x = (Math.imul(i + 1, 0x9e3779b1) ^ 0x5bd1e995) | 0 || 1;
  for (let j = 0; j < buf.length; j++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf[j] = j < 4 ? (i >>> (8 * j)) & 0xff : x & 0xff;
  }
}

/** The body a correct transport delivers for `c`. */
export function reuseBody(c: ReuseCase): Uint8Array {
  const all = new Uint8Array(c.size * c.count);
  for (let i = 0; i < c.count; i++) fillChunk(all.subarray(i * c.size, (i + 1) * c.size), i);
  return all;
}

/** `'ok'` when `received` is exactly `c`'s body, else what differs (for the assertion message). */
export function reuseVerdict(received: Uint8Array, c: ReuseCase): string {
  const want = reuseBody(c);
  const bad: number[] = [];
  for (let i = 0; i < c.count; i++) {
    const a = received.subarray(i * c.size, (i + 1) * c.size);
    const b = want.subarray(i * c.size, (i + 1) * c.size);
    if (!_same(a, b)) bad.push(i);
  }
  if (bad.length === 0 && received.length === want.length) return 'ok';
  const first = bad[0];
  const seen = first === undefined ? '' : received.subarray(first * c.size, first * c.size + 4);
  return (
    `${reuseHeader(c)}: got ${received.length} of ${want.length} bytes; ` +
    `${bad.length} of ${c.count} chunks differ` +
    (first === undefined ? '' : `, first chunk ${first} starts with [${[...seen].join(',')}]`)
  );
}

function _same(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** The `X-Reuse` header value for `c`: `mode:size:count` plus `:length`. */
export function reuseHeader(c: ReuseCase): string {
  return `${c.mode}:${c.size}:${c.count}${c.length === true ? ':length' : ''}`;
}

/** Parses an `X-Reuse` value; undefined when malformed. */
export function parseReuseHeader(value: string | undefined): ReuseCase | undefined {
  const m = /^(sync|async|write|array):(\d+):(\d+)(:length)?$/.exec(value ?? '');
  if (m === null) return undefined;
  return { mode: m[1] as ReuseMode, size: Number(m[2]), count: Number(m[3]), length: !!m[4] };
}

/** The app for one case. `progress.produced` counts the chunks produced so far. */
export function reuseApp(c: ReuseCase, progress: ReuseProgress = { produced: 0 }): Application {
  const headers: ResponseHeader[] = [['content-type', 'application/octet-stream']];
  if (c.length === true) headers.push(['content-length', String(c.size * c.count)]);
  const { size, count } = c;
  switch (c.mode) {
    case 'sync':
      return (_environ, startResponse) => {
        startResponse('200 OK', headers);
        progress.produced = 0;
        const buf = new Uint8Array(size);
        return (function* () {
          for (let i = 0; i < count; i++) {
            fillChunk(buf, i);
            progress.produced++;
            yield buf;
          }
        })();
      };
    case 'async':
      return (_environ, startResponse) => {
        startResponse('200 OK', headers);
        progress.produced = 0;
        const buf = new Uint8Array(size);
        return (async function* () {
          for (let i = 0; i < count; i++) {
            fillChunk(buf, i);
            progress.produced++;
            yield buf;
          }
        })();
      };
    case 'write':
      return async (_environ, startResponse) => {
        const write = startResponse('200 OK', headers);
        progress.produced = 0;
        const buf = new Uint8Array(size);
        for (let i = 0; i < count; i++) {
          fillChunk(buf, i);
          progress.produced++;
          await write(buf);
        }
        return [];
      };
    case 'array':
      return (_environ, startResponse) => {
        startResponse('200 OK', headers);
        const backing = new Uint8Array(size * count);
        const chunks: Uint8Array[] = [];
        for (let i = 0; i < count; i++) {
          const view = backing.subarray(i * size, (i + 1) * size);
          fillChunk(view, i);
          chunks.push(view);
        }
        progress.produced = count;
        // BODY-17: the chunks are the app's again once the completion hook is called.
        return Object.assign(chunks, { close: () => void backing.fill(0xee) });
      };
  }
}

/**
 * One app for every case, chosen by the request's `X-Reuse` header (`HTTP_X_REUSE`);
 * `progress` (optional) counts the chunks of the request being served.
 */
export function reuseRouter(progress?: ReuseProgress): Application {
  return (environ, startResponse) => {
    const c = parseReuseHeader(environ.HTTP_X_REUSE);
    if (c === undefined) {
      startResponse('400 Bad Request', [['content-type', 'text/plain']]);
      return [new TextEncoder().encode('X-Reuse: mode:size:count[:length]\n')];
    }
    return reuseApp(c, progress)(environ, startResponse);
  };
}

/** Where `reuseThroughFrontEnd` sends its requests: request-targets served by `reuseRouter`. */
export interface FrontEndTargets {
  /** For the client that reads at once. */
  fast: string;
  /** For the slow reader (say, a location without response buffering). Default `fast`. */
  slow?: string;
}

/**
 * BODY-17 / BODY-19 through a front end (nginx, lighttpd, ...) on 127.0.0.1:`port` in front of
 * `reuseRouter`: every mode at every size to a client that reads at once, then 8 MB per mode
 * (more than loopback TCP buffers) to one that reads slowly. Resolves with what went wrong, one
 * line per case; empty when every body arrived whole with the bytes the app yielded.
 */
export async function reuseThroughFrontEnd(
  port: number,
  targets: FrontEndTargets,
): Promise<string[]> {
  const wrong: string[] = [];
  const check = (c: ReuseCase, res: ReturnType<typeof parseResponse>): void => {
    const verdict =
      res.status === 200 && res.complete
        ? reuseVerdict(res.body, c)
        : `status ${res.status}, complete ${res.complete}`;
    if (verdict !== 'ok') wrong.push(`${c.mode} ${c.count} x ${c.size}: ${verdict}`);
  };
  for (const c of reuseCases(128 * 1024, { min: 8 })) {
    const headers = [['X-Reuse', reuseHeader(c)]] as const;
    check(c, await request(port, { target: targets.fast, headers, timeout: 20_000 }));
  }
  for (const mode of REUSE_MODES) {
    const c = { mode, size: 100_000, count: 80 };
    const slow = `GET ${targets.slow ?? targets.fast} HTTP/1.1\r\nHost: x\r\nX-Reuse: ${reuseHeader(c)}\r\nConnection: close\r\n\r\n`;
    check(c, parseResponse(await readSlowly({ port }, slow)));
  }
  return wrong;
}
