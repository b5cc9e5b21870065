import { getEventListeners } from 'node:events';
import { type Application, ClientDisconnectError } from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { enc, run, trackedBody } from './_helpers.js';

const ok =
  (
    body: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
    headers: Array<[string, string]> = [],
  ): Application =>
  (_e, start) => {
    start('200 OK', headers);
    return body;
  };

describe('application return values (APP-03..APP-08)', () => {
  const bad: Array<[string, unknown]> = [
    ['a string', 'hello'],
    ['a bare Uint8Array', enc('hello')],
    ['undefined', undefined],
    ['null', null],
    ['a number', 42],
    ['a plain object', { body: 'x' }],
  ];
  for (const [what, value] of bad) {
    it(`APP-03: returning ${what} gives a 500 and logs APP-03`, async () => {
      const rec = await run((_e, start) => {
        start('200 OK', []);
        return value as Iterable<Uint8Array>;
      });
      expect(rec.status).toBe('500 Internal Server Error');
      expect(rec.errors).toContain('APP-03');
    });
  }

  it('APP-04: a string chunk gives a 500 naming APP-04, and return() is called', async () => {
    const { body, log } = trackedBody([enc('a')]);
    const wrapped = {
      [Symbol.iterator]() {
        const it = body[Symbol.iterator]();
        let first = true;
        return {
          next: () => {
            if (!first) return it.next();
            first = false;
            return { done: false as const, value: 'str' as unknown as Uint8Array };
          },
          return: () => it.return!(),
        };
      },
    };
    const rec = await run(ok(wrapped));
    expect(rec.status).toBe('500 Internal Server Error');
    expect(rec.errors).toContain('APP-04');
    expect(log.returns).toBe(1);
  });

  it('APP-05: bytes before startResponse are an error (500 naming APP-05)', async () => {
    const rec = await run(() => [enc('too early')]);
    expect(rec.status).toBe('500 Internal Server Error');
    expect(rec.errors).toContain('APP-05');
  });

  it('APP-06: a body that ends without startResponse is an error', async () => {
    const rec = await run(() => []);
    expect(rec.status).toBe('500 Internal Server Error');
    expect(rec.errors).toContain('APP-06');
  });

  it('APP-07: empty chunks send nothing and do not end the body', async () => {
    const rec = await run(ok([new Uint8Array(0), enc('a'), new Uint8Array(0), enc('b')]));
    expect(rec.events).toEqual(['head 200 OK', 'write 1', 'write 1', 'end']);
  });

  it('APP-08, BODY-10: the engine frames an Array body with its total length', async () => {
    const rec = await run(ok([enc('ab'), enc('cde')], [['content-type', 'text/plain']]));
    expect(rec.headers).toEqual([
      ['content-type', 'text/plain'],
      ['content-length', '5'],
    ]);
    expect(rec.framing).toBe('whole');
  });

  it('BODY-01: async iterables are consumed with Symbol.asyncIterator, sync ones with Symbol.iterator', async () => {
    const both = {
      [Symbol.asyncIterator]: async function* () {
        yield enc('async');
      },
      [Symbol.iterator]: function* () {
        yield enc('sync');
      },
    };
    expect((await run(ok(both))).text()).toBe('async');
    expect((await run(ok(new Set([enc('sync')])))).text()).toBe('sync');
  });
});

