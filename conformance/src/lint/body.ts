/**
 * The body wrapper: checks the chunks the application produces (APP-03..07, BODY-08/09/13) and
 * how the server consumes and releases the body (BODY-01, BODY-04..06, BODY-08). The wrapper
 * always has a completion hook: the application's own, or a `close()` the lint adds, so the
 * server's release is the lint's "response finished" signal (BODY-06), as wsgiref's
 * IteratorWrapper proxies close() (research gateway-specs §2.3).
 */
import type { ResponseBody } from '@tsgi/core';
import type { ChainPosition } from './chain.js';
import type { Exchange } from './exchange.js';
import { type Guard, guard } from './guard.js';
import { describe } from './violation.js';

type _Hook = 'asyncDispose' | 'dispose' | 'close';
const _HOOK_ORDER: readonly _Hook[] = ['asyncDispose', 'dispose', 'close'];
const _KEY: Record<_Hook, PropertyKey> = {
  asyncDispose: Symbol.asyncDispose,
  dispose: Symbol.dispose,
  close: 'close',
};
type _Any = Record<PropertyKey, unknown>;

// wsgiref warns when an iterator is collected unclosed; this is the same, best effort (CONF-02).
const _unreleased = new FinalizationRegistry<() => void>((report) => report());

/** Validates what the application returned and wraps it for the server. */
export function wrapBody(body: unknown, ex: Exchange, pos: ChainPosition): ResponseBody {
  const r = ex.reporter;
  const rec = ex.record.body;
  ex.bodyReturned = true;
  ex.checkCaught();
  const b = body as _Any;
  // APP-03: an iterable object; a string or a bare Uint8Array is not a body.
  if (
    body === null ||
    typeof body !== 'object' ||
    body instanceof Uint8Array ||
    (typeof b[Symbol.asyncIterator] !== 'function' && typeof b[Symbol.iterator] !== 'function')
  ) {
    rec.kind = 'invalid';
    r.report('APP-03', 'application', `returned ${describe(body)}, not an iterable of Uint8Array`);
    return body as ResponseBody;
  }
  const own = _HOOK_ORDER.filter((h) => typeof b[_KEY[h]] === 'function');
  if (!Array.isArray(body)) return _wrap(b, ex, pos, own);
  _checkArray(body, ex);
  if (own.length === 0) return body as ResponseBody;
  // APP-08: an Array with a completion hook is still an Array to the server.
  const copy = body.slice() as unknown as _Any;
  _hooks(copy, b, ex, pos, own);
  return copy as unknown as ResponseBody;
}

/** APP-08: an Array stays an Array (servers may measure it); its chunks are checked now. */
function _checkArray(body: unknown[], ex: Exchange): ResponseBody {
  const rec = ex.record.body;
  rec.kind = 'array';
  for (const chunk of body) {
    if (!(chunk instanceof Uint8Array)) {
      ex.reporter.report('APP-04', 'application', `body chunk is ${describe(chunk)}`);
      continue;
    }
    ex.produce(chunk, 'body');
    rec.chunks++;
    rec.bytes += chunk.length;
  }
  rec.done = true;
  ex.checkEnd();
  return body as ResponseBody;
}

