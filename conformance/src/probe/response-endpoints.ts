/**
 * Probe endpoints that produce responses in every shape the spec allows: body kinds, hooks,
 * gates (to prove there is no delay and no early headers), content-length mismatches, no-body
 * statuses, write(), big bodies for backpressure (APP-*, SR-08, WR-*, BODY-*).
 */
import type { ResponseBody, ResponseHeader } from '@tsgi/core';
import {
  chunkBytes,
  type Endpoint,
  inlineObservation,
  int,
  note,
  type ProbeContext,
  pause,
} from './context.js';
import { TRAILER_HEADER, TRAILER_MARK } from './inline.js';

type _Step = { kind: 'chunk'; bytes: Uint8Array } | { kind: 'gate' } | { kind: 'throw' };

/** The headers for a body endpoint: content-type unless 204, content-length from `cl`. */
function _headers(ctx: ProbeContext, total: number, code: number): ResponseHeader[] {
  const h: ResponseHeader[] = [];
  if (code !== 204 && code !== 304) h.push(['content-type', 'application/octet-stream']);
  const cl = ctx.q.get('cl');
  if (cl === 'auto') h.push(['content-length', String(total)]);
  else if (cl !== undefined) h.push(['content-length', cl]);
  h.push(['x-probe', 'body']);
  return h;
}

/** The plan of a body: chunks, where to wait on the gate, where to throw. */
function _plan(ctx: ProbeContext): { steps: _Step[]; total: number } {
  const n = int(ctx, 'n', 3);
  const size = int(ctx, 'size', 5);
  const gate = ctx.q.get('gate'); // "before" or "after:K"
  const fail = ctx.q.get('throw'); // "before" or "after:K"
  const at = (spec: string | undefined): number =>
    spec === undefined ? -1 : spec === 'before' ? 0 : Number(spec.split(':')[1] ?? 0);
  const steps: _Step[] = [];
  // `lead=K`: K zero-length chunks before anything else (APP-07, SR-08).
  for (let i = int(ctx, 'lead', 0); i > 0; i--)
    steps.push({ kind: 'chunk', bytes: new Uint8Array(0) });
  for (let i = 0; i <= n; i++) {
    if (at(gate) === i) steps.push({ kind: 'gate' });
    if (at(fail) === i) steps.push({ kind: 'throw' });
    if (i === n) break;
    if (ctx.q.get('empty') === '1') steps.push({ kind: 'chunk', bytes: new Uint8Array(0) });
    steps.push({ kind: 'chunk', bytes: chunkBytes(i, size, ctx.q.get('bytes') === 'all') });
  }
  return { steps, total: n * size };
}

/** Adds the completion hook named by `hook` (default `close`) to an iterable. */
function _withHook(ctx: ProbeContext, iterable: object): ResponseBody {
  const hook = ctx.q.get('hook') ?? 'close';
  const release = (name: string) => () => {
    note(ctx, 'hookCalled', name);
    if (ctx.q.get('hookThrows') === '1') throw new Error('probe: release hook failure (BODY-07)');
  };
  const b = iterable as Record<PropertyKey, unknown>;
  // `all`: every hook, so the server's choice shows (BODY-06: asyncDispose first).
  if (hook === 'close' || hook === 'all') b.close = release('close');
  if (hook === 'dispose' || hook === 'all') b[Symbol.dispose] = release('dispose');
  if (hook === 'asyncDispose' || hook === 'all') b[Symbol.asyncDispose] = release('asyncDispose');
  return iterable as ResponseBody;
}

/**
 * `GET /__tsgi/body`: `n` chunks of `size` bytes. `kind` = async | sync | array | both (an
 * object with both iterator methods yielding different bytes, BODY-01); `cl` = auto | N;
 * `status`; `hook` = close | dispose | asyncDispose | all | none; `gate` = before | after:K
 * (waits on the gate, or `hold=MS` ms);
 * `lead=K` zero-length chunks first;
 * `throw` = before | after:K; `empty=1` puts a zero-length chunk before each (APP-07);
 * `start=late` calls startResponse inside the first step (APP-05); `bytes=all`.
 */
export const body: Endpoint = (ctx) => {
  const { steps, total } = _plan(ctx);
  const status = ctx.q.get('status') ?? '200 OK';
  const code = Number(status.slice(0, 3));
  const start = (): void => void ctx.start(status as never, _headers(ctx, total, code));
  const late = ctx.q.get('start') === 'late';
  if (!late) start();
  const kind = ctx.q.get('kind') ?? 'async';
  if (kind === 'array') {
    if (late) start();
    return steps.flatMap((s) => (s.kind === 'chunk' ? [s.bytes] : []));
  }
  if (kind === 'sync' || kind === 'both') {
    const sync = function* () {
      if (late) start();
      for (const s of steps) {
        if (s.kind === 'throw') throw new Error('probe: body failure (ERR-01)');
        if (s.kind === 'chunk') yield s.bytes;
      }
    };
    if (kind === 'sync') return _withHook(ctx, { [Symbol.iterator]: sync });
    return _withHook(ctx, {
      [Symbol.iterator]: () => [new TextEncoder().encode('SYNC-ITERATOR')].values(),
      [Symbol.asyncIterator]: async function* () {
        yield* sync();
      },
    });
  }
  const gen = async function* () {
    if (late) start();
    for (const s of steps) {
      if (s.kind === 'gate') await pause(ctx);
      else if (s.kind === 'throw') throw new Error('probe: body failure (ERR-01)');
      else yield s.bytes;
    }
  };
  return ctx.q.get('hook') === 'none' ? gen() : _withHook(ctx, { [Symbol.asyncIterator]: gen });
};

