/**
 * Content-length overrun (BODY-08), chunks by brand (APP-04), contract errors the application
 * catches (ERR-08) and the server's own error responses (ERR-02).
 */
import { runInNewContext } from 'node:vm';
import {
  type Application,
  ContractError,
  InputTooLargeError,
  type ResponseHeaders,
  type Status,
  type Write,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { enc, run, trackedBody } from './_helpers.js';

const respond =
  (status: Status, headers: ResponseHeaders, body: Iterable<Uint8Array>): Application =>
  (_e, start) => {
    start(status, headers);
    return body;
  };

describe('content-length overrun (BODY-08)', () => {
  it('BODY-08: a chunk landing exactly on content-length is sent, then return(), no further next()', async () => {
    const { body, log } = trackedBody([enc('abc'), enc('never')]);
    const rec = await run(respond('200 OK', [['content-length', '3']], body));
    expect(rec.events).toEqual(['head 200 OK', 'write 3', 'end']);
    expect(log).toEqual({ returns: 1, closes: 1, nexts: 1 });
    expect(rec.errors).toBe('');
  });

  it('BODY-08: the same for an async body', async () => {
    let nexts = 0;
    let returns = 0;
    const body = {
      [Symbol.asyncIterator]: () => ({
        async next(): Promise<IteratorResult<Uint8Array>> {
          nexts++;
          return { done: false, value: enc('abc') };
        },
        async return(): Promise<IteratorResult<Uint8Array>> {
          returns++;
          return { done: true, value: undefined };
        },
      }),
    };
    const rec = await run((_e, start) => {
      start('200 OK', [['content-length', '6']]);
      return body;
    });
    expect(rec.text()).toBe('abcabc');
    expect([nexts, returns]).toEqual([2, 1]);
  });

  it('BODY-08: a crossing write() sends the bytes up to the limit and rejects with BODY-08', async () => {
    const results: unknown[] = [];
    const rec = await run(async (_e, start) => {
      const write = start('200 OK', [['content-length', '4']]);
      const settle = (p: Promise<void>) =>
        p.then(
          () => 'ok',
          (err: unknown) => err,
        );
      results.push(await settle(write(enc('ab'))));
      results.push(await settle(write(enc('cdef'))));
      results.push(await settle(write(enc('g')))); // later non-empty writes reject the same
      results.push(await settle(write(new Uint8Array(0)))); // an empty one does not
      return [];
    });
    expect(results[0]).toBe('ok');
    expect(results[1]).toBeInstanceOf(ContractError);
    expect((results[1] as ContractError).requirement).toBe('BODY-08');
    expect((results[2] as ContractError).requirement).toBe('BODY-08');
    expect(results[3]).toBe('ok');
    expect(rec.text()).toBe('abcd');
    expect(rec.events).toEqual(['head 200 OK', 'write 2', 'write 2', 'end']);
  });

  it('BODY-08: a write() landing exactly on the limit resolves; the next non-empty one rejects', async () => {
    let second: unknown;
    const rec = await run(async (_e, start) => {
      const write = start('200 OK', [['content-length', '3']]);
      await write(enc('abc'));
      second = await write(enc('d')).catch((err: unknown) => err);
      return [];
    });
    expect(second).toMatchObject({ requirement: 'BODY-08' });
    expect(rec.text()).toBe('abc');
    expect(rec.ended).toBe(true);
  });
});

describe('chunks by brand (APP-04)', () => {
  const foreign = () => runInNewContext('new Uint8Array([65])') as Uint8Array;

  it('APP-04: a Uint8Array from another realm is a chunk, in write() and in a body', async () => {
    expect(foreign() instanceof Uint8Array).toBe(false); // what the engine must not rely on
    const rec = await run(async (_e, start) => {
      const write = start('200 OK', []);
      await write(foreign());
      return [foreign()];
    });
    expect(rec.status).toBe('200 OK');
    expect(rec.text()).toBe('AA');
    const streamed = await run(respond('200 OK', [], [foreign()].values()));
    expect(streamed.text()).toBe('A');
  });

  it('APP-04: other typed arrays, DataView, ArrayBuffer and look-alikes are refused', async () => {
    const bad = [
      new Int8Array([65]),
      new Uint8ClampedArray([65]),
      new DataView(new ArrayBuffer(1)),
      new ArrayBuffer(1),
      runInNewContext('new Int8Array([65])'),
      { [Symbol.toStringTag]: 'Uint8Array', length: 1, 0: 65 },
    ];
    for (const chunk of bad) {
      let refused: unknown;
      const rec = await run(async (_e, start) => {
        const write = start('200 OK', []);
        refused = await write(chunk as Uint8Array).catch((err: unknown) => err);
        return [];
      });
      expect(refused).toMatchObject({ requirement: 'APP-04' });
      expect(rec.chunks).toEqual([]);
      const asBody = await run(respond('200 OK', [], [chunk as Uint8Array].values()));
      expect(asBody.status).toBe('500 Internal Server Error');
      expect(asBody.errors).toContain('APP-04');
    }
  });

  it('APP-04: write(badChunk) returns a rejected promise and never throws', async () => {
    let result: Promise<void> | undefined;
    await run((_e, start) => {
      const write = start('200 OK', []);
      expect(() => {
        result = write('text' as unknown as Uint8Array);
      }).not.toThrow();
      return [];
    });
    await expect(result).rejects.toMatchObject({ requirement: 'APP-04' });
  });
});

describe('contract errors the application catches (ERR-08)', () => {
  it('ERR-08: a caught startResponse error is logged when raised; recovering with excInfo gets the response', async () => {
    const rec = await run((_e, start) => {
      try {
        start('200 OK', [['bad name', 'x']]);
      } catch (err) {
        start('400 Bad Request', [['content-type', 'text/plain']], err);
      }
      return [enc('recovered')];
    });
    expect(rec.status).toBe('400 Bad Request');
    expect(rec.text()).toBe('recovered');
    expect(rec.ended).toBe(true);
    // Every line of the engine's own names the request (issue 23).
    expect(rec.errors).toMatch(/^GET \/: ERR-08: .*SR-04: header name "bad name" is not a token/);
    expect(rec.errors).not.toContain('ERR-01');
  });

  it('ERR-08: caught write() rejections (APP-04, WR-02) are logged and do not fail the request', async () => {
    let late: Write | undefined;
    const rec = await run(async (_e, start) => {
      const write = start('200 OK', []);
      late = write;
      await write('str' as unknown as Uint8Array).catch(() => {});
      return (async function* () {
        await write(enc('during iteration')).catch(() => {});
        yield enc('ok');
      })();
    });
    expect(rec.status).toBe('200 OK');
    expect(rec.text()).toBe('ok');
    expect(rec.ended).toBe(true);
    expect(rec.errors).toMatch(/ERR-08: .*APP-04/);
    expect(rec.errors).toMatch(/ERR-08: .*WR-02: write\(\) called after body iteration began/);
    await late!(enc('after')).catch(() => {});
    expect(rec.errors).toMatch(/ERR-08: .*WR-02: write\(\) called after the response ended/);
  });

  it('ERR-08, ERR-01: an escaping contract error is logged with its stack once, then named by ERR-01', async () => {
    const rec = await run((_e, start) => {
      start('200 OK', []);
      start('200 OK', []); // SR-09, not caught
      return [];
    });
    expect(rec.status).toBe('500 Internal Server Error');
    const lines = rec.errors.split('\n').filter((l) => /^GET \/: ERR-0[18]/.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^GET \/: ERR-08: .*ContractError: SR-09/);
    expect(lines[1]).toMatch(
      /^GET \/: ERR-01: .*escaped \(SR-09: startResponse called a second time/,
    );
    // The stack went out with ERR-08; ERR-01 is the one line that ends the log.
    expect(rec.errors.trimEnd().split('\n').at(-1)).toBe(lines[1]);
  });
});

describe("the server's own error responses (ERR-02)", () => {
  it('ERR-02: the generic 500 is exactly status, text/plain, content-length 22 and its body', async () => {
    const rec = await run(() => {
      throw new Error('secret');
    });
    expect(rec.status).toBe('500 Internal Server Error');
    expect(rec.headers).toEqual([
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', '22'],
    ]);
    expect(rec.text()).toBe('Internal Server Error\n');
    expect(rec.events).toEqual(['head 500 Internal Server Error', 'write 22', 'end']);
  });

  it('ERR-02, IN-08: the 413 is Content Too Large likewise', async () => {
    const rec = await run(() => {
      throw new InputTooLargeError(10);
    });
    expect(rec.status).toBe('413 Content Too Large');
    expect(rec.headers).toEqual([
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', '18'],
    ]);
    expect(rec.text()).toBe('Content Too Large\n');
  });
});
