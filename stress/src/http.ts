/**
 * Raw HTTP/1.1 over loopback sockets: exact bytes out, exact bytes in, and whether the response
 * was complete by its own framing (so a truncated response is told apart from a whole one).
 * Every operation has a deadline.
 */
import { connect, type Socket } from 'node:net';

/** A parsed response. */
export interface RawResponse {
  /** 0 when the connection closed (or timed out) before a status line. */
  status: number;
  headers: Array<[string, string]>;
  /** The header block as received (latin-1), for "nothing injected" checks. */
  head: string;
  body: Buffer;
  /** Framing satisfied: all content-length bytes, or the last chunk of a chunked body. */
  complete: boolean;
  /** The connection ended by a reset or error rather than a clean FIN. */
  reset: boolean;
  /** The deadline passed before the connection closed. */
  timedOut: boolean;
  /** Everything received. */
  raw: Buffer;
  header(name: string): string | undefined;
}

/** Parses what a server sent on a connection that carried one response. */
export function parseResponse(raw: Buffer, reset = false, timedOut = false): RawResponse {
  const end = raw.indexOf('\r\n\r\n');
  const base = { raw, reset, timedOut };
  if (end < 0) {
    return {
      ...base,
      status: 0,
      headers: [],
      head: raw.toString('latin1'),
      body: Buffer.alloc(0),
      complete: false,
      header: () => undefined,
    };
  }
  const head = raw.subarray(0, end).toString('latin1');
  const lines = head.split('\r\n');
  const status = Number(lines[0]?.split(' ')[1] ?? 0);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]);
  }
  const get = (n: string): string | undefined => headers.find(([k]) => k === n.toLowerCase())?.[1];
  const rest = raw.subarray(end + 4);
  let body = rest;
  let complete: boolean;
  const te = get('transfer-encoding');
  const cl = get('content-length');
  if (status === 204 || status === 304) complete = true;
  else if (te !== undefined && /chunked/i.test(te)) {
    const parts: Buffer[] = [];
    let i = 0;
    complete = false;
    for (;;) {
      const nl = rest.indexOf('\r\n', i);
      if (nl < 0) break;
      const size = Number.parseInt(rest.subarray(i, nl).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        complete = rest.indexOf('\r\n', nl + 2) >= 0;
        break;
      }
      if (nl + 2 + size + 2 > rest.length) {
        parts.push(rest.subarray(nl + 2));
        break;
      }
      parts.push(rest.subarray(nl + 2, nl + 2 + size));
      i = nl + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else if (cl !== undefined) {
    complete = rest.length >= Number(cl);
    body = rest.subarray(0, Number(cl));
  } else {
    complete = !reset; // close-delimited: only a clean close ends it
  }
  return { ...base, status, headers, head, body, complete, header: get };
}

/** Options for `exchange`. */
export interface ExchangeOptions {
  /** Give up (and destroy the socket) after this many ms. Default 10 000. */
  timeout?: number;
  /** Half-close after writing (default false: the request says `Connection: close`). */
  end?: boolean;
  host?: string;
}

/**
 * Sends `request` bytes on a new connection and collects everything until the server closes.
 * The request should carry `Connection: close` (or be one the server closes after).
 */
export function exchange(
  port: number,
  request: string | Uint8Array,
  options: ExchangeOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve) => {
    const s = connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let reset = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      s.destroy();
    }, options.timeout ?? 10_000);
    s.on('connect', () => {
      s.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
      if (options.end === true) s.end();
    });
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {
      reset = true;
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponse(Buffer.concat(chunks), reset, timedOut));
    });
  });
}

/**
 * A GET with `Connection: close` whose first response bytes can be awaited: `started` resolves
 * true once any byte arrived (the server is handling it), false if the connection ended first.
 */
export function startGet(
  port: number,
  path: string,
  options: ExchangeOptions = {},
): { started: Promise<boolean>; done: Promise<RawResponse> } {
  let onStart!: (v: boolean) => void;
  const started = new Promise<boolean>((r) => {
    onStart = r;
  });
  const done = new Promise<RawResponse>((resolve) => {
    const s = connect({ port, host: options.host ?? '127.0.0.1' });
    const chunks: Buffer[] = [];
    let reset = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      s.destroy();
    }, options.timeout ?? 10_000);
    s.on('connect', () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    });
    s.on('data', (d: Buffer) => {
      chunks.push(d);
      onStart(true);
    });
    s.on('error', () => {
      reset = true;
    });
    s.on('close', () => {
      clearTimeout(timer);
      onStart(false);
      resolve(parseResponse(Buffer.concat(chunks), reset, timedOut));
    });
  });
  return { started, done };
}

/** A GET with `Connection: close`. */
export function get(
  port: number,
  path: string,
  options: ExchangeOptions = {},
): Promise<RawResponse> {
  return exchange(
    port,
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
    options,
  );
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
