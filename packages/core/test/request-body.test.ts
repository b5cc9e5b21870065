/**
 * The one request-body framing decision (IN-02, IN-03, IN-08, SRV-05), the input built for it,
 * the 413 every adapter sends, configuration keys (SRV-03, SRV-11, ENV-02, ENV-25) and the ENV-13
 * join, each in core once (issue 17).
 */
import {
  addConfigKeys,
  checkBodyLimit,
  checkConfigKeys,
  completedSynchronously,
  createErrorStream,
  type Environ,
  joinHeaderValues,
  refusalResponse,
  requestFraming,
  requestInput,
  respondTooLarge,
  runApplication,
  tooLargeResponse,
} from '@tsgi/core';
import { describe, expect, it } from 'vitest';
import { enc, makeEnviron, recordingSink, run } from './_helpers.js';

describe('requestFraming', () => {
  it('IN-03: a digits Content-Length frames the body; 0 is no body', () => {
    expect(requestFraming({ contentLength: '12', streamed: false })).toEqual({
      kind: 'length',
      length: 12,
    });
    expect(requestFraming({ contentLength: '0', streamed: true })).toEqual({ kind: 'none' });
    expect(requestFraming({ contentLength: '007', streamed: false })).toEqual({
      kind: 'length',
      length: 7,
    });
  });

  it('ENV-09: a length that is not digits (nginx "", caddy "-1", " 5") is no declared length', () => {
    for (const contentLength of ['', '-1', ' 5', '5 ', '1e3', '0x10', '+5']) {
      expect(requestFraming({ contentLength, streamed: false })).toEqual({ kind: 'none' });
      expect(requestFraming({ contentLength, streamed: true, limit: 9 })).toEqual({
        kind: 'stream',
        limit: 9,
      });
    }
  });

  it('IN-02: without a declared length, a streamed body keeps the limit; otherwise there is none', () => {
    expect(requestFraming({ streamed: false, limit: 5 })).toEqual({ kind: 'none' });
    expect(requestFraming({ streamed: true })).toEqual({ kind: 'stream', limit: undefined });
    expect(requestFraming({ streamed: true, limit: 0 })).toEqual({ kind: 'stream', limit: 0 });
  });

  it('SRV-05: a declared length above the limit is refused with 413; at the limit it is not', () => {
    expect(requestFraming({ contentLength: '11', streamed: false, limit: 10 })).toEqual({
      kind: 'refuse',
      status: 413,
      length: 11,
    });
    expect(requestFraming({ contentLength: '10', streamed: true, limit: 10 }).kind).toBe('length');
    expect(requestFraming({ contentLength: '1', streamed: false, limit: 0 }).kind).toBe('refuse');
  });

  it('IN-08: checkBodyLimit accepts a non-negative integer, Infinity or nothing', () => {
    expect(checkBodyLimit(undefined)).toBe(undefined);
    expect(checkBodyLimit(Number.POSITIVE_INFINITY)).toBe(undefined);
    expect(checkBodyLimit(0)).toBe(0);
    expect(checkBodyLimit(1024)).toBe(1024);
    for (const bad of [-1, 1.5, Number.NaN, '10', null]) {
      expect(() => checkBodyLimit(bad)).toThrow(/maxBodySize must be a non-negative integer/);
    }
  });
});

describe('requestInput', () => {
  it('ENV-20: no body shares one ended input', async () => {
    const a = requestInput({ kind: 'none' }, null);
    expect(a).toBe(requestInput({ kind: 'none' }, null));
    expect((await a.read()).length).toBe(0);
  });

  it('IN-03, IN-08: bounded by the declared length, or failing past the limit', async () => {
    const input = requestInput({ kind: 'length', length: 3 }, null);
    input.push(enc('abcdef'));
    expect(new TextDecoder().decode(await input.read())).toBe('abc');
    const stream = requestInput({ kind: 'stream', limit: 2 }, null);
    stream.push(enc('abc'));
    await expect(stream.read()).rejects.toMatchObject({ code: 'TSGI_INPUT_TOO_LARGE' });
  });

  it('IN-13, ERR-08: a second pending read is logged to the errors stream given', async () => {
    let log = '';
    const errors = createErrorStream((t) => {
      log += t;
    });
    const input = requestInput({ kind: 'stream', limit: undefined }, null, { errors });
    void input.read();
    await expect(input.read()).rejects.toMatchObject({ requirement: 'IN-12' });
    expect(log).toMatch(/^ERR-08: contract error raised to the application: ContractError: IN-12/);
  });
});

describe("SRV-05's 413", () => {
  it('is text/plain; charset=utf-8 with "Content Too Large\\n" (18 bytes)', () => {
    const r = tooLargeResponse();
    expect(r.status).toBe('413 Content Too Large');
    expect(r.headers).toEqual([
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', '18'],
    ]);
    expect(new TextDecoder().decode(r.body)).toBe('Content Too Large\n');
  });

  it('BODY-25: through the engine, a HEAD gets the head with its content-length and no body', async () => {
    const get = await run(respondTooLarge);
    expect([get.status, get.text()]).toEqual(['413 Content Too Large', 'Content Too Large\n']);
    const head = await run(respondTooLarge, { method: 'HEAD' });
    expect(head.headers).toContainEqual(['content-length', '18']);
    expect(head.chunks).toEqual([]);
  });
});

