/** Server-side lint checks: the linted app is driven by hand, as a broken server would. */
import {
  type Application,
  ClientDisconnectError,
  type InputStream,
  runApplication,
  type StartResponse,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { type LintRecord, lint } from '../src/lint/index.js';
import { drive, fakeEnviron, ids, te } from './_lint-helpers.js';

const hello: Application = (_e, start) => {
  start('200 OK', [['content-type', 'text/plain']]);
  return (async function* () {
    yield te.encode('a');
    yield te.encode('b');
  })();
};

describe('lint: environ from the server (ENV-*)', () => {
  it('a core-built environ passes', () => {
    expect(drive(hello, fakeEnviron()).violations).toEqual([]);
  });

  it.each<[string, Record<string, unknown>]>([
    ['ENV-02', { REMOTE_ADDR: undefined }],
    ['ENV-02', { SERVER_PORT: 80 }],
    ['ENV-03', { REQUEST_METHOD: 'GE T' }],
    ['ENV-04', { SCRIPT_NAME: '/' }],
    ['ENV-04', { SCRIPT_NAME: 'app' }],
    ['ENV-05', { PATH_INFO: 'x' }],
    ['ENV-05', { PATH_INFO: '', REQUEST_URI: '' }],
    ['ENV-06', { PATH_INFO: '/\u3042', REQUEST_URI: '/%E3%81%82' }],
    ['ENV-05', { PATH_INFO: '/a%2Cb', REQUEST_URI: '/a%2Cb' }],
    ['ENV-06', { PATH_INFO: '/a,b', REQUEST_URI: '/a%252Cb' }],
    ['ENV-30', { PATH_INFO: '/a/b', REQUEST_URI: '//a/./b' }],
    ['ENV-02', { REMOTE_USER: '' }],
    ['ENV-07', { REQUEST_URI: '' }],
    ['ENV-08', { QUERY_STRING: '?a=1', REQUEST_URI: '/??a=1' }],
    ['ENV-08', { QUERY_STRING: 'a=%201', REQUEST_URI: '/?a= 1' }],
    ['ENV-09', { CONTENT_LENGTH: '-1' }],
    ['ENV-09', { HTTP_CONTENT_LENGTH: '3' }],
    ['ENV-10', { SERVER_NAME: '' }],
    ['ENV-11', { SERVER_PROTOCOL: 'HTTP/one' }],
    ['ENV-12', { 'HTTP_X-DASH': 'x' }],
    ['ENV-18', { 'tsgi.version': [1, 1] }], // not frozen
    ['ENV-18', { 'tsgi.version': Object.freeze([2, 0]) }],
    ['ENV-18', { 'tsgi.version': Object.freeze([1, -1]) }],
    ['ENV-18', { 'tsgi.version': Object.freeze([1, 0.5]) }],
    ['ENV-19', { 'tsgi.url_scheme': 'ftp' }],
    ['ENV-20', { 'tsgi.input': {} }],
    ['ENV-21', { 'tsgi.errors': { write() {} } }],
    ['ENV-22', { 'tsgi.run_once': 'no' }],
    ['ENV-23', { 'tsgi.input_terminated': false }],
    ['ENV-24', { 'tsgi.signal': {} }],
    ['ENV-25', { 'Acme.thing': 1 }],
    ['ENV-27', { HTTP_PROXY: 'http://evil' }],
    ['EXT-07', { 'tsgix.early_hints': null }],
    ['EXT-07', { 'tsgi.file_wrapper': undefined }],
    ['EXT-04', { 'tsgix.response_finished': [() => {}] }],
  ])('%s: %j', (id, overrides) => {
    const { violations } = drive(hello, fakeEnviron(overrides));
    expect(ids(violations, 'server')).toContain(id);
  });

  it('ENV-18: any frozen [1, n] passes (a 1.0 server, a later 1.x)', () => {
    for (const v of [
      [1, 0],
      [1, 1],
      [1, 7],
    ]) {
      const { violations } = drive(hello, fakeEnviron({ 'tsgi.version': Object.freeze(v) }));
      expect(ids(violations)).not.toContain('ENV-18');
    }
  });

  it('ENV-01: a class instance is not a plain environ', () => {
    const env = Object.assign(Object.create({ inherited: true }), fakeEnviron());
    expect(ids(drive(hello, env).violations)).toContain('ENV-01');
  });

  it('ENV-13, ENV-14, ENV-28: HTTP_* must agree with tsgi.raw_headers', () => {
    const raw = [
      ['X-Rep', 'a'],
      ['X-Rep', 'b'],
      ['X_Spoof', 'evil'],
      ['Cookie', 'a=1'],
      ['Cookie', 'b=2'],
    ];
    const good = fakeEnviron({
      'tsgi.raw_headers': raw,
      HTTP_X_REP: 'a, b',
      HTTP_COOKIE: 'a=1; b=2',
    });
    expect(drive(hello, good).violations).toEqual([]);
    const lastOnly = fakeEnviron({ 'tsgi.raw_headers': raw, HTTP_X_REP: 'b', HTTP_COOKIE: 'b=2' });
    expect(ids(drive(hello, lastOnly).violations)).toEqual(['ENV-13', 'ENV-13']);
    const spoofed = fakeEnviron({
      'tsgi.raw_headers': raw,
      HTTP_X_REP: 'a, b',
      HTTP_COOKIE: 'a=1; b=2',
      HTTP_X_SPOOF: 'evil',
    });
    expect(ids(drive(hello, spoofed).violations)).toEqual(['ENV-14']);
    const bad = fakeEnviron({ 'tsgi.raw_headers': [['x', 1]] });
    expect(ids(drive(hello, bad).violations)).toEqual(['ENV-28']);
  });

  it('APP-01: the server must pass exactly two arguments', () => {
    const violations: string[] = [];
    const app = lint(hello, { onViolation: (v) => violations.push(v.requirement) });
    (app as (...a: unknown[]) => unknown)(fakeEnviron(), () => () => Promise.resolve(), {});
    expect(violations).toEqual(['APP-01']);
  });
});

describe('lint: startResponse and write from the server (SR-*, WR-*)', () => {
  const accepting: StartResponse = () => () => Promise.resolve();

  it('SR-07: a server that accepts a CRLF header value', () => {
    const { violations } = drive(
      (_e, start) => {
        start('200 OK', [['x-a', 'a\r\nb']]);
        return [];
      },
      fakeEnviron(),
      accepting,
    );
    expect(ids(violations, 'server')).toEqual(['SR-07']);
  });

  it('SR-09: a server that accepts a second call', () => {
    const { violations } = drive(
      (_e, start) => {
        start('200 OK', [['content-type', 'text/plain']]);
        start('200 OK', [['content-type', 'text/plain']]);
        return [];
      },
      fakeEnviron(),
      accepting,
    );
    expect(ids(violations, 'server')).toEqual(['SR-09']);
  });

  it('SR-10: a server that accepts excInfo after headers went out', async () => {
    const { body, violations } = drive(
      (_e, start) => {
        start('200 OK', [['content-type', 'text/plain']]);
        return (function* () {
          yield te.encode('x');
          start('500 Oops', [['content-type', 'text/plain']], new Error('late'));
        })();
      },
      fakeEnviron(),
      accepting,
    );
    for (const _ of body as Iterable<Uint8Array>);
    expect(ids(violations, 'server')).toContain('SR-10');
  });

  it('SR-01 and WR-01: startResponse must return write, write must return a promise', async () => {
    const a = drive(hello, fakeEnviron(), (() => undefined) as never);
    expect(ids(a.violations, 'server')).toEqual(['SR-01']);
    const b = drive(
      async (_e, start) => {
        await start('200 OK', [['content-type', 'text/plain']])(te.encode('x'));
        return [];
      },
      fakeEnviron(),
      (() => () => undefined) as never,
    );
    await b.body;
    expect(ids(b.violations, 'server')).toEqual(['WR-01']);
  });

  it('ERR-05: write() resolving after the client disconnected', async () => {
    const ac = new AbortController();
    const { body, violations } = drive(
      async (_e, start) => {
        const write = start('200 OK', [['content-type', 'text/plain']]);
        ac.abort(new ClientDisconnectError());
        await write(te.encode('x'));
        return [];
      },
      fakeEnviron({ 'tsgi.signal': ac.signal }),
    );
    await body;
    expect(ids(violations, 'server')).toEqual(['ERR-05']);
  });
});

describe('lint: input from the server (IN-*)', () => {
  const reader: Application = async (env, start) => {
    const input = env['tsgi.input'];
    for (;;) if ((await input.read()).length === 0) break;
    await input.read();
    start('200 OK', [['content-type', 'text/plain']]);
    return [];
  };
  const fakeInput = (chunks: Uint8Array[]): InputStream => ({
    read: () => Promise.resolve(chunks.shift() ?? new Uint8Array(0)),
    cancel() {},
    async *[Symbol.asyncIterator]() {},
  });

  it('IN-04: a body shorter than CONTENT_LENGTH must not end in EOF', async () => {
    const env = fakeEnviron({ CONTENT_LENGTH: '10', 'tsgi.input': fakeInput([te.encode('abc')]) });
    const { body, violations } = drive(reader, env);
    await body;
    expect(ids(violations, 'server')).toEqual(['IN-04']);
  });

  it('IN-03: never more than CONTENT_LENGTH; IN-01: no data after EOF', async () => {
    const env = fakeEnviron({
      CONTENT_LENGTH: '2',
      'tsgi.input': fakeInput([te.encode('abc'), new Uint8Array(0), te.encode('z')]),
    });
    const { body, violations } = drive(reader, env);
    await body;
    expect(ids(violations, 'server')).toEqual(['IN-03', 'IN-01']);
  });

  it('ERRS-01: an errors stream that throws', () => {
    const errors = {
      write() {
        throw new Error('disk full');
      },
      flush: () => Promise.resolve(),
    };
    const { violations } = drive(
      (env, start) => {
        env['tsgi.errors'].write('hello');
        start('200 OK', [['content-type', 'text/plain']]);
        return [];
      },
      fakeEnviron({ 'tsgi.errors': errors }),
    );
    expect(ids(violations, 'server')).toEqual(['ERRS-01']);
  });
});

describe('lint: body consumption and release by the server (BODY-*)', () => {
  it('the core engine releases every body exactly once (BODY-05, BODY-06)', async () => {
    for (const abortDuringWrite of [false, true]) {
      const ac = new AbortController();
      const violations: unknown[] = [];
      let record: LintRecord | undefined;
      const app = lint(
        (_e, start) => {
          start('200 OK', [['content-type', 'text/plain']]);
          return (async function* () {
            yield te.encode('a');
            await new Promise(() => {}); // idle: only return() can end it (BODY-05)
          })();
        },
        { onViolation: (v) => violations.push(v), onRequest: (r) => (record = r) },
      );
      await runApplication(app, fakeEnviron({ 'tsgi.signal': ac.signal }), {
        head() {},
        write() {
          if (abortDuringWrite) ac.abort(new ClientDisconnectError());
          else setTimeout(() => ac.abort(new ClientDisconnectError()), 5);
        },
        end() {},
        abort() {},
      });
      expect(violations).toEqual([]);
      expect(record?.released).toBe(true);
      expect(record?.body.returnCalls).toBe(1);
      expect(record?.abortedAtRelease).toBe(true);
    }
  });

  it('BODY-01: the sync iterator used although an async one exists', () => {
    const twoFaced = {
      *[Symbol.iterator]() {
        yield te.encode('sync');
      },
      async *[Symbol.asyncIterator]() {
        yield te.encode('async');
      },
    };
    const { body, violations } = drive((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return twoFaced;
    }, fakeEnviron());
    for (const _ of body as Iterable<Uint8Array>);
    expect(ids(violations, 'server')).toEqual(['BODY-01']);
  });

  it('BODY-04, BODY-05, BODY-06, BODY-16: next after return, double return, early release', () => {
    const { body, violations } = drive((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return [te.encode('a'), te.encode('b')].values();
    }, fakeEnviron());
    const b = body as Iterable<Uint8Array> & { close(): void };
    const it = b[Symbol.iterator]();
    it.next();
    b.close(); // released while open: BODY-05
    it.return?.();
    it.return?.(); // BODY-05
    it.next(); // BODY-04
    b.close(); // BODY-06
    expect(ids(violations, 'server')).toEqual(['BODY-16', 'BODY-05', 'BODY-04', 'BODY-06']);
  });

  it('BODY-08: the server keeps iterating past content-length', () => {
    const { body, violations } = drive((_e, start) => {
      start('200 OK', [
        ['content-type', 'text/plain'],
        ['content-length', '1'],
      ]);
      return [te.encode('a'), new Uint8Array(0)].values();
    }, fakeEnviron());
    for (const _ of body as Iterable<Uint8Array>);
    expect(ids(violations, 'server')).toEqual(['BODY-08']);
  });
});
