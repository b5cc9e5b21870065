import {
  createErrorStream,
  InputTooLargeError,
  InputTruncatedError,
  RequestInput,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';

const b = (s: string) => new TextEncoder().encode(s);
const str = (u: Uint8Array) => new TextDecoder().decode(u);

describe('tsgi.input (IN-01..IN-08)', () => {
  it('IN-01: read() resolves a zero-length array at EOF, on every later call too', async () => {
    const input = new RequestInput(null, { length: 3 });
    input.push(b('abc'));
    expect(str(await input.read())).toBe('abc');
    for (let i = 0; i < 3; i++) expect((await input.read()).length).toBe(0);
  });

  it('IN-01: read(maxBytes) returns at most maxBytes and keeps the rest', async () => {
    const input = new RequestInput(null);
    input.push(b('abcdef'));
    input.end();
    expect(str(await input.read(4))).toBe('abcd');
    expect(str(await input.read(4))).toBe('ef');
    expect((await input.read(4)).length).toBe(0);
  });

  it('IN-01: a pending read is satisfied by the next push', async () => {
    const input = new RequestInput(null);
    const p = input.read(2);
    input.push(b('xyz'));
    expect(str(await p)).toBe('xy');
    input.end();
    expect(str(await input.read())).toBe('z');
  });

  it('IN-01: is an AsyncIterable of the body chunks', async () => {
    const input = new RequestInput(null);
    setTimeout(() => {
      input.push(b('a'));
      input.push(b('b'));
      input.end();
    }, 1);
    let all = '';
    for await (const c of input) all += str(c);
    expect(all).toBe('ab');
  });

  it('IN-03: never delivers more than the declared length', async () => {
    const input = new RequestInput(null, { length: 4 });
    input.push(b('abcdef'));
    expect(str(await input.read())).toBe('abcd');
    expect((await input.read()).length).toBe(0);
  });

  it('IN-04: EOF before the declared length rejects with InputTruncatedError, never a normal EOF', async () => {
    const input = new RequestInput(null, { length: 10 });
    input.push(b('abc'));
    const first = await input.read();
    expect(str(first)).toBe('abc');
    const pending = input.read();
    input.end();
    await expect(pending).rejects.toBeInstanceOf(InputTruncatedError);
    await expect(input.read()).rejects.toMatchObject({
      code: 'TSGI_INPUT_TRUNCATED',
      expected: 10,
      received: 3,
    });
  });

  it('IN-08: a body over the limit fails with InputTooLargeError', async () => {
    const input = new RequestInput(null, { limit: 4 });
    input.push(b('abc'));
    input.push(b('de'));
    await expect(input.read()).rejects.toBeInstanceOf(InputTooLargeError);
  });

  it('IN-06: cancel() discards the rest, ends reads, and tells the transport', async () => {
    let cancelled = 0;
    const input = new RequestInput({ cancel: () => void cancelled++ }, { length: 100 });
    input.push(b('abc'));
    input.cancel();
    expect((await input.read()).length).toBe(0);
    expect(cancelled).toBe(1);
  });

  it('IN-06: cancel() after the whole body arrived still discards what is buffered', async () => {
    const input = new RequestInput(null, { length: 3 });
    input.push(b('abc'));
    input.cancel();
    expect((await input.read()).length).toBe(0);
  });

  it('IN-07: firstRead fires once, on the first read, and not for an empty body', async () => {
    let first = 0;
    const input = new RequestInput({ firstRead: () => void first++ }, { length: 2 });
    expect(first).toBe(0);
    const p = input.read();
    input.push(b('hi'));
    await p;
    await input.read();
    expect(first).toBe(1);
    let emptyFirst = 0;
    await new RequestInput({ firstRead: () => void emptyFirst++ }, { length: 0 }).read();
    expect(emptyFirst).toBe(0);
  });

  it('backpressure: pauses the transport above the high-water mark and resumes once drained', async () => {
    const calls: string[] = [];
    const input = new RequestInput(
      { pause: () => void calls.push('pause'), resume: () => void calls.push('resume') },
      { highWaterMark: 4 },
    );
    input.push(b('ab'));
    expect(calls).toEqual([]);
    input.push(b('cde'));
    expect(calls).toEqual(['pause']);
    await input.read();
    await input.read();
    expect(calls).toEqual(['pause', 'resume']);
  });

  it('ERR-05: fail() rejects pending and later reads', async () => {
    const input = new RequestInput(null);
    const p = input.read();
    const err = new Error('gone');
    input.fail(err);
    await expect(p).rejects.toBe(err);
    await expect(input.read()).rejects.toBe(err);
  });
});

describe('tsgi.input, second edition (IN-06, IN-10, IN-13, IN-14)', () => {
  it('IN-10: maxBytes is truncated to an integer: read(2.7) returns 2 bytes', async () => {
    const input = new RequestInput(null, { length: 5 });
    input.push(b('hello'));
    expect(str(await input.read(2.7))).toBe('he');
    expect(str(await input.read(1.0001))).toBe('l');
  });

  it('IN-10: a maxBytes below 1, NaN, Infinity or not a number means any size (never an EOF-like empty chunk)', async () => {
    for (const max of [0.5, 0, -1, Number.NaN, Number.POSITIVE_INFINITY, '3', null, Symbol('x')]) {
      const input = new RequestInput(null, { length: 5 });
      input.push(b('hello'));
      expect(str(await input.read(max as number)), String(max)).toBe('hello');
    }
    // And for a read that waits for the transport.
    const pending = new RequestInput(null);
    const p = pending.read(0.5);
    pending.push(b('abc'));
    expect(str(await p)).toBe('abc');
  });

  it('IN-14: fail() after the whole body arrived changes nothing: buffered bytes, then end of body', async () => {
    const input = new RequestInput(null, { length: 5 });
    input.push(b('hel'));
    input.push(b('lo'));
    input.fail(new Error('disconnect after the body'));
    expect(str(await input.read())).toBe('hel');
    expect(str(await input.read())).toBe('lo');
    expect((await input.read()).length).toBe(0);
    const chunked = new RequestInput(null);
    chunked.push(b('x'));
    chunked.end();
    chunked.fail(new Error('late'));
    expect(str(await chunked.read())).toBe('x');
    expect((await chunked.read()).length).toBe(0);
  });

  it('IN-14: fail() after cancel() changes nothing: reads give the end of body', async () => {
    const input = new RequestInput(null, { length: 100 });
    input.push(b('abc'));
    input.cancel();
    input.fail(new Error('disconnect'));
    expect((await input.read()).length).toBe(0);
  });

  it('IN-14: a body still incomplete at the disconnect rejects (ERR-05)', async () => {
    const input = new RequestInput(null, { length: 100 });
    input.push(b('abc'));
    const err = new Error('gone');
    input.fail(err);
    await expect(input.read()).rejects.toBe(err);
  });

  it('IN-13: a read while one is pending rejects (never throws) naming IN-12; the pending read is undisturbed', async () => {
    const input = new RequestInput(null);
    const first = input.read();
    let second: Promise<Uint8Array> | undefined;
    expect(() => {
      second = input.read();
    }).not.toThrow();
    await expect(second).rejects.toMatchObject({ requirement: 'IN-12' });
    input.push(b('data'));
    expect(str(await first)).toBe('data');
  });

  it('IN-13, ERR-08: the refused read is logged to tsgi.errors when the input has it', async () => {
    let log = '';
    const errors = createErrorStream((t) => {
      log += t;
    });
    const input = new RequestInput(null, { errors });
    void input.read();
    await input.read().catch(() => {});
    expect(log).toMatch(/^ERR-08: .*IN-12: read\(\) called while an earlier read\(\) is pending/);
  });

  it('IN-06: cancel() during a pending read resolves that read with the end of body', async () => {
    let cancelled = 0;
    const input = new RequestInput({ cancel: () => void cancelled++ }, { length: 10 });
    const pending = input.read();
    input.cancel();
    expect((await pending).length).toBe(0);
    expect((await input.read()).length).toBe(0);
    expect(cancelled).toBe(1);
  });
});

describe('readInto: read() without a promise, for the engine echo', () => {
  it('hands a buffered chunk over at once, a later one from within push(), then the end', () => {
    const got: string[] = [];
    const onChunk = (c: Uint8Array) => got.push(c.length === 0 ? '<end>' : str(c));
    const fail = () => got.push('<error>');
    let firstReads = 0;
    const input = new RequestInput({ firstRead: () => void firstReads++ });
    input.push(b('ab'));
    input.readInto(onChunk, fail);
    expect(got).toEqual(['ab']);
    input.readInto(onChunk, fail);
    expect(got).toEqual(['ab']);
    input.push(b('cd'));
    expect(got).toEqual(['ab', 'cd']);
    input.readInto(onChunk, fail);
    input.end();
    expect(got).toEqual(['ab', 'cd', '<end>']);
    expect(firstReads).toBe(1);
  });

  it('IN-04, IN-08: a failure reaches onError, pending or not', () => {
    const errors: unknown[] = [];
    const input = new RequestInput(null, { length: 10 });
    input.readInto(
      () => {},
      (e) => errors.push(e),
    );
    input.end();
    expect(errors[0]).toBeInstanceOf(InputTruncatedError);
    const limited = new RequestInput(null, { limit: 2 });
    limited.push(b('abc'));
    limited.readInto(
      () => {},
      (e) => errors.push(e),
    );
    expect(errors[1]).toBeInstanceOf(InputTooLargeError);
  });

  it('IN-12: refused while a read() is pending', () => {
    const input = new RequestInput(null);
    void input.read();
    let error: unknown;
    input.readInto(
      () => {},
      (e) => (error = e),
    );
    expect(error).toMatchObject({ requirement: 'IN-12' });
  });

  it('IN-06: cancel() ends a pending readInto after telling the source', () => {
    const order: string[] = [];
    const input = new RequestInput({ cancel: () => void order.push('source') });
    input.readInto(
      (c) => order.push(`chunk ${c.length}`),
      () => {},
    );
    input.cancel();
    expect(order).toEqual(['source', 'chunk 0']);
  });
});