describe('release (BODY-04..BODY-07)', () => {
  it('BODY-05, BODY-06: normal end calls close() once and no return()', async () => {
    const { body, log } = trackedBody([enc('a'), enc('b')]);
    const rec = await run(ok(body));
    expect(rec.text()).toBe('ab');
    expect(log).toEqual({ returns: 0, closes: 1, nexts: 3 });
  });

  it('BODY-06: the completion hook prefers asyncDispose, then dispose, then close; exactly one is called', async () => {
    const calls: string[] = [];
    const body = {
      *[Symbol.iterator]() {},
      [Symbol.asyncDispose]: async () => void calls.push('asyncDispose'),
      [Symbol.dispose]: () => void calls.push('dispose'),
      close: () => void calls.push('close'),
    };
    await run(ok(body));
    const body2 = {
      *[Symbol.iterator]() {},
      [Symbol.dispose]: () => void calls.push('dispose'),
      close: () => void calls.push('close'),
    };
    await run(ok(body2));
    expect(calls).toEqual(['asyncDispose', 'dispose']);
  });

  for (const kind of ['dispose', 'asyncDispose'] as const) {
    it(`BODY-06: ${kind} alone is honoured`, async () => {
      const { body, log } = trackedBody([enc('x')], kind);
      await run(ok(body));
      expect(log.closes).toBe(1);
    });
  }

  it('BODY-06, ERR-02: a body whose iteration throws is still released (close once, no return after the throw, BODY-04)', async () => {
    let closes = 0;
    let returns = 0;
    const body = {
      [Symbol.iterator]() {
        return {
          next(): IteratorResult<Uint8Array> {
            throw new Error('boom in next');
          },
          return() {
            returns++;
            return { done: true as const, value: undefined };
          },
        };
      },
      close: () => void closes++,
    };
    const rec = await run(ok(body));
    expect(rec.status).toBe('500 Internal Server Error');
    expect(closes).toBe(1);
    expect(returns).toBe(0);
  });

  it('BODY-05: content-length reached stops iteration with exactly one return()', async () => {
    const { body, log } = trackedBody([enc('abc'), enc('def'), enc('never')]);
    const rec = await run(ok(body, [['content-length', '6']]));
    expect(rec.text()).toBe('abcdef');
    expect(log.returns).toBe(1);
    expect(log.closes).toBe(1);
    expect(log.nexts).toBe(2);
  });

  it('BODY-07: errors from return() and close() are logged and do not replace the response', async () => {
    const body = {
      [Symbol.iterator]() {
        return {
          next: () => ({ done: false as const, value: enc('abcdef') }),
          return(): IteratorResult<Uint8Array> {
            throw new Error('return exploded');
          },
        };
      },
      close() {
        throw new Error('close exploded');
      },
    };
    const rec = await run(ok(body, [['content-length', '3']]));
    expect(rec.events).toEqual(['head 200 OK', 'write 3', 'end']);
    expect(rec.errors).toContain('BODY-07');
    expect(rec.errors).toContain('return exploded');
    expect(rec.errors).toContain('close exploded');
  });

  it('BODY-06: a body is released even when never iterated (client gone before iteration)', async () => {
    const controller = new AbortController();
    const { body, log } = trackedBody([enc('x')]);
    const rec = await run(
      (_e, start) => {
        start('200 OK', []);
        controller.abort();
        return body;
      },
      { controller },
    );
    expect(log.nexts).toBe(0);
    expect(log.closes).toBe(1);
    expect(rec.events).toEqual(['abort']);
  });
});

describe('content-length (BODY-08, BODY-09)', () => {
  it('BODY-08: an overrun is truncated at the declared length and logged', async () => {
    const rec = await run(ok([enc('hello world')], [['content-length', '5']]));
    expect(rec.text()).toBe('hello');
    expect(rec.ended).toBe(true);
    expect(rec.errors).toContain('BODY-08');
  });

  it('BODY-08: an overrun through write() is truncated too', async () => {
    const rec = await run(async (_e, start) => {
      const write = start('200 OK', [['content-length', '2']]);
      await write(enc('abc')).catch(() => {});
      await write(enc('def')).catch(() => {});
      return [];
    });
    expect(rec.text()).toBe('ab');
    expect(rec.ended).toBe(true);
  });

  it('BODY-09: an underrun aborts the response instead of ending it', async () => {
    const rec = await run(ok([enc('abc')], [['content-length', '10']]));
    expect(rec.events).toEqual(['head 200 OK', 'write 3', 'abort']);
    expect(rec.ended).toBe(false);
    expect(rec.errors).toContain('BODY-09');
  });
});

describe('bodiless responses (BODY-12, BODY-13)', () => {
  it('BODY-12, BODY-18: HEAD sends no body bytes, keeps content-length, obtains no iterator and releases', async () => {
    const { body, log } = trackedBody([enc('abc'), enc('def')]);
    const rec = await run(ok(body, [['content-length', '6']]), { method: 'HEAD' });
    expect(rec.events).toEqual(['head 200 OK', 'end']);
    expect(rec.headers).toEqual([['content-length', '6']]);
    expect(rec.framing).toBe('none');
    expect(log.returns).toBe(0);
    expect(log.closes).toBe(1);
    expect(log.nexts).toBe(0);
  });

  it('BODY-18: HEAD with startResponse called late requests chunks only until it is called', async () => {
    let pulled = 0;
    const rec = await run(
      (_e, start) =>
        (function* () {
          pulled++;
          start('200 OK', []);
          yield enc('dropped');
          pulled++;
          yield enc('never');
        })(),
      { method: 'HEAD' },
    );
    expect(pulled).toBe(1);
    expect(rec.events).toEqual(['head 200 OK', 'end']);
  });

  it('BODY-12: HEAD of a streamed body gets no content-length (not 0)', async () => {
    const rec = await run(
      ok(
        (async function* () {
          yield enc('abc');
        })(),
      ),
      { method: 'HEAD' },
    );
    expect(rec.headers).toEqual([]);
    expect(rec.framing).toBe('none');
  });

  it('BODY-25, BODY-12: HEAD never gets a content-length from the engine, even for an Array body', async () => {
    const rec = await run(ok([enc('abcd')]), { method: 'HEAD' });
    expect(rec.headers).toEqual([]);
    expect(rec.framing).toBe('none');
    expect(rec.chunks).toEqual([]);
  });

  for (const status of ['204 No Content', '304 Not Modified'] as const) {
    it(`BODY-13: ${status} sends no body and releases it`, async () => {
      const { body, log } = trackedBody([enc('oops')]);
      const rec = await run((_e, start) => {
        start(status, []);
        return body;
      });
      expect(rec.events).toEqual([`head ${status}`, 'end']);
      expect(log.closes).toBe(1);
    });
  }
});