function _wrap(b: _Any, ex: Exchange, pos: ChainPosition, own: _Hook[]): ResponseBody {
  const r = ex.reporter;
  const rec = ex.record.body;
  const hasAsync = typeof b[Symbol.asyncIterator] === 'function';
  rec.kind = hasAsync ? 'async' : 'sync';
  const wrapper: _Any = {};
  let iterations = 0;
  const begin = (kind: 'async' | 'sync'): void => {
    // BODY-04: one iterator per body, never after release. BODY-01: async wins.
    if (++iterations > 1) r.note('BODY-04', 'server', 'the body was iterated more than once');
    if (ex.record.released) r.note('BODY-04', 'server', 'the body was iterated after release');
    if (kind === 'sync' && hasAsync)
      r.note('BODY-01', 'server', 'the body has Symbol.asyncIterator; it must be used');
    rec.iteratedWith = kind;
    ex.iterationStarted = true;
  };
  if (hasAsync)
    wrapper[Symbol.asyncIterator] = () => {
      begin('async');
      return _asyncIterator(
        (b[Symbol.asyncIterator] as () => AsyncIterator<unknown>).call(b),
        ex,
        pos,
      );
    };
  if (typeof b[Symbol.iterator] === 'function')
    wrapper[Symbol.iterator] = () => {
      begin('sync');
      return _syncIterator((b[Symbol.iterator] as () => Iterator<unknown>).call(b), ex, pos);
    };

  _hooks(wrapper, b, ex, pos, own);
  return wrapper as unknown as ResponseBody;
}

/** Puts the completion hooks on `wrapper`: the app's own (`own`), else a `close` of the lint's. */
function _hooks(wrapper: _Any, b: _Any, ex: Exchange, pos: ChainPosition, own: _Hook[]): void {
  const r = ex.reporter;
  const rec = ex.record.body;
  const exposed = own.length > 0 ? own : (['close'] as _Hook[]);
  rec.hook = exposed[0];
  rec.ownHook = own.length > 0;
  for (const hook of exposed) {
    wrapper[_KEY[hook]] = () => {
      rec.releaseCalls++;
      if (rec.releaseCalls > 1) {
        r.note('BODY-06', 'server', `completion hook called ${rec.releaseCalls} times; once only`);
      } else {
        if (hook !== exposed[0])
          r.note('BODY-06', 'server', `${hook}() called; ${exposed[0]}() takes precedence`);
        if (ex.iteratorOpen)
          r.note('BODY-16', 'server', 'body released while its iterator was still open');
        ex.completed = true;
        ex.record.released = true;
        const signal = ex.environ['tsgi.signal'];
        ex.record.abortedAtRelease = signal instanceof AbortSignal && signal.aborted;
        _unreleased.unregister(ex);
        pos.atRelease(ex);
        ex.markFinished();
        ex.reporter.changed();
      }
      return own.includes(hook) ? (b[_KEY[hook]] as () => unknown).call(b) : undefined;
    };
  }
  // BODY-06: a server never calling the hook is caught at the end of the request by whoever
  // reads the record; garbage collection is the last resort.
  if (pos.outermost || own.length > 0)
    _unreleased.register(
      wrapper,
      () => {
        if (!ex.record.released)
          r.note('BODY-06', 'server', `the body was dropped without its ${exposed[0]}() call`);
      },
      ex,
    );
}