describe('refusalResponse', () => {
  it('SRV-02 SRV-07 SRV-16: `<code> <reason>\\n`, text/plain; charset=utf-8, content-length', () => {
    for (const status of [
      '400 Bad Request',
      '408 Request Timeout',
      '431 Request Header Fields Too Large',
      '503 Service Unavailable',
      '505 HTTP Version Not Supported',
    ] as const) {
      const r = refusalResponse(status);
      const text = `${status}\n`;
      expect(r.status).toBe(status);
      expect(r.headers).toEqual([
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', String(text.length)],
      ]);
      expect(new TextDecoder().decode(r.body)).toBe(text);
    }
  });
});

describe('configuration keys (SRV-03, SRV-11)', () => {
  it('refuses, at once and naming every key, what the request or the spec defines', () => {
    const bad = {
      HTTP_HOST: 'evil.test',
      'tsgi.url_scheme': 'https',
      REQUEST_METHOD: 'DELETE',
      PATH_INFO: '/admin',
      'myapp.ok': 1,
    };
    expect(() => checkConfigKeys(bad)).toThrow(
      new TypeError(
        'environ option: configuration keys must not replace what the request or the specification defines (SRV-11); refused: "HTTP_HOST" (a request header variable, ENV-12), "tsgi.url_scheme" (reserved to the specification, ENV-25), "REQUEST_METHOD" (a CGI variable of the request), "PATH_INFO" (a CGI variable of the request)',
      ),
    );
  });

  it('refuses by case-insensitive CGI name, reserved prefixes, ENV-25 and ENV-02', () => {
    const refused = (environ: Record<string, unknown>) => () => checkConfigKeys(environ);
    for (const key of ['http_x_user', 'remote_addr', 'REMOTE_USER', 'SERVER_SOFTWARE', 'HTTPS']) {
      expect(refused({ [key]: 'x' }), key).toThrow(/SRV-11/);
    }
    expect(refused({ 'tsgix.sendfile': 1 })).toThrow(/"tsgix.sendfile" \(reserved/);
    expect(refused({ 'MyApp.db': 1 })).toThrow(/lower-case prefix, ENV-25/);
    expect(refused({ '.x': 1 })).toThrow(/lower-case prefix, ENV-25/);
    expect(refused({ APP_ENV: 3 })).toThrow(/"APP_ENV" \(a CGI key with a number value, ENV-02\)/);
    expect(refused({ '': 'x' })).toThrow(/"" \(empty\)/);
    expect(() => checkConfigKeys([] as never)).toThrow(/expected an object/);
  });

  it('accepts extension keys with any value and plain upper-case names with strings', () => {
    const db = { pool: true };
    const keys = checkConfigKeys({ 'myapp.db': db, APP_ENV: 'production' });
    expect(keys).toEqual([
      ['myapp.db', db],
      ['APP_ENV', 'production'],
    ]);
    expect(checkConfigKeys({})).toBe(undefined);
    expect(checkConfigKeys(undefined)).toBe(undefined);
  });

  it('SRV-11: the merge keeps a variable the front end sent', () => {
    const environ = { APP_ENV: 'from-front-end' } as unknown as Environ;
    addConfigKeys(environ, checkConfigKeys({ APP_ENV: 'config', 'myapp.x': 1 }));
    expect(environ.APP_ENV).toBe('from-front-end');
    expect(environ['myapp.x']).toBe(1);
  });
});

describe('ENV-13 joining', () => {
  it('joins with ", ", and "; " for HTTP_COOKIE', () => {
    expect(joinHeaderValues('HTTP_ACCEPT', 'a', 'b')).toBe('a, b');
    expect(joinHeaderValues('HTTP_COOKIE', 'a=1', 'b=2')).toBe('a=1; b=2');
  });
});

describe('completedSynchronously (SRV-09, BODY-24)', () => {
  it('is true only for a request completed, hook included, within runApplication', async () => {
    const sync = makeEnviron();
    const done = runApplication(
      (_e, sr) => {
        sr('200 OK', []);
        return [enc('x')];
      },
      sync.environ,
      recordingSink(sync.rec),
    );
    expect(completedSynchronously(done)).toBe(true);
    const hooked = makeEnviron();
    const body = Object.assign([enc('x')], { [Symbol.asyncDispose]: () => Promise.resolve() });
    const pending = runApplication(
      (_e, sr) => {
        sr('200 OK', []);
        return body;
      },
      hooked.environ,
      recordingSink(hooked.rec),
    );
    expect(completedSynchronously(pending)).toBe(false);
    await pending;
  });
});
