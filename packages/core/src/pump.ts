/**
 * Pulling a body's chunks into the sink (spec 07, BODY-01..05, BODY-18), for the engine in
 * engine.ts: an Array or a synchronous iterable stays synchronous until the sink asks to wait
 * (backpressure); an async iterable is awaited, racing a disconnect.
 */
import type { _ExchangeState as _Exchange } from './exchange.js';
import { send } from './response.js';

/** A pump sends chunks from where it stopped; the sink's promise when it asks to wait. */
type _Pump<B> = (ex: _Exchange, body: B) => Promise<void> | null;

const _ABORTED = Symbol('aborted');

function _noop(): void {}

/**
 * Runs `pump` over a synchronous body. It returns at once when the body is done and no write
 * had to wait, which is the usual small response; only a sink that asks to wait (backpressure)
 * makes the rest asynchronous (see `_resume`).
 */
export function drive<B extends object>(
  ex: _Exchange,
  body: B,
  pump: _Pump<B>,
): void | Promise<void> {
  let pending: Promise<void> | null;
  try {
    pending = pump(ex, body);
  } catch (err) {
    return ex.complete(body, err);
  }
  return pending === null ? ex.complete(body, undefined) : _resume(ex, body, pending, pump);
}

async function _resume<B extends object>(
  ex: _Exchange,
  body: B,
  pending: Promise<void>,
  pump: _Pump<B>,
): Promise<void> {
  let error: unknown;
  try {
    for (let p: Promise<void> | null = pending; p !== null; p = pump(ex, body)) await p;
  } catch (err) {
    error = err;
  }
  return ex.complete(body, error);
}

/** Sends an Array body's chunks from `index`. */
export function pumpArray(ex: _Exchange, body: readonly unknown[]): Promise<void> | null {
  while (ex.index < body.length && !ex.stop && !ex.aborted && !ex.bodiless) {
    const r = send(ex, ex.checkChunk(body[ex.index++]));
    if (r !== undefined) return r;
  }
  return null;
}

/** Sends a synchronous iterable's chunks. */
export function pumpSync(ex: _Exchange, body: Iterable<Uint8Array>): Promise<void> | null {
  let it = ex.iter as Iterator<Uint8Array> | undefined;
  if (it === undefined) {
    it = body[Symbol.iterator]();
    ex.iter = it;
    ex.open = true;
  }
  while (!ex.stop && !ex.aborted && !ex.bodiless) {
    ex.open = false; // BODY-04: if next() throws, the iterator is finished and owes no return().
    const res = it.next();
    ex.open = true;
    if (res.done) {
      ex.open = false;
      return null;
    }
    const r = send(ex, ex.checkChunk(res.value));
    if (r !== undefined) return r;
  }
  return null;
}

export async function iterateAsync(ex: _Exchange, body: AsyncIterable<Uint8Array>): Promise<void> {
  let error: unknown;
  let aborted: Promise<typeof _ABORTED> | undefined;
  try {
    const it = body[Symbol.asyncIterator]();
    ex.iter = it;
    ex.open = true;
    while (!ex.stop && !ex.aborted && !ex.bodiless) {
      const p = it.next();
      ex.open = false; // BODY-04: if next() rejects, the iterator is finished and owes no return().
      // BODY-05: an idle body is released on disconnect without waiting for its next chunk.
      aborted ??= _watchAbort(ex.environ['tsgi.signal']);
      const res = await Promise.race([p, aborted]);
      ex.open = true;
      if (res === _ABORTED) {
        p.then(_noop, _noop);
        break;
      }
      if (res.done) {
        ex.open = false;
        break;
      }
      const r = send(ex, ex.checkChunk(res.value));
      if (r !== undefined) await r;
    }
  } catch (err) {
    error = err;
  }
  return ex.complete(body, error);
}

function _watchAbort(signal: AbortSignal): Promise<typeof _ABORTED> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve(_ABORTED);
    else signal.addEventListener('abort', () => resolve(_ABORTED), { once: true });
  });
}
