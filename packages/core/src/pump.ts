/**
 * Pulling a body's chunks into the sink (spec 07, BODY-01..05, BODY-18), for the engine in
 * engine.ts: an Array or a synchronous iterable stays synchronous until the sink asks to wait
 * (backpressure); an async iterable is awaited together with a disconnect (next-or-abort.ts).
 */
import type { RequestInput } from './input.js';
import { ABORTED, NextOrAbort } from './next-or-abort.js';
import { send } from './response.js';
import type { RunState as ResponseRun } from './run-state.js';

/** A pump sends chunks from where it stopped; the sink's promise when it asks to wait. */
type _Pump<B> = (run: ResponseRun, body: B) => Promise<void> | null;

function _noop(): void {}

/**
 * Runs `pump` over a synchronous body. It returns at once when the body is done and no write
 * had to wait, which is the usual small response; only a sink that asks to wait (backpressure)
 * makes the rest asynchronous (see `_resume`).
 */
export function drive<B extends object>(
  run: ResponseRun,
  body: B,
  pump: _Pump<B>,
): void | Promise<void> {
  let pending: Promise<void> | null;
  try {
    pending = pump(run, body);
  } catch (err) {
    return run.complete(body, err);
  }
  return pending === null ? run.complete(body, undefined) : _resume(run, body, pending, pump);
}

async function _resume<B extends object>(
  run: ResponseRun,
  body: B,
  pending: Promise<void>,
  pump: _Pump<B>,
): Promise<void> {
  let error: unknown;
  try {
    for (let p: Promise<void> | null = pending; p !== null; p = pump(run, body)) await p;
  } catch (err) {
    error = err;
  }
  return run.complete(body, error);
}

/** Sends an Array body's chunks from `index`. */
export function pumpArray(run: ResponseRun, body: readonly unknown[]): Promise<void> | null {
  while (run.index < body.length && !run.stop && !run.aborted && !run.bodiless) {
    const r = send(run, run.checkChunk(body[run.index++]));
    if (r !== undefined) return r;
  }
  return null;
}

/** Sends a synchronous iterable's chunks. */
export function pumpSync(run: ResponseRun, body: Iterable<Uint8Array>): Promise<void> | null {
  let it = run.iter as Iterator<Uint8Array> | undefined;
  if (it === undefined) {
    it = body[Symbol.iterator]();
    run.iter = it;
    run.open = true;
  }
  while (!run.stop && !run.aborted && !run.bodiless) {
    run.open = false; // BODY-04: if next() throws, the iterator is finished and owes no return().
    const res = it.next();
    run.open = true;
    if (res.done) {
      run.open = false;
      return null;
    }
    const r = send(run, run.checkChunk(res.value));
    if (r !== undefined) return r;
  }
  return null;
}

export async function iterateAsync(
  run: ResponseRun,
  body: AsyncIterable<Uint8Array>,
): Promise<void> {
  let error: unknown;
  let abortable: NextOrAbort | undefined;
  try {
    const it = body[Symbol.asyncIterator]();
    run.iter = it;
    run.open = true;
    while (!run.stop && !run.aborted && !run.bodiless) {
      const p = it.next();
      run.open = false; // BODY-04: if next() rejects, the iterator is finished and owes no return().
      // BODY-05: an idle body is released on disconnect without waiting for its next chunk.
      abortable ??= new NextOrAbort(run.environ['tsgi.signal']);
      const res = await abortable.next(p);
      run.open = true;
      if (res === ABORTED) {
        p.then(_noop, _noop);
        break;
      }
      if (res.done) {
        run.open = false;
        break;
      }
      const r = send(run, run.checkChunk(res.value));
      if (r !== undefined) await r;
    }
  } catch (err) {
    error = err;
  }
  abortable?.dispose();
  return run.complete(body, error);
}

/**
 * The body is the server's own `tsgi.input`, returned as it is (an echo, a body passed through).
 * Its chunks come from the transport and no application code ever holds them, so they go to the
 * sink as the transport's own (`write(chunk, true)`: the node:http sink then writes them without
 * the copy or the wait BODY-19 otherwise needs) and are read without an async generator. Bench,
 * 1 MiB POST echoed, server CPU per request against raw node:http's `req.pipe(res)`: 0.84
 * through the generic path; 0.87 to 0.96 with this one over four interleaved runs on a shared
 * 2-core machine (the adapter before issue 16: 0.79 to 0.99 in the same runs).
 */
