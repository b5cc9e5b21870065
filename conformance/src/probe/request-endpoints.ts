/**
 * Probe endpoints about the request: environ (ENV-*), the body (IN-*), the errors stream
 * (ERRS-*).
 */
import { createHash } from 'node:crypto';
import {
  describeError,
  type Endpoint,
  int,
  json,
  note,
  type ProbeContext,
  text,
} from './context.js';
import { snapshotEnviron } from './store.js';

/** `GET /__tsgi/env`: environ as JSON (the observation has it too). */
export const env: Endpoint = (ctx) => {
  // Snapshot the server's environ: the lint's copy carries its own wrappers.
  const server = ctx.record?.environ ?? ctx.environ;
  return json(ctx, snapshotEnviron(server as unknown as Record<string, unknown>));
};

/**
 * `POST /__tsgi/echo?mode=...`: reads the body and answers its length and SHA-256.
 * Modes: `read` (read() to EOF, the default), `iter` (for await), `max` (read(`max`) until
 * EOF), `cancel` (read `after` bytes, then cancel(), then read once more: `readAfterCancel`),
 * `none` (never read; answer `status`).
 * `delay=MS` waits before the first read.
 * After EOF it reads `extra` more times (IN-01: EOF repeats).
 */
export const echo: Endpoint = async (ctx) => {
  const mode = ctx.q.get('mode') ?? 'read';
  const input = ctx.environ['tsgi.input'];
  const hash = createHash('sha256');
  const sizes: number[] = [];
  let total = 0;
  const take = (c: Uint8Array): void => {
    hash.update(c);
    sizes.push(c.length);
    total += c.length;
  };
  let error: Record<string, unknown> | null = null;
  let afterEof: number[] = [];
  let readAfterCancel: number | null = null;
  // `delay=MS`: wait before reading, to show upload backpressure (ADP-NODE-10).
  const wait = int(ctx, 'delay', 0);
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  try {
    if (mode === 'iter') for await (const c of input) take(c);
    else if (mode === 'cancel') {
      const want = int(ctx, 'after', 1);
      while (total < want) {
        const c = await input.read(want - total);
        if (c.length === 0) break;
        take(c);
      }
      input.cancel();
      readAfterCancel = (await input.read()).length;
      note(ctx, 'readAfterCancel', readAfterCancel);
    } else if (mode !== 'none') {
      const max = mode === 'max' ? int(ctx, 'max', 7) : undefined;
      for (;;) {
        const c = await input.read(max);
        if (c.length === 0) break;
        if (max !== undefined && c.length > max) note(ctx, 'overMax', c.length);
        take(c);
      }
      afterEof = [];
      for (let i = int(ctx, 'extra', 2); i > 0; i--) afterEof.push((await input.read()).length);
    }
  } catch (err) {
    error = describeError(err);
  }
  const result = {
    mode,
    bytes: total,
    sha256: hash.digest('hex'),
    sizes,
    afterEof,
    readAfterCancel,
    error,
  };
  note(ctx, 'echo', result);
  const status = ctx.q.get('status');
  if (mode === 'none' && status !== undefined) return text(ctx, 'not read\n', status);
  // A failed read leaves the client gone or the body truncated; answer anyway (ERR-04).
  return json(ctx, result, error === null ? '200 OK' : '400 Bad Request');
};

/**
 * `GET /__tsgi/errors`: writes awkward text to tsgi.errors (a lone surrogate, NUL, non-Latin-1)
 * and notes whether anything threw (ERRS-01) and whether flush() resolved.
 */
export const errors: Endpoint = async (ctx: ProbeContext) => {
  const stream = ctx.environ['tsgi.errors'];
  const results: Record<string, unknown> = {};
  for (const [name, value] of [
    ['loneSurrogate', 'lone \ud800 surrogate\n'],
    ['nul', 'nul \0 byte\n'],
    ['unicode', 'caf\u00e9 \u20ac \u{1f600}\n'],
    ['noNewline', 'no newline'],
  ] as const) {
    try {
      stream.write(value);
      results[name] = 'ok';
    } catch (err) {
      results[name] = describeError(err);
    }
  }
  try {
    const p: unknown = stream.flush();
    results.flushIsPromise = p instanceof Promise;
    await p;
    results.flush = 'ok';
  } catch (err) {
    results.flush = describeError(err);
  }
  note(ctx, 'errors', results);
  return json(ctx, results);
};