/** State and checks shared by the async and sync iterator wrappers. */
function _iteration(ex: Exchange, pos: ChainPosition) {
  const r = ex.reporter;
  const rec = ex.record.body;
  let closed = false;
  let pending = false;
  let lastChunk: Guard | undefined;
  ex.iteratorOpen = true;
  const close = (): void => {
    closed = true;
    ex.iteratorOpen = false;
  };
  return {
    /** Before next(): false means the call is a BODY-04 violation and must not reach the app. */
    before(): boolean {
      if (closed) {
        r.note('BODY-04', 'server', 'next() after the iterator finished, threw or was returned');
        return false;
      }
      if (pending) r.note('BODY-15', 'server', 'next() called before the previous one settled');
      if (ex.contentLength > 0 && ex.produced >= ex.contentLength && !ex.bodyless)
        r.note('BODY-08', 'server', 'next() after content-length was reached; stop iterating');
      // BODY-18: HEAD, 204, 304: nothing more is requested once startResponse was called.
      if (ex.code !== 0 && (ex.isHead || ex.bodyless))
        r.note(
          'BODY-18',
          'server',
          `next() for a ${ex.isHead ? 'HEAD request' : ex.code} after startResponse`,
        );
      // BODY-17: the chunk handed out last time is untouched until this request for the next.
      if (lastChunk !== undefined && !lastChunk.intact())
        r.note('BODY-17', 'application', 'a yielded chunk was modified before next() was called');
      if (rec.nextCalls++ === 0) pos.atFirstNext();
      pending = true;
      ex.iterating = true;
      return true;
    },
    /** Checks a settled result; returns what to hand the server (a guarded copy of the chunk). */
    settled(res: IteratorResult<unknown>): IteratorResult<unknown> {
      pending = false;
      ex.iterating = false;
      if (closed) return res; // a late chunk after return(): nobody will send it
      ex.checkCaught();
      if (res.done) {
        close();
        rec.done = true;
        ex.checkEnd();
        pos.atDone(ex);
        ex.reporter.changed();
        return res;
      }
      const chunk = res.value;
      ex.yields++;
      if (!(chunk instanceof Uint8Array)) {
        r.report(
          'APP-04',
          'application',
          `body chunk must be a Uint8Array, got ${describe(chunk)}`,
        );
        return res;
      }
      ex.produce(chunk, 'body');
      rec.chunks++;
      rec.bytes += chunk.length;
      pos.atYield(ex);
      lastChunk = guard(chunk, false);
      ex.lastHanded = lastChunk.chunk;
      return { done: false, value: lastChunk.chunk };
    },
    /** A violation thrown while checking a chunk ends the iteration, as a throwing next() would. */
    settledOrFail(res: IteratorResult<unknown>): IteratorResult<Uint8Array> {
      try {
        return this.settled(res) as IteratorResult<Uint8Array>;
      } catch (err) {
        this.failed();
        throw err;
      }
    },
    failed(): void {
      pending = false;
      ex.iterating = false;
      close();
      rec.threw = true;
      ex.reporter.changed();
    },
    returned(): void {
      rec.returnCalls++;
      // BODY-05: exactly once, and only for an unfinished iterator.
      if (rec.returnCalls > 1) r.note('BODY-05', 'server', 'return() called more than once');
      else if (rec.done || rec.threw)
        r.note('BODY-05', 'server', 'return() on a finished iterator', 'warning');
      close();
      ex.reporter.changed();
    },
  };
}

function _asyncIterator(
  it: AsyncIterator<unknown>,
  ex: Exchange,
  pos: ChainPosition,
): AsyncIterator<Uint8Array> {
  const s = _iteration(ex, pos);
  return {
    next(): Promise<IteratorResult<Uint8Array>> {
      if (!s.before()) return Promise.resolve({ done: true, value: undefined });
      let p: Promise<IteratorResult<unknown>>;
      try {
        p = Promise.resolve(it.next());
      } catch (err) {
        s.failed();
        return Promise.reject(err);
      }
      return p.then(
        (res) => s.settledOrFail(res),
        (err: unknown) => {
          s.failed();
          throw err;
        },
      );
    },
    return(value?: unknown): Promise<IteratorResult<Uint8Array>> {
      s.returned();
      if (typeof it.return !== 'function') return Promise.resolve({ done: true, value });
      return Promise.resolve(it.return(value)) as Promise<IteratorResult<Uint8Array>>;
    },
  };
}

function _syncIterator(
  it: Iterator<unknown>,
  ex: Exchange,
  pos: ChainPosition,
): Iterator<Uint8Array> {
  const s = _iteration(ex, pos);
  return {
    next(): IteratorResult<Uint8Array> {
      if (!s.before()) return { done: true, value: undefined };
      let res: IteratorResult<unknown>;
      try {
        res = it.next();
      } catch (err) {
        s.failed();
        throw err;
      }
      return s.settledOrFail(res);
    },
    return(value?: unknown): IteratorResult<Uint8Array> {
      s.returned();
      if (typeof it.return !== 'function') return { done: true, value };
      return it.return(value) as IteratorResult<Uint8Array>;
    },
  };
}
