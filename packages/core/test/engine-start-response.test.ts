import {
  type Application,
  ContractError,
  type ResponseHeaders,
  runApplication,
  type Status,
  validateHeaders,
  validateStatus,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { enc, makeEnviron, recordingSink, run } from './_helpers.js';

/** An app that calls startResponse with the given (possibly invalid) arguments and reports. */
function tryStart(status: unknown, headers: unknown) {
  let thrown: unknown;
  const app: Application = (_env, start) => {
    try {
      start(status as Status, headers as ResponseHeaders);
    } catch (err) {
      thrown = err;
      start('200 OK', [], err);
    }
    return [enc('x')];
  };
  return { app, thrown: () => thrown as ContractError | undefined };
}

describe('startResponse validation (SR-02..SR-07)', () => {
  const bad: Array<[string, unknown, unknown]> = [
    ['SR-02', 200, []],
    ['SR-02', '200', []],
    ['SR-02', '99 Low', []],
    ['SR-02', '600 High', []],
    ['SR-02', '200 OK\r\nX: y', []],
    ['SR-02', '200 OK ', []],
    ['SR-02', '101 Switching Protocols', []],
    ['SR-03', '200 OK', { 'content-type': 'text/plain' }],
    ['SR-03', '200 OK', [['a']]],
    ['SR-03', '200 OK', [['a', 1]]],
    ['SR-04', '200 OK', [['bad name', 'v']]],
    ['SR-04', '200 OK', [['Status', '200']]],
    ['SR-05', '200 OK', [['x', 'a\r\nset-cookie: evil']]],
    ['SR-05', '200 OK', [['x', 'a\nb']]],
    ['SR-05', '200 OK', [['x', 'a\0b']]],
    ['SR-05', '200 OK', [['x', 'snowman \u2603']]],
    ['SR-05', '200 OK', [['x', 'bell \x07']]],
    ['SR-05', '200 OK', [['x', 'del \x7f']]],
    ['SR-15', '200 OK', [['content-length', '12a']]],
    [
      'SR-15',
      '200 OK',
      [
        ['content-length', '1'],
        ['Content-Length', '2'],
      ],
    ],
    ['SR-06', '200 OK', [['Connection', 'close']]],
    ['SR-06', '200 OK', [['transfer-encoding', 'chunked']]],
    ['SR-06', '200 OK', [['Upgrade', 'websocket']]],
    ['SR-06', '200 OK', [['keep-alive', 'timeout=5']]],
  ];
  for (const [id, status, headers] of bad) {
    it(`${id}, SR-07: rejects ${JSON.stringify(status)} ${JSON.stringify(headers)} synchronously in startResponse`, async () => {
      const t = tryStart(status, headers);
      const rec = await run(t.app);
      expect(t.thrown()).toBeInstanceOf(ContractError);
      expect(t.thrown()?.requirement).toBe(id);
      expect(t.thrown()?.message).toMatch(new RegExp(`^${id}:`));
      // The app recovered with excInfo, so the replacement response was sent.
      expect(rec.status).toBe('200 OK');
    });
  }

  it('SR-02..06: accepts valid status lines and headers, keeping order and repeats (SR-03)', async () => {
    const headers: ResponseHeaders = [
      ['Content-Type', 'text/plain'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-latin1', 'caf\u00e9\tok'],
    ];
    const rec = await run((_e, start) => {
      start('299 Custom reason phrase', headers);
      return [enc('hi')];
    });
    expect(rec.status).toBe('299 Custom reason phrase');
    // BODY-10: the engine's own content-length comes after the app's headers.
    expect(rec.headers).toEqual([...headers, ['content-length', '2']]);
  });
});

describe('deferred headers (SR-08)', () => {
  it('SR-08: sends nothing at startResponse; headers go with the first non-empty chunk', async () => {
    const seen: string[][] = [];
    let events: string[] = [];
    const rec = await run((_e, start) => {
      start('200 OK', []);
      return (function* () {
        seen.push([...events]);
        yield new Uint8Array(0);
        yield enc('abc');
      })();
    });
    events = rec.events;
    expect(seen[0]).toEqual([]);
    expect(rec.events).toEqual(['head 200 OK', 'write 3', 'end']);
  });

  it('SR-08, BODY-10: an empty body sends headers at the end with content-length 0', async () => {
    const rec = await run((_e, start) => {
      start('200 OK', []);
      return (function* () {
        yield new Uint8Array(0);
      })();
    });
    expect(rec.events).toEqual(['head 200 OK', 'end']);
    expect(rec.headers).toEqual([['content-length', '0']]);
    expect(rec.framing).toBe('whole');
  });

  it('SR-08, APP-05: startResponse may be called during iteration, before the first chunk', async () => {
    const rec = await run((_e, start) =>
      (async function* () {
        start('201 Created', [['x', 'late']]);
        yield enc('ok');
      })(),
    );
    expect(rec.status).toBe('201 Created');
    expect(rec.text()).toBe('ok');
  });
});

describe('second calls and excInfo (SR-09, SR-10)', () => {
  it('SR-09: a second call without excInfo throws', async () => {
    let err: unknown;
    await run((_e, start) => {
      start('200 OK', []);
      try {
        start('404 Not Found', []);
      } catch (e) {
        err = e;
      }
      return [enc('x')];
    });
    expect((err as ContractError).requirement).toBe('SR-09');
  });

  it('SR-09: a second call throws even when the first call threw', async () => {
    const errs: unknown[] = [];
    await run((_e, start) => {
      for (const s of ['bad', '200 OK']) {
        try {
          start(s as Status, []);
        } catch (e) {
          errs.push(e);
        }
      }
      return [];
    });
    expect((errs[0] as ContractError).requirement).toBe('SR-02');
    expect((errs[1] as ContractError).requirement).toBe('SR-09');
  });

  it('SR-10: excInfo before headers are sent replaces status and headers', async () => {
    const rec = await run((_e, start) => {
      start('200 OK', [['content-type', 'text/html']]);
      start('503 Service Unavailable', [['retry-after', '5']], new Error('db down'));
      return [enc('later')];
    });
    expect(rec.status).toBe('503 Service Unavailable');
    expect(rec.headers).toEqual([
      ['retry-after', '5'],
      ['content-length', '5'],
    ]);
  });

  it('SR-10: excInfo after headers are sent rethrows excInfo itself, and the response is aborted (ERR-03)', async () => {
    const original = new Error('mid-stream failure');
    let rethrown: unknown;
    const rec = await run((_e, start) => {
      start('200 OK', []);
      return (function* () {
        yield enc('part');
        try {
          start('500 Internal Server Error', [], original);
        } catch (e) {
          rethrown = e;
          throw e;
        }
      })();
    });
    expect(rethrown).toBe(original);
    expect(rec.events).toEqual(['head 200 OK', 'write 4', 'abort']);
    expect(rec.errors).toContain('mid-stream failure');
  });
});

describe('write() (WR-01..WR-03)', () => {
  it('WR-01: write returns a promise that waits for the transport (backpressure)', async () => {
    let settledBeforeSink = true;
    const rec = await run(
      async (_e, start) => {
        const write = start('200 OK', []);
        const p = write(enc('one'));
        expect(p).toBeInstanceOf(Promise);
        let done = false;
        void p.then(() => {
          done = true;
        });
        await Promise.resolve();
        settledBeforeSink = done;
        await p;
        return [];
      },
      { slow: true },
    );
    expect(settledBeforeSink).toBe(false);
    expect(rec.text()).toBe('one');
  });

  it('WR-02: chunks passed to write precede the chunks of the returned body', async () => {
    const rec = await run(async (_e, start) => {
      const write = start('200 OK', []);
      await write(enc('a'));
      await write(enc('b'));
      return [enc('c')];
    });
    expect(rec.text()).toBe('abc');
    expect(rec.headers).toEqual([]);
    expect(rec.framing).toBe('open');
  });

  it('WR-02: write after the response completed rejects', async () => {
    let write: ((c: Uint8Array) => Promise<void>) | undefined;
    await run((_e, start) => {
      write = start('200 OK', []);
      return [];
    });
    await expect(write!(enc('late'))).rejects.toMatchObject({ requirement: 'WR-02' });
  });

  it('APP-04: write rejects a string chunk', async () => {
    let err: unknown;
    await run(async (_e, start) => {
      const write = start('200 OK', []);
      await write('text' as unknown as Uint8Array).catch((e) => {
        err = e;
      });
      return [];
    });
    expect((err as ContractError).requirement).toBe('APP-04');
  });
});

describe('validation caches stay exact (SR-02, SR-04, SR-06, SR-15)', () => {
  it('a name or status accepted before does not let a bad one through later', () => {
    // Warm the caches with valid uses first, then misuse the same names.
    for (let i = 0; i < 3; i++) {
      expect(validateHeaders([['content-length', '5']])).toBe(5);
      validateStatus('200 OK');
    }
    expect(() => validateHeaders([['content-length', 'x5']])).toThrow(/^SR-15:/);
    expect(() => validateHeaders([['content-length', '5\r\nx: y']])).toThrow(/^SR-05:/);
    for (let i = 0; i < 3; i++) {
      expect(() => validateHeaders([['Connection', 'close']])).toThrow(/^SR-06:/);
      expect(() => validateHeaders([['status', '200']])).toThrow(/^SR-04:/);
      expect(() => validateHeaders([['bad name', 'v']])).toThrow(/^SR-04:/);
      expect(() => validateStatus('200 OK\r\n')).toThrow(/^SR-02:/);
    }
  });
});

describe('validation caches start empty (SR-02)', () => {
  it("a fresh module does not accept '' (the status cache's first value; fast-check found it)", async () => {
    const fresh = '../src/headers.ts?fresh-cache'; // vite loads a query as another module
    const headers = (await import(/* @vite-ignore */ fresh)) as typeof import('../src/headers.js');
    expect(() => headers.validateStatus('')).toThrow(/^SR-02:/);
  });
});

describe('synchronous completion', () => {
  it('an Array body without backpressure is ended on the sink before runApplication returns', () => {
    const { environ, rec } = makeEnviron();
    const sink = recordingSink(rec);
    const done = runApplication(
      (_e, start) => {
        start('200 OK', []);
        return [enc('a'), enc('b')];
      },
      environ,
      sink,
    );
    // Adapters rely on this to skip watching a response that is already complete.
    expect(rec.events).toEqual(['head 200 OK', 'write 1', 'write 1', 'end']);
    return done;
  });

  it('a sink that waits (backpressure) continues the same Array body asynchronously', async () => {
    const { environ, rec } = makeEnviron();
    const done = runApplication(
      (_e, start) => {
        start('200 OK', []);
        return [enc('a'), enc('b'), enc('c')];
      },
      environ,
      recordingSink(rec, { slow: true }),
    );
    expect(rec.ended).toBe(false);
    await done;
    expect(rec.events).toEqual(['head 200 OK', 'write 1', 'write 1', 'write 1', 'end']);
  });
});
