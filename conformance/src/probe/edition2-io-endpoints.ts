/**
 * Probe endpoints for input, signal and error rules of the second edition (TSGI 1.1): a caught
 * ContractError (ERR-08), write() failures (WR-06), concurrent and late reads (IN-13, IN-14),
 * the signal's reason and lifetime (ENV-31, ENV-32).
 */
import type { ErrorStream, ResponseHeader } from '@tsgi/core';
import { describeError, type Endpoint, json, note, type ProbeContext } from './context.js';

const _enc = new TextEncoder();

// ERR-08: what the server writes to tsgi.errors while `capture` runs. The server's stream is
// patched once to forward every write; a write is attributed to a request only inside the
// synchronous call that raises the error ("logged when it raises it"), so concurrent requests
// never mix. Where the stream cannot be patched, environ's key is replaced (the core engine
// reads it at each log).
let _capturing: string[] | undefined;
const _patched = new WeakSet<object>();

function _tap(ctx: ProbeContext): void {
  const environ = ctx.record?.environ as Record<string, unknown> | undefined;
  const errors = environ?.['tsgi.errors'] as ErrorStream | undefined;
  if (environ === undefined || errors === undefined || _patched.has(errors)) return;
  const write = errors.write;
  const forward = function (this: unknown, text: string): void {
    _capturing?.push(String(text));
    write.call(this, text);
  };
  try {
    errors.write = forward;
    _patched.add(errors);
  } catch {
    const tapped: ErrorStream = { write: forward, flush: () => errors.flush() };
    _patched.add(tapped);
    environ['tsgi.errors'] = tapped;
  }
}

/** Runs `call` and returns what the server wrote to tsgi.errors meanwhile. */
function _capture<T>(ctx: ProbeContext, call: () => T): { result: T; logged: string[] } {
  _tap(ctx);
  const logged: string[] = [];
  _capturing = logged;
  try {
    return { result: call(), logged };
  } finally {
    _capturing = undefined;
  }
}

/** How a call that should fail did: thrown synchronously, rejected, or resolved. */
async function _outcome(call: () => unknown): Promise<Record<string, unknown>> {
  let p: unknown;
  try {
    p = call();
  } catch (err) {
    return { threw: true, error: describeError(err) };
  }
  if (typeof (p as PromiseLike<unknown> | null)?.then !== 'function')
    return { threw: false, promise: false };
  return Promise.resolve(p).then(
    () => ({ threw: false, promise: true, rejected: false }),
    (err: unknown) => ({ threw: false, promise: true, rejected: true, error: describeError(err) }),
  );
}

/**
 * `GET /__tsgi/recover?kind=start|write` (ERR-08). `start`: startResponse with a CR LF in a
 * header value throws; the probe catches it and answers through startResponse with excInfo.
 * `write`: write() of a string rejects; the probe catches it and writes the real body. Either
 * way the body is JSON `{ recovered, caught, logged }`: what the server wrote to tsgi.errors
 * during the failing call.
 */
export const recover: Endpoint = async (ctx) => {
  const head: ResponseHeader[] = [
    ['content-type', 'application/json'],
    ['cache-control', 'no-store'],
  ];
  if (ctx.q.get('kind') === 'write') {
    const w = ctx.start('200 OK', head);
    const { result, logged } = _capture(ctx, () => w('not bytes' as never));
    let caught: unknown;
    await Promise.resolve(result).catch((err: unknown) => {
      caught = err;
    });
    const out = { recovered: true, caught: describeError(caught), logged };
    note(ctx, 'recover', out);
    await w(_enc.encode(`${JSON.stringify(out)}\n`));
    return [];
  }
  let caught: unknown;
  const { logged } = _capture(ctx, () => {
    try {
      ctx.start('200 OK', [['x-probe-bad', 'a\r\nx-injected: yes']]);
    } catch (err) {
      caught = err;
    }
  });
  const out = { recovered: true, caught: describeError(caught), logged };
  note(ctx, 'recover', out);
  const body = _enc.encode(`${JSON.stringify(out)}\n`);
  ctx.start('200 OK', [...head, ['content-length', String(body.length)]], caught ?? new Error());
  return [body];
};

/**
 * `GET /__tsgi/writefail` (WR-06): content-length 4, then write() of a string (APP-04), of 6
 * bytes (crosses the length, BODY-08), of 2 more bytes (after the length), and from the
 * completion hook (WR-02). Notes how each call failed: `writes` and `lateWrite`.
 */
