/** Application-side lint checks, run through the real engine in memory (@tsgi/core/testing). */
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import { LintError, lint } from '../src/lint/index.js';
import { ids, linted, te } from './_lint-helpers.js';

const ok: Application = (_env, start) => {
  start('200 OK', [
    ['content-type', 'text/plain'],
    ['content-length', '2'],
  ]);
  return [te.encode('ok')];
};

describe('lint: a conforming application', () => {
  it('reports nothing for array, sync, async and write() bodies', async () => {
    const apps: Application[] = [
      ok,
      (_e, start) => {
        start('200 OK', [['content-type', 'text/plain']]);
        return (function* () {
          yield te.encode('a');
          yield new Uint8Array(0);
        })();
      },
      (_e, start) =>
        (async function* () {
          start('200 OK', [['content-type', 'text/plain']]); // APP-05: inside the first step
          yield te.encode('a');
        })(),
      async (_e, start) => {
        const write = start('200 OK', [['content-type', 'text/plain']]);
        await write(te.encode('w'));
        return [];
      },
    ];
    for (const app of apps) {
      const { res, violations, record } = await linted(app);
      expect(violations).toEqual([]);
      expect(res.status).toBe(200);
      expect(record.startResponse.calls).toBe(1);
    }
  });

  it('records the release of a generator body (BODY-06)', async () => {
    const { record } = await linted((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return (function* () {
        yield te.encode('x');
      })();
    });
    expect(record.released).toBe(true);
    expect(record.body).toMatchObject({ kind: 'sync', hook: 'close', ownHook: false });
    expect(record.body.releaseCalls).toBe(1);
    expect(record.body.done).toBe(true);
  });
});