/**
 * `GET /__tsgi/idle`: sends one chunk, then its next() never settles (`wait=forever`, the
 * default) or settles only when tsgi.signal aborts (`wait=signal`). Only return() ends it, so
 * the suite sees whether the server calls return() without waiting for next() (BODY-05).
 */
export const idle: Endpoint = (ctx) => {
  ctx.start('200 OK', [['content-type', 'text/plain']]);
  const signal = ctx.environ['tsgi.signal'];
  const forever = ctx.q.get('wait') !== 'signal';
  let step = 0;
  const iterator: AsyncIterator<Uint8Array> = {
    next() {
      if (step++ === 0) return Promise.resolve({ done: false, value: chunkBytes(0, 6) });
      note(ctx, 'idleSince', Date.now());
      return new Promise((resolve) => {
        if (!forever)
          signal.addEventListener('abort', () => resolve({ done: true, value: undefined }), {
            once: true,
          });
      });
    },
    return() {
      note(ctx, 'returnedAfterAbort', signal.aborted);
      return Promise.resolve({ done: true, value: undefined });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator, close: () => note(ctx, 'hookCalled', 'close') };
};

/**
 * `GET /__tsgi/write`: `n` chunks through write() (awaited unless `await=0`, WR-05), then a body
 * of `m` chunks. `empty=1` first writes a zero-length chunk and waits on the gate or `hold`
 * (WR-04). `after=1` keeps write() and calls it once the server iterates the body (WR-02).
 * With inline observations the body ends with the trailing observation document (inline.ts).
 */
export const write: Endpoint = async (ctx) => {
  const n = int(ctx, 'n', 2);
  const m = int(ctx, 'm', 1);
  const size = int(ctx, 'size', 4);
  const trailing = inlineObservation(ctx) !== undefined;
  const head: ResponseHeader[] = [['content-type', 'application/octet-stream']];
  if (trailing) head.push([TRAILER_HEADER, '1']);
  const w = ctx.start('200 OK', head);
  if (ctx.q.get('empty') === '1') {
    await w(new Uint8Array(0));
    await pause(ctx);
  }
  const pending: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    const p = w(chunkBytes(i, size));
    if (ctx.q.get('await') === '0') pending.push(p);
    else await p;
  }
  await Promise.all(pending);
  const late = ctx.q.get('after') === '1';
  return _withHook(ctx, {
    async *[Symbol.asyncIterator]() {
      if (late) {
        try {
          await w(chunkBytes(25, size));
          note(ctx, 'lateWrite', 'resolved');
        } catch (err) {
          note(ctx, 'lateWrite', (err as { requirement?: string }).requirement ?? String(err));
        }
      }
      for (let i = 0; i < m; i++) yield chunkBytes(n + i, size);
      const observed = trailing ? inlineObservation(ctx) : undefined;
      if (observed !== undefined) yield new TextEncoder().encode(`${TRAILER_MARK}${observed}`);
    },
  });
};

/**
 * `GET /__tsgi/big`: `n` chunks of `size` bytes (default 512 x 64 KiB = 32 MiB), through the
 * body or, with `kind=write`, through awaited write() calls. Progress is saved every 8 chunks so
 * the suite can see how far the application got while the client was not reading
 * (BODY-02, WR-01, ADP-NODE-02).
 */
export const big: Endpoint = async (ctx) => {
  const n = int(ctx, 'n', 512);
  const size = int(ctx, 'size', 65536);
  const chunk = chunkBytes(0, size);
  const progress = (i: number): void => {
    if (i % 8 === 0 || i === n) note(ctx, 'produced', i);
  };
  const headers: ResponseHeader[] = [
    ['content-type', 'application/octet-stream'],
    ['content-length', String(n * size)],
  ];
  if (ctx.q.get('kind') === 'write') {
    const w = ctx.start('200 OK', headers);
    for (let i = 1; i <= n; i++) {
      await w(chunk);
      progress(i);
    }
    return [];
  }
  ctx.start('200 OK', headers);
  return _withHook(ctx, {
    async *[Symbol.asyncIterator]() {
      for (let i = 1; i <= n; i++) {
        yield chunk;
        progress(i);
      }
    },
  });
};

/**
 * `GET /__tsgi/headers`: repeated `set-cookie` and `x-multi` fields, a value with octets
 * 0x80-0xFF, mixed-case names, and no `date` (SR-03..05, SR-12). `mutate=1` changes the header
 * array after startResponse returned (SR-13).
 */
export const headers: Endpoint = (ctx) => {
  const h: Array<[string, string]> = [
    ['content-type', 'text/plain'],
    ['set-cookie', 'a=1; Path=/'],
    ['set-cookie', 'b=2; Path=/'],
    ['x-multi', 'one'],
    ['x-multi', 'two'],
    ['X-Mixed-Case', 'Value'],
    ['x-latin1', 'caf\u00e9 \u00ff'],
    ['content-length', '3'],
  ];
  ctx.start('200 OK', h);
  if (ctx.q.get('mutate') === '1') {
    h.push(['x-added-later', '1']);
    h[3]![1] = 'mutated';
  }
  return [new TextEncoder().encode('ok\n')];
};