export const writefail: Endpoint = async (ctx) => {
  const w = ctx.start('200 OK', [
    ['content-type', 'application/octet-stream'],
    ['content-length', '4'],
  ]);
  const writes = {
    badChunk: await _outcome(() => w('text' as never)),
    crossing: await _outcome(() => w(_enc.encode('aaaaaa'))),
    after: await _outcome(() => w(_enc.encode('bb'))),
  };
  note(ctx, 'writes', writes);
  const hook = (): void => {
    void _outcome(() => w(_enc.encode('c'))).then((o) => note(ctx, 'lateWrite', o));
  };
  return Object.assign([], { close: hook });
};

/** Bytes as a byte string, one code unit per octet (no Buffer: isolate runtimes). */
function _latin1(c: Uint8Array): string {
  let s = '';
  for (let i = 0; i < c.length; i += 4096)
    s += String.fromCharCode(...c.subarray(i, Math.min(c.length, i + 4096)));
  return s;
}

/** Settles a read as `{ bytes }` (latin-1 text) or `{ error }`. */
function _settled(p: Promise<Uint8Array>): Promise<Record<string, unknown>> {
  return p.then(
    (c) => ({ bytes: _latin1(c) }),
    (err: unknown) => ({ error: describeError(err) }),
  );
}

/** Reads to the end (at most 64 reads); `{ bytes, eof }` or `{ bytes, error }`. */
async function _rest(ctx: ProbeContext): Promise<Record<string, unknown>> {
  const input = ctx.environ['tsgi.input'];
  let bytes = '';
  try {
    for (let i = 0; i < 64; i++) {
      const c = await input.read();
      if (c.length === 0) return { bytes, eof: true };
      bytes += _latin1(c);
    }
    return { bytes, eof: false };
  } catch (err) {
    return { bytes, error: describeError(err) };
  }
}

/**
 * `POST /__tsgi/concurrent` (IN-13): read(), then at once a second read() while the first is
 * pending; answers JSON `{ second, first, rest }`: how the second call failed (`threw`, or its
 * rejection), what the first resolved with, and the rest of the body.
 */
export const concurrent: Endpoint = async (ctx) => {
  const input = ctx.environ['tsgi.input'];
  const first = _settled(input.read());
  const second = await _outcome(() => input.read());
  note(ctx, 'second', second);
  const out = { second, first: await first, rest: await _rest(ctx) };
  note(ctx, 'concurrent', out);
  return json(ctx, out);
};

/** Resolves when tsgi.signal aborts, or after `ms`; true when it aborted. */
function _aborted(ctx: ProbeContext, ms: number): Promise<boolean> {
  const signal = ctx.environ['tsgi.signal'];
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      { once: true },
    );
  });
}

/**
 * `POST /__tsgi/latein?mode=complete|cancel` (IN-14). `complete`: read(3) of a body that has
 * fully arrived, then wait for the client to leave and read the rest. `cancel`: read once,
 * cancel(), wait for the client to leave, read again. Notes `ready`, then `after`.
 */
export const latein: Endpoint = async (ctx) => {
  const input = ctx.environ['tsgi.input'];
  const cancel = ctx.q.get('mode') === 'cancel';
  const first = await _settled(input.read(cancel ? undefined : 3));
  if (cancel) input.cancel();
  note(ctx, 'ready', first);
  const aborted = await _aborted(ctx, 5000);
  note(ctx, 'after', { aborted, ...(await _rest(ctx)) });
  return json(ctx, { first });
};

/**
 * `GET /__tsgi/signal?mode=complete|idle` (ENV-31, ENV-32). Listens on tsgi.signal and notes
 * `abort` (the reason, and whether the response had completed) if it ever fires. `complete`:
 * a whole response; `idle`: one chunk, then the body waits for the abort.
 */
export const signal: Endpoint = (ctx) => {
  const s = ctx.environ['tsgi.signal'];
  let released = false;
  s.addEventListener(
    'abort',
    () => note(ctx, 'abort', { reason: describeError(s.reason), afterRelease: released }),
    { once: true },
  );
  ctx.start('200 OK', [['content-type', 'text/plain; charset=utf-8']]);
  const idle = ctx.q.get('mode') === 'idle';
  const body = {
    async *[Symbol.asyncIterator]() {
      yield _enc.encode('signal\n');
      if (idle) await _aborted(ctx, 10_000);
    },
    close: () => {
      released = true;
      note(ctx, 'hookCalled', 'close');
    },
  };
  if (ctx.q.get('kind') !== 'array') return body;
  return Object.assign([_enc.encode('signal\n')], { close: body.close });
};
