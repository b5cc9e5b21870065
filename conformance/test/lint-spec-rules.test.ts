/** Server-side lint checks for the rules the 1.0 spec added (BODY-15..18, IN-11, SR-14, ERR-06...). */
import type { InputStream, StartResponse } from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { drive, fakeEnviron, ids, te } from './_lint-helpers.js';

const hello = (_e: unknown, start: StartResponse) => {
  start('200 OK', [['content-type', 'text/plain']]);
  return (async function* () {
    yield te.encode('a');
    yield te.encode('b');
  })();
};

describe('lint: rules added by the 1.0 spec', () => {
  it('BODY-18: next() for HEAD after startResponse; BODY-15: next() while one is pending', async () => {
    const { body, violations } = drive(hello, fakeEnviron({ REQUEST_METHOD: 'HEAD' }));
    const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    await Promise.all([it.next(), it.next()]);
    expect(ids(violations, 'server')).toEqual(['BODY-18', 'BODY-15']);
  });

  it('BODY-17: an application that reuses a yielded buffer before next()', async () => {
    const buf = te.encode('aaaa');
    const { body, violations } = drive((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return [buf, buf].values();
    }, fakeEnviron());
    const it = (body as Iterable<Uint8Array>)[Symbol.iterator]();
    const first = it.next().value as Uint8Array;
    expect(first).toBe(buf); // the server gets the chunk itself: a copy would hide BODY-19
    buf.fill(98); // what a pooled buffer would do
    it.next();
    expect(ids(violations, 'application')).toEqual(['BODY-17']);
  });

  it('IN-11: a server that reuses the memory of a delivered input chunk', async () => {
    const pool = te.encode('xyz');
    const input: InputStream = {
      read: () => Promise.resolve(pool),
      cancel() {},
      async *[Symbol.asyncIterator]() {},
    };
    const { body, violations } = drive(
      async (env, start) => {
        await env['tsgi.input'].read();
        pool.fill(0);
        await env['tsgi.input'].read();
        start('200 OK', [['content-type', 'text/plain']]);
        return [];
      },
      fakeEnviron({ CONTENT_LENGTH: '6', 'tsgi.input': input }),
    );
    await body;
    expect(ids(violations, 'server')).toEqual(['IN-11']);
  });

  it('SR-14, ERR-06: startResponse after completion, and what a server throws', async () => {
    let late: StartResponse | undefined;
    const { body, violations } = drive(
      (_e, start) => {
        late = start;
        start('200 OK', [['content-type', 'text/plain']]);
        return [te.encode('x')].values();
      },
      fakeEnviron(),
      (status) => {
        if (status.startsWith('500')) throw new Error('not a ContractError');
        return () => Promise.resolve();
      },
    );
    const b = body as Iterable<Uint8Array> & { close(): void };
    for (const _ of b);
    b.close();
    expect(() => late?.('500 Late', [['content-type', 'text/plain']])).toThrow();
    expect(ids(violations, 'application')).toEqual(['SR-14', 'SR-09']);
    expect(ids(violations, 'server')).toEqual(['ERR-06']);
  });

  it('WR-02: a server whose write() resolves after iteration began', async () => {
    let write: ((c: Uint8Array) => Promise<void>) | undefined;
    const { body, violations } = drive((_e, start) => {
      write = start('200 OK', [['content-type', 'text/plain']]);
      return [te.encode('x')].values();
    }, fakeEnviron());
    (body as Iterable<Uint8Array>)[Symbol.iterator]().next();
    await write?.(te.encode('late'));
    expect(ids(violations, 'application')).toEqual(['WR-02']);
    expect(ids(violations, 'server')).toEqual(['WR-02']);
  });

  it('ERRS-02: a server whose tsgi.errors has close()', () => {
    const errors = { write() {}, flush: () => Promise.resolve(), close() {} };
    const { violations } = drive(hello, fakeEnviron({ 'tsgi.errors': errors }));
    expect(ids(violations, 'server')).toEqual(['ERRS-02']);
  });
});