describe('errors (ERR-01..ERR-05)', () => {
  it('ERR-01, ERR-02: a throw before startResponse gives a generic 500 with no stack trace', async () => {
    const rec = await run(() => {
      throw new Error('secret detail');
    });
    expect(rec.status).toBe('500 Internal Server Error');
    expect(rec.text()).toBe('Internal Server Error\n');
    expect(rec.text()).not.toContain('secret');
    expect(rec.errors).toContain('secret detail');
  });

  it('ERR-02: a rejected promise gives a 500; exposeErrors puts the stack in the body', async () => {
    const rec = await run(async () => Promise.reject(new Error('visible')), { expose: true });
    expect(rec.status).toBe('500 Internal Server Error');
    expect(rec.text()).toContain('visible');
  });

  it('ERR-02: a 500 for HEAD has no body', async () => {
    const rec = await run(
      () => {
        throw new Error('x');
      },
      { method: 'HEAD' },
    );
    expect(rec.events).toEqual(['head 500 Internal Server Error', 'end']);
  });

  it('ERR-03: a throw after headers were sent aborts the response', async () => {
    const rec = await run(
      ok(
        (function* () {
          yield enc('partial');
          throw new Error('late');
        })(),
      ),
    );
    expect(rec.events).toEqual(['head 200 OK', 'write 7', 'abort']);
  });

  it('ERR-04, BODY-05: a disconnect releases an idle async body without waiting for its next chunk', async () => {
    const controller = new AbortController();
    let returned = 0;
    let closed = 0;
    let pendingNext = false;
    const body = {
      [Symbol.asyncIterator]() {
        let n = 0;
        return {
          next(): Promise<IteratorResult<Uint8Array>> {
            if (n++ === 0) return Promise.resolve({ done: false, value: enc('first') });
            pendingNext = true;
            setTimeout(() => controller.abort(), 5);
            return new Promise(() => {}); // never settles: an idle stream
          },
          return() {
            returned++;
            return Promise.resolve({ done: true as const, value: undefined });
          },
        };
      },
      close: () => void closed++,
    };
    const rec = await run(ok(body), { controller });
    expect(pendingNext).toBe(true);
    expect(returned).toBe(1);
    expect(closed).toBe(1);
    expect(rec.events).toEqual(['head 200 OK', 'write 5', 'abort']);
    expect(rec.status).toBe('200 OK');
    expect(rec.errors).toBe(''); // ERR-04: expected, not an error
  });

  it('BODY-05: an async body leaves no listener on tsgi.signal once it completed, however many chunks', async () => {
    const controller = new AbortController();
    const before = getEventListeners(controller.signal, 'abort').length;
    const body = (async function* () {
      for (let i = 0; i < 50; i++) yield enc('x');
    })();
    const rec = await run(ok(body), { controller });
    expect(rec.events.filter((e) => e === 'write 1')).toHaveLength(50);
    // One listener watched the disconnect for the whole body; it is gone with the body (a signal
    // a middleware keeps does not keep the finished response's state alive).
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(before);
  });

  it('ERR-05: write() after a disconnect rejects with ClientDisconnectError', async () => {
    const controller = new AbortController();
    let write: ((c: Uint8Array) => Promise<void>) | undefined;
    const rec = await run(
      async (_e, start) => {
        write = start('200 OK', []);
        await write(enc('a'));
        controller.abort();
        return [];
      },
      { controller },
    );
    expect(rec.events).toEqual(['head 200 OK', 'write 1', 'abort']);
    await expect(write!(enc('b'))).rejects.toBeInstanceOf(ClientDisconnectError);
  });
});