export async function pumpInput(run: ResponseRun, input: RequestInput): Promise<void> {
  let error: unknown;
  // BODY-05: a disconnect releases the body without waiting for a chunk that may never come.
  // The input is the server's own, so the disconnect fails it (IN-15), which ends the read below:
  // one promise per chunk instead of a race of three per chunk.
  const signal = run.environ['tsgi.signal'];
  const onAbort = (): void => input.fail(signal.reason);
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!run.stop && !run.aborted && !run.bodiless) {
      const chunk = await input.read();
      if (chunk.length === 0) break; // the end of the body (IN-02)
      const r = send(run, chunk, true);
      if (r !== undefined) await r;
    }
  } catch (err) {
    error = err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  return run.complete(input, error);
}

/**
 * The echo again, for a sink that takes it inline (`ResponseSink.passThrough`): each chunk goes
 * to the sink from within the transport's push that brings it (`RequestInput.readInto`), as
 * `req.pipe(res)` writes from the 'data' event, instead of through a promise and an async
 * function's turn per chunk; only a sink that asks to wait (backpressure) leaves it, and the
 * input reads ahead meanwhile up to its high-water mark. The transport fails the input on a
 * disconnect (IN-15), so `tsgi.signal` is neither watched nor created. Bench, 1 MiB POST echoed,
 * @tsgi/node against raw node:http's `req.pipe(res)`, medians of 20 paired rounds of 2 s on a
 * shared 2-core machine: req/s 0.97 (0.90 through pumpInput in the same run), server CPU per
 * request 0.96 (0.88). The profile showed where pumpInput's went: 3 times raw node's GC, and the
 * lazy `tsgi.signal` created per request to watch it; pausing the input at each wait, as
 * `req.pipe(res)` does, instead of reading ahead measured no better (0.90).
 */
export function passInput(run: ResponseRun, input: RequestInput): Promise<void> {
  return new Promise<void>((resolve) => new _Pass(run, input, resolve).next());
}

/** One echo in progress (see `passInput`). */
class _Pass {
  readonly #run: ResponseRun;
  readonly #input: RequestInput;
  readonly #resolve: (done: void | Promise<void>) => void;
  /** Inside `readInto`: a chunk it hands over at once is taken by the loop in `next`. */
  #sync = false;
  #got: Uint8Array | null = null;

  constructor(
    run: ResponseRun,
    input: RequestInput,
    resolve: (done: void | Promise<void>) => void,
  ) {
    this.#run = run;
    this.#input = input;
    this.#resolve = resolve;
  }

  /** Sends what is at hand, then waits for the transport's next push. */
  readonly next = (): void => {
    const run = this.#run;
    for (;;) {
      if (run.stop || run.aborted || run.bodiless) {
        this.#finish(undefined);
        return;
      }
      this.#sync = true;
      this.#got = null;
      this.#input.readInto(this.#onChunk, this.#onError);
      this.#sync = false;
      const chunk = this.#got;
      if (chunk === null || !this.#send(chunk)) return;
    }
  };

  readonly #onChunk = (chunk: Uint8Array): void => {
    if (this.#sync)
      this.#got = chunk; // a loop over buffered chunks, not a recursion
    else if (this.#send(chunk)) this.next();
  };

  /**
   * A failure (IN-04, IN-08, ERR-05) ends the echo a microtask later, as a rejected read would:
   * the transport fails the input from within its own handling (node marks a body over the limit,
   * or a disconnect, right after the push or fail), which must be done before the engine answers.
   */
  readonly #onError = (err: unknown): void => {
    queueMicrotask(() => this.#finish(err));
  };

  /** Sends one chunk; true when the next one may follow at once. */
  #send(chunk: Uint8Array): boolean {
    if (chunk.length === 0) {
      this.#finish(undefined); // the end of the body (IN-02)
      return false;
    }
    let r: void | Promise<void>;
    try {
      r = send(this.#run, chunk, true);
    } catch (err) {
      this.#finish(err);
      return false;
    }
    if (r === undefined) return true;
    r.then(this.next, this.#onError);
    return false;
  }

  /** BODY-16: the end, a failure (IN-04, IN-08, ERR-05) or no more wanted; never throws. */
  #finish(error: unknown): void {
    let done: void | Promise<void>;
    try {
      done = this.#run.complete(this.#input, error);
    } catch (err) {
      done = Promise.reject(err); // only a throwing sink gets here
    }
    this.#resolve(done);
  }
}
