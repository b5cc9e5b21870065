/**
 * Release order (BODY-16, BODY-19): what the engine calls on the body and on the sink, in one
 * event list.
 */
import { type Application, runApplication, type Write } from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { asyncEventBody, enc, eventBody, makeEnviron, recordingSink, start } from './_helpers.js';

const tick = () => new Promise<void>((r) => setTimeout(r, 5));

describe('release order (BODY-16)', () => {
  it('BODY-16: the completion hook runs after the response ended', async () => {
    const { environ, rec } = makeEnviron();
    await runApplication(
      (_e, sr) => {
        sr('200 OK', []);
        return eventBody(rec.events, [enc('a')]);
      },
      environ,
      recordingSink(rec),
    );
    expect(rec.events).toEqual([
      'iterator',
      'next',
      'head 200 OK',
      'write 1',
      'next',
      'end',
      'close',
    ]);
  });

  it('BODY-16, BODY-05: return() (sync and async bodies) precedes end(), which precedes the hook', async () => {
    for (const make of [eventBody, asyncEventBody]) {
      const { environ, rec } = makeEnviron();
      const events = rec.events;
      await runApplication(
        (_e, sr) => {
          sr('200 OK', [['content-length', '2']]);
          return make(events, [enc('ab'), enc('never')]) as Iterable<Uint8Array>;
        },
        environ,
        recordingSink(rec),
      );
      expect(events).toEqual([
        'iterator',
        'next',
        'head 200 OK',
        'write 2',
        'return',
        'end',
        'close',
      ]);
    }
  });

  it('BODY-16, BODY-04: after next() threw there is no return(); the 500 goes out, then the hook', async () => {
    const { environ, rec } = makeEnviron();
    const events = rec.events;
    const body = {
      [Symbol.iterator]: () => ({
        next(): IteratorResult<Uint8Array> {
          events.push('next');
          throw new Error('boom');
        },
        return(): IteratorResult<Uint8Array> {
          events.push('return');
          return { done: true, value: undefined };
        },
      }),
      close: () => void events.push('close'),
    };
    await runApplication(
      (_e, sr) => {
        sr('200 OK', []);
        return body;
      },
      environ,
      recordingSink(rec),
    );
    expect(events).toEqual(['next', 'head 500 Internal Server Error', 'write 22', 'end', 'close']);
  });

  it('BODY-16, ERR-03: an aborted response is aborted before the hook runs', async () => {
    const { environ, rec } = makeEnviron();
    const events = rec.events;
    await runApplication(
      (_e, sr) => {
        sr('200 OK', []);
        return {
          *[Symbol.iterator]() {
            yield enc('partial');
            throw new Error('late');
          },
          close: () => void events.push('close'),
        };
      },
      environ,
      recordingSink(rec),
    );
    expect(events).toEqual(['head 200 OK', 'write 7', 'abort', 'close']);
  });

  it('BODY-16, BODY-19: when end() returns a promise, the hook waits for it', async () => {
    let release!: () => void;
    const finished = new Promise<void>((r) => {
      release = r;
    });
    const events: string[] = [];
    const r = start(
      (_e, sr) => {
        sr('200 OK', []);
        return eventBody(events, [enc('abc')]);
      },
      { end: () => finished },
    );
    await tick();
    expect(r.rec.events).toEqual(['head 200 OK', 'write 3', 'end']);
    expect(events).toEqual(['iterator', 'next', 'next']);
    expect(r.settled()).toBe(false);
    release();
    await r.done;
    expect(events.at(-1)).toBe('close');
  });

  it('BODY-16, SRV-09: a promise returned by the hook is awaited before runApplication resolves', async () => {
    let release!: () => void;
    const hookDone = new Promise<void>((r) => {
      release = r;
    });
    const events: string[] = [];
    const r = start((_e, sr) => {
      sr('200 OK', []);
      return eventBody(events, [enc('x')], () => hookDone);
    });
    await tick();
    expect(r.rec.ended).toBe(true); // the hook never delays the response's end
    expect(events.at(-1)).toBe('close');
    expect(r.settled()).toBe(false);
    release();
    await r.done;
    expect(r.settled()).toBe(true);
  });

  it('BODY-07: a hook whose promise rejects is logged; runApplication still resolves', async () => {
    const r = start((_e, sr) => {
      sr('200 OK', []);
      return eventBody([], [enc('x')], () => Promise.reject(new Error('dispose failed')));
    });
    await r.done;
    expect(r.rec.errors).toMatch(/BODY-07: .*close\(\).*dispose failed/);
    expect(r.rec.events).toEqual(['head 200 OK', 'write 1', 'end']);
  });

  it('SR-14, WR-02: inside the completion hook the response has ended', async () => {
    let write: Write | undefined;
    let startAgain: (() => unknown) | undefined;
    let thrown: unknown;
    let writeResult: Promise<unknown> | undefined;
    const r = start((_e, sr) => {
      write = sr('200 OK', []);
      startAgain = () => sr('500 Oops', [], new Error('x'));
      return eventBody([], [enc('x')], () => {
        try {
          startAgain!();
        } catch (err) {
          thrown = err;
        }
        writeResult = write!(enc('late')).catch((err: unknown) => err);
      });
    });
    await r.done;
    expect(thrown).toMatchObject({ requirement: 'SR-14' });
    expect(await writeResult).toMatchObject({ requirement: 'WR-02' });
    expect(r.rec.events).toEqual(['head 200 OK', 'write 1', 'end']);
  });

  it('BODY-06: the hook is found by ordinary property access (inherited) and called exactly once', async () => {
    let calls = 0;
    class Body {
      *[Symbol.iterator]() {
        yield enc('a');
      }
      close() {
        calls++;
      }
    }
    const r = start((_e, sr) => {
      sr('200 OK', []);
      return new Body();
    });
    await r.done;
    expect(calls).toBe(1);
  });
});

describe('synchronous completion (BODY-16 fast path)', () => {
  const hello: Application = (_e, sr) => {
    sr('200 OK', []);
    return [enc('hi')];
  };

  it('an Array body without a hook, sent at once, completes with the shared resolved promise', () => {
    const a = makeEnviron();
    const b = makeEnviron();
    const first = runApplication(hello, a.environ, recordingSink(a.rec));
    const second = runApplication(hello, b.environ, recordingSink(b.rec));
    expect(first).toBe(second); // no promise (and no microtask) per request
    expect(a.rec.events).toEqual(['head 200 OK', 'write 2', 'end']);
  });

  it('a hook returning a promise, or an end() returning one, makes runApplication wait', async () => {
    const { environ, rec } = makeEnviron();
    const sink = recordingSink(rec);
    const base = runApplication(hello, makeEnviron().environ, recordingSink(makeEnviron().rec));
    const withHook = runApplication(
      (_e, sr) => {
        sr('200 OK', []);
        return Object.assign([enc('hi')], { close: () => Promise.resolve() });
      },
      environ,
      sink,
    );
    expect(withHook).not.toBe(base);
    await withHook;
  });
});