describe('lint: application violations', () => {
  it.each([
    ['a string', 'hello'],
    ['undefined', undefined],
    ['a bare Uint8Array', new Uint8Array(2)],
    ['a number', 42],
  ])('APP-03: returning %s', async (_name, value) => {
    const { res, violations } = await linted((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return value as never;
    });
    expect(ids(violations, 'application')).toContain('APP-03');
    expect(res.status).toBe(500);
  });

  it('APP-04: a string chunk in a body and in write()', async () => {
    const a = await linted((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return (function* () {
        yield 'text' as never;
      })();
    });
    expect(ids(a.violations)).toContain('APP-04');
    const b = await linted((_e, start) => {
      void start('200 OK', [['content-type', 'text/plain']])('text' as never).catch(() => {});
      return [];
    });
    expect(ids(b.violations)).toContain('APP-04');
  });

  it('APP-05: bytes before startResponse; APP-06: no startResponse at all', async () => {
    const a = await linted((_e, start) =>
      (function* () {
        yield te.encode('early');
        start('200 OK', [['content-type', 'text/plain']]);
      })(),
    );
    expect(ids(a.violations)).toContain('APP-05');
    const b = await linted(() => (function* () {})());
    expect(ids(b.violations)).toContain('APP-06');
  });

  it.each([
    ['SR-02', '200', []],
    ['SR-02', '99 Low', []],
    ['SR-03', '200 OK', 'content-type: x'],
    ['SR-04', '200 OK', [['bad name', 'x']]],
    ['SR-04', '200 OK', [['status', '200']]],
    ['SR-05', '200 OK', [['x-a', 'a\r\nx-injected: 1']]],
    ['SR-05', '200 OK', [['x-a', 'caf\u00e9 \u20ac']]],
    ['SR-06', '200 OK', [['transfer-encoding', 'chunked']]],
    ['BODY-11', '200 OK', [['Transfer-Encoding', 'gzip']]],
    ['SR-06', '200 OK', [['Connection', 'close']]],
  ])('%s: startResponse(%j, %j)', async (id, status, headers) => {
    const { violations } = await linted((_e, start) => {
      try {
        start(status as never, headers as never);
      } catch {
        start('500 Internal Server Error', [['content-type', 'text/plain']], new Error('x'));
      }
      return [];
    });
    expect(ids(violations, 'application')).toContain(id);
    expect(ids(violations, 'server')).toEqual([]); // the engine threw, as SR-07 requires
  });

  it('SR-01: wrong number of arguments; SR-09: a second call without excInfo', async () => {
    const a = await linted((_e, start) => {
      (start as (...a: unknown[]) => unknown)('200 OK');
      return [];
    });
    expect(ids(a.violations)).toContain('SR-01');
    const b = await linted((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      try {
        start('404 Not Found', [['content-type', 'text/plain']]);
      } catch {}
      return [];
    });
    expect(ids(b.violations, 'application')).toEqual(['SR-09']);
  });

  it('SR-11: catching what startResponse threw for excInfo after headers were sent', async () => {
    const { violations } = await linted((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return (function* () {
        yield te.encode('partial');
        try {
          start('500 Oops', [['content-type', 'text/plain']], new Error('late'));
        } catch {
          // swallowed: the violation
        }
        yield te.encode('more');
      })();
    });
    expect(ids(violations, 'application')).toContain('SR-11');
  });

  it('WR-02: write() from inside iteration and after completion; WR-01: unawaited writes', async () => {
    let saved: ((c: Uint8Array) => Promise<void>) | undefined;
    const { violations } = await linted((_e, start) => {
      const write = start('200 OK', [['content-type', 'text/plain']]);
      saved = write;
      void write(te.encode('a'));
      void write(te.encode('b'));
      return (async function* () {
        await write(te.encode('c'));
        yield te.encode('d');
      })();
    });
    expect(ids(violations)).toContain('WR-02');
    expect(violations.filter((v) => v.requirement === 'WR-01')[0]?.severity).toBe('warning');
    const after: string[] = [];
    await saved?.(te.encode('late')).catch((e: Error) => after.push(e.message));
    expect(after[0]).toMatch(/WR-02/);
  });

  it('BODY-08 and BODY-09: bytes against the declared content-length', async () => {
    const over = await linted((_e, start) => {
      start('200 OK', [
        ['content-type', 'text/plain'],
        ['content-length', '3'],
      ]);
      return (function* () {
        yield te.encode('abcdef');
      })();
    });
    expect(ids(over.violations)).toContain('BODY-08');
    const under = await linted((_e, start) => {
      start('200 OK', [
        ['content-type', 'text/plain'],
        ['content-length', '30'],
      ]);
      return (function* () {
        yield te.encode('abc');
      })();
    });
    expect(ids(under.violations)).toContain('BODY-09');
  });

  it('BODY-20: content-type on 204; BODY-14: a missing content-type is only a warning', async () => {
    const a = await linted((_e, start) => {
      start('204 No Content', [['content-type', 'text/plain']]);
      return [];
    });
    expect(ids(a.violations)).toEqual(['BODY-20']);
    const b = await linted((_e, start) => {
      start('200 OK', []);
      return [];
    });
    expect(b.violations.map((v) => `${v.requirement}/${v.severity}`)).toEqual(['BODY-14/warning']);
  });

  it('IN-12: concurrent reads; IN-10: a maxBytes that is no number; IN-09: other members', async () => {
    const { violations } = await linted(
      async (env, start) => {
        const input = env['tsgi.input'];
        await Promise.all([input.read(), input.read('5' as never)]);
        void (input as unknown as Record<string, unknown>).readline;
        start('200 OK', [['content-type', 'text/plain']]);
        return [];
      },
      { method: 'POST', body: te.encode('0123456789') },
    );
    expect(ids(violations, 'application').sort()).toEqual(['IN-09', 'IN-10', 'IN-12']);
  });

  it('ERRS-01: a non-string to errors.write(); ERRS-02: closing tsgi.errors', async () => {
    const { violations } = await linted((env, start) => {
      env['tsgi.errors'].write(42 as never);
      void (env['tsgi.errors'] as unknown as Record<string, unknown>).close;
      start('200 OK', [['content-type', 'text/plain']]);
      return [];
    });
    expect(ids(violations)).toEqual(['ERRS-01', 'ERRS-02']);
  });
});

describe('lint: default reporting', () => {
  it('CONF-01: throws a LintError naming the requirement and the call site, and logs it', async () => {
    let thrown: unknown;
    const app = lint((_e, start) => {
      try {
        start('200 OK', [['x-a', 'a\nb']]);
      } catch (err) {
        thrown = err;
        throw err;
      }
      return [];
    });
    const res = await request(app);
    expect(thrown).toBeInstanceOf(LintError);
    const err = thrown as LintError;
    expect(err.requirement).toBe('SR-05');
    expect(err.message).toMatch(/^SR-05: /);
    expect(err.violation.callSite).toMatch(/lint-application\.test\.ts/);
    expect(res.status).toBe(500);
    expect(res.errors).toMatch(/tsgi lint error \(application\): SR-05/);
  });

  it('warnings are logged, never thrown', async () => {
    const res = await request(
      lint((_e, start) => {
        start('200 OK', [['X-Upper', 'x']]);
        return [];
      }),
    );
    expect(res.status).toBe(200);
    expect(res.errors).toMatch(/tsgi lint warning \(application\): SR-04/);
  });
});
