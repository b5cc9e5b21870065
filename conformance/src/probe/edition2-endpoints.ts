/**
 * Probe endpoints for response rules of the second edition (TSGI 1.1): chunk ownership
 * (BODY-19, ADP-NODE-12), a late startResponse (APP-10), a 426 with `upgrade` (SR-17) and a
 * response without content-type (BODY-22). The table below also lists those of
 * edition2-io-endpoints.ts.
 */
import type { ResponseBody, ResponseHeader } from '@tsgi/core';
import { describeError, type Endpoint, int, note } from './context.js';
import { concurrent, latein, recover, signal, writefail } from './edition2-io-endpoints.js';

const _enc = new TextEncoder();
/** What the probe writes over memory it may reuse: never a byte of a `reuseChunk`. */
export const SCRIBBLE = 0x23; // '#'

/** Chunk `i` of the reuse body: letters shifted per chunk, so a later chunk never matches it. */
export function reuseChunk(i: number, size: number, into?: Uint8Array): Uint8Array {
  const out = into ?? new Uint8Array(size);
  for (let j = 0; j < size; j++) out[j] = 0x41 + ((i * 7 + j) % 26);
  return out;
}

/** The sizes of the reuse body's chunks: `sizes` (comma list) cycled over `n` chunks. */
export function reuseSizes(n: number, sizes: string): number[] {
  const list = sizes.split(',').map(Number);
  return Array.from({ length: n }, (_, i) => list[i % list.length]!);
}

/** The bytes a conforming server sends for `reuse?n=N&sizes=S`. */
export function reuseExpected(n: number, sizes: string): Uint8Array {
  const each = reuseSizes(n, sizes);
  const out = new Uint8Array(each.reduce((a, b) => a + b, 0));
  let at = 0;
  each.forEach((size, i) => {
    reuseChunk(i, size, out.subarray(at, at + size));
    at += size;
  });
  return out;
}

/**
 * `GET /__tsgi/reuse?kind=sync|async|write|array&n=N&sizes=A,B,...`: BODY-17 at its limit. The
 * body refills ONE buffer for every chunk as soon as BODY-17 lets it (the next `next()`, the
 * settled `write`), and scribbles over it at the end and in the completion hook; an Array body
 * has its own chunks and scribbles over all of them in the hook. A server that still held a
 * reference (BODY-19) sends some chunk's bytes wrong.
 */
export const reuse: Endpoint = async (ctx) => {
  const kind = ctx.q.get('kind') ?? 'sync';
  const sizes = reuseSizes(int(ctx, 'n', 50), ctx.q.get('sizes') ?? '4096');
  const buf = new Uint8Array(Math.max(0, ...sizes));
  const view = (i: number): Uint8Array => reuseChunk(i, sizes[i]!, buf.subarray(0, sizes[i]));
  const headers: ResponseHeader[] = [['content-type', 'application/octet-stream']];
  if (ctx.q.get('cl') === 'auto')
    headers.push(['content-length', String(sizes.reduce((a, b) => a + b, 0))]);
  const w = ctx.start('200 OK', headers);
  const scribble = (): void => void buf.fill(SCRIBBLE);
  const hook = (): void => {
    scribble();
    note(ctx, 'hookCalled', 'close');
  };
  if (kind === 'write') {
    for (let i = 0; i < sizes.length; i++) await w(view(i));
    scribble();
    return Object.assign([], { close: hook });
  }
  if (kind === 'array') {
    const chunks = sizes.map((size, i) => reuseChunk(i, size));
    return Object.assign(chunks, {
      close: () => {
        for (const c of chunks) c.fill(SCRIBBLE);
        note(ctx, 'hookCalled', 'close');
      },
    });
  }
  if (kind === 'async')
    return {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < sizes.length; i++) yield view(i);
        scribble();
      },
      close: hook,
    };
  return {
    *[Symbol.iterator]() {
      for (let i = 0; i < sizes.length; i++) yield view(i);
      scribble();
    },
    close: hook,
  };
};

/**
 * `GET /__tsgi/latestart?kind=sync|async&empties=K`: the body yields K zero-length chunks, then
 * calls startResponse inside its iteration, then yields "late start\n" (APP-05, APP-10).
 */
export const latestart: Endpoint = (ctx) => {
  const empties = int(ctx, 'empties', 0);
  const start = (): void =>
    void ctx.start('200 OK', [['content-type', 'text/plain; charset=utf-8']]);
  function* steps(): Generator<Uint8Array> {
    for (let i = 0; i < empties; i++) yield new Uint8Array(0);
    start();
    yield _enc.encode('late start\n');
  }
  if (ctx.q.get('kind') === 'sync') return { [Symbol.iterator]: steps };
  return {
    async *[Symbol.asyncIterator]() {
      yield* steps();
    },
  };
};

/**
 * `GET /__tsgi/upgrade?status=426|200` (SR-06, SR-17): a response carrying `upgrade: probe/1`.
 * On 426 it is the response; on any other status startResponse must throw, and the probe
 * answers JSON `{ threw, error }` instead.
 */
export const upgrade: Endpoint = (ctx) => {
  const code = ctx.q.get('status') ?? '426';
  const body = _enc.encode('upgrade required\n');
  const headers: ResponseHeader[] = [
    ['upgrade', 'probe/1'],
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(body.length)],
  ];
  if (code === '426') {
    ctx.start('426 Upgrade Required', headers);
    return [body];
  }
  let result: Record<string, unknown> = { threw: false };
  try {
    ctx.start('200 OK', headers);
  } catch (err) {
    result = { threw: true, error: describeError(err) };
  }
  note(ctx, 'start', result);
  const out = _enc.encode(`${JSON.stringify(result)}\n`);
  const h: ResponseHeader[] = [['content-type', 'application/json']];
  ctx.start('200 OK', [...h, ['content-length', String(out.length)]], new Error('replaced'));
  return [out];
};

/**
 * `GET /__tsgi/bare?kind=array|async` (BODY-22): a 200 whose application set no header at all.
 */
export const bare: Endpoint = (ctx) => {
  ctx.start('200 OK', []);
  const bytes = _enc.encode('no content-type\n');
  if (ctx.q.get('kind') !== 'async') return [bytes];
  return (async function* () {
    yield bytes;
  })() as ResponseBody;
};

/** The endpoints of this file, by name, for the probe's table. */
export const EDITION2_ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  reuse,
  latestart,
  recover,
  writefail,
  concurrent,
  latein,
  signal,
  upgrade,
  bare,
};
