import {
  addRequestHeader,
  addRequestHeaders,
  createErrorStream,
  environFromCgi,
  environKey,
  mount,
  RequestInput,
  runApplication,
  splitScriptName,
  splitTarget,
} from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import { testEnviron } from '../../harness/src/kit.js';
import { makeEnviron, recordingSink } from './_helpers.js';

const keys = () => ({
  input: new RequestInput(null, { length: 0 }),
  errors: createErrorStream(() => {}),
  signal: new AbortController().signal,
  multithread: false,
  multiprocess: true,
  runOnce: false,
});

describe('request headers into environ (ENV-09, ENV-12..14, ENV-27)', () => {
  it('ENV-12: maps names to HTTP_ + upper case with - → _', () => {
    expect(environKey('X-Forwarded-For')).toBe('HTTP_X_FORWARDED_FOR');
    expect(environKey('accept')).toBe('HTTP_ACCEPT');
  });

  it('ENV-09: Content-Type and Content-Length map to CONTENT_*, never HTTP_CONTENT_*', () => {
    const env: Record<string, unknown> = {};
    addRequestHeader(env, 'Content-Type', 'text/plain');
    addRequestHeader(env, 'content-length', '5');
    expect(env).toEqual({ CONTENT_TYPE: 'text/plain', CONTENT_LENGTH: '5' });
  });

  it('ENV-13: repeated headers join with ", ", Cookie with "; "', () => {
    const env: Record<string, unknown> = {};
    for (const [n, v] of [
      ['Accept', 'a'],
      ['accept', 'b'],
      ['Cookie', 'x=1'],
      ['cookie', 'y=2'],
    ] as const)
      addRequestHeader(env, n, v);
    expect(env).toEqual({ HTTP_ACCEPT: 'a, b', HTTP_COOKIE: 'x=1; y=2' });
  });

  it('ENV-14: headers whose names contain "_" are dropped (no spoofing of X-Auth-User)', () => {
    const env: Record<string, unknown> = {};
    expect(addRequestHeader(env, 'X-Auth_User', 'evil')).toBe(false);
    addRequestHeader(env, 'X-Auth-User', 'real');
    expect(env).toEqual({ HTTP_X_AUTH_USER: 'real' });
  });

  it('ENV-27: a Proxy header never becomes HTTP_PROXY (httpoxy)', () => {
    const env: Record<string, unknown> = {};
    expect(addRequestHeader(env, 'Proxy', 'http://evil:8080')).toBe(false);
    expect(env).toEqual({});
  });
});

describe('request-target and mount (ENV-04, ENV-05, ENV-07, ENV-08)', () => {
  it('ENV-07, ENV-08: splits origin, absolute and asterisk forms, keeping both parts raw', () => {
    expect(splitTarget('/a%2Fb?x=%20&y')).toEqual({ rawPath: '/a%2Fb', query: 'x=%20&y' });
    expect(splitTarget('/p?')).toEqual({ rawPath: '/p', query: '' });
    expect(splitTarget('http://h:1/p?q=1')).toEqual({ rawPath: '/p', query: 'q=1' });
    expect(splitTarget('http://h?q')).toEqual({ rawPath: '/', query: 'q' });
    expect(splitTarget('*')).toEqual({ rawPath: '*', query: '' });
  });

  it('ENV-04, ENV-05: splitScriptName splits at a segment boundary only', () => {
    expect(splitScriptName('/app/x', '/app')).toEqual(['/app', '/x']);
    expect(splitScriptName('/app', '/app/')).toEqual(['/app', '']);
    expect(splitScriptName('/apple', '/app')).toEqual(['', '/apple']);
    expect(splitScriptName('/x', '/')).toEqual(['', '/x']);
  });

  it('ENV-04, MW-08: mount moves the prefix to SCRIPT_NAME on a copy, and 404s outside it', async () => {
    let seen: [string, string] | undefined;
    const inner = mount('/api', (env, start) => {
      seen = [env.SCRIPT_NAME, env.PATH_INFO];
      start('200 OK', []);
      return [];
    });
    expect((await request(inner, { path: '/api/users?x=1' })).status).toBe(200);
    expect(seen).toEqual(['/api', '/users']);
    expect((await request(inner, { path: '/apiary' })).status).toBe(404);
    expect(() => mount('api', inner)).toThrow(/ENV-04/);
  });
});

describe('CGI variables into environ (ADP-CGI-01, ADP-FCGI-01, ADP-FCGI-04)', () => {
  const base = {
    REQUEST_METHOD: 'POST',
    SERVER_NAME: 'example',
    SERVER_PORT: '8080',
    SERVER_PROTOCOL: 'HTTP/1.1',
  };

  it('ENV-09: drops empty or -1 CONTENT_LENGTH, empty CONTENT_TYPE and HTTP_CONTENT_*', () => {
    for (const cl of ['', '-1']) {
      const env = environFromCgi(
        {
          ...base,
          CONTENT_LENGTH: cl,
          CONTENT_TYPE: '',
          HTTP_CONTENT_LENGTH: '5',
          HTTP_CONTENT_TYPE: 'x',
        },
        keys(),
      );
      for (const k of [
        'CONTENT_LENGTH',
        'CONTENT_TYPE',
        'HTTP_CONTENT_LENGTH',
        'HTTP_CONTENT_TYPE',
      ])
        expect(k in env).toBe(false);
    }
  });

  it('ENV-09: an empty Content-Type field counts as absent (request headers, one by one or all)', () => {
    const one: Record<string, unknown> = {};
    expect(addRequestHeader(one, 'Content-Type', '')).toBe(false);
    expect('CONTENT_TYPE' in one).toBe(false);
    const all: Record<string, unknown> = {};
    addRequestHeaders(all, ['Content-Type', '', 'Host', 'h']);
    expect(all).toEqual({ HTTP_HOST: 'h' });
    const repeated: Record<string, unknown> = {};
    addRequestHeaders(repeated, ['content-type', '', 'Content-Type', 'text/plain']);
    expect(repeated).toEqual({ CONTENT_TYPE: 'text/plain' });
  });

  // Which versions a checker takes (any frozen [1, n]) is the lint's: conformance/test/lint-server.test.ts.
  it('ENV-18: tsgi.version is the frozen [1, 1]', () => {
    const env = environFromCgi(base, keys());
    expect(env['tsgi.version']).toEqual([1, 1]);
    expect(Object.isFrozen(env['tsgi.version'])).toBe(true);
  });

  it('ENV-27: drops HTTP_PROXY', () => {
    expect('HTTP_PROXY' in environFromCgi({ ...base, HTTP_PROXY: 'http://evil' }, keys())).toBe(
      false,
    );
  });

  it('ENV-04, ENV-05: SCRIPT_NAME "/" becomes "", missing PATH_INFO becomes "/" at the root', () => {
    const env = environFromCgi({ ...base, SCRIPT_NAME: '/' }, keys());
    expect([env.SCRIPT_NAME, env.PATH_INFO]).toEqual(['', '/']);
    const env2 = environFromCgi({ ...base, SCRIPT_NAME: '/cgi-bin/app' }, keys());
    expect([env2.SCRIPT_NAME, env2.PATH_INFO]).toEqual(['/cgi-bin/app', '']);
  });

  it('ENV-07, ENV-10: synthesises REQUEST_URI, SERVER_NAME and SERVER_PORT when a server omits them (busybox)', () => {
    const env = environFromCgi(
      {
        REQUEST_METHOD: 'GET',
        SCRIPT_NAME: '/cgi-bin/a',
        PATH_INFO: '/x y\u00e9',
        QUERY_STRING: 'q=1',
        HTTP_HOST: 'h.test:9000',
      },
      keys(),
    );
    expect(env.REQUEST_URI).toBe('/cgi-bin/a/x%20y%E9?q=1');
    expect([env.SERVER_NAME, env.SERVER_PORT, env.SERVER_PROTOCOL]).toEqual([
      'h.test',
      '9000',
      'HTTP/1.0',
    ]);
  });

  it('ENV-19: HTTPS=on or REQUEST_SCHEME=https gives url_scheme https', () => {
    expect(environFromCgi({ ...base, HTTPS: 'on' }, keys())['tsgi.url_scheme']).toBe('https');
    expect(environFromCgi({ ...base, REQUEST_SCHEME: 'https' }, keys())['tsgi.url_scheme']).toBe(
      'https',
    );
    expect(environFromCgi(base, keys())['tsgi.url_scheme']).toBe('http');
  });

  it('ADP-FCGI-04: the scriptName option re-splits from REQUEST_URI, decoding once', () => {
    const env = environFromCgi(
      { ...base, SCRIPT_NAME: '/app/a%2Fb', PATH_INFO: '', REQUEST_URI: '/app/a%2Fb%25?x' },
      keys(),
      { scriptName: '/app' },
    );
    expect([env.SCRIPT_NAME, env.PATH_INFO]).toEqual(['/app', '/a/b%']);
  });

  it('ENV-02, ENV-25: passes other CGI variables through, never dotted keys', () => {
    const env = environFromCgi(
      { ...base, REMOTE_ADDR: '127.0.0.1', 'tsgi.input': 'spoof', HTTP_X_A: 'b' },
      keys(),
    );
    expect(env.REMOTE_ADDR).toBe('127.0.0.1');
    expect(env.HTTP_X_A).toBe('b');
    expect(typeof env['tsgi.input']).toBe('object');
  });
});

describe('CGI normalisation details (ADP-FCGI-11, ADP-FCGI-21, ADP-CGI-05, ADP-CGI-06, ADP-CGI-15)', () => {
  it('ADP-CGI-06: a missing REQUEST_METHOD is refused, never guessed', () => {
    expect(() => environFromCgi({ SCRIPT_NAME: '' }, keys())).toThrow(/ADP-CGI-06/);
  });

  it('ADP-FCGI-11: other empty variables are removed (caddy AUTH_TYPE=""), HTTP_* kept', () => {
    const env = environFromCgi(
      { REQUEST_METHOD: 'GET', AUTH_TYPE: '', HTTP_X_EMPTY: '', 'a.b': 'x' },
      keys(),
    );
    expect('AUTH_TYPE' in env).toBe(false);
    expect(env.HTTP_X_EMPTY).toBe('');
    expect('a.b' in env).toBe(false);
  });

  it('ADP-FCGI-21: HTTPS is "on" for https and absent for http', () => {
    expect(environFromCgi({ REQUEST_METHOD: 'GET', HTTPS: 'ON' }, keys()).HTTPS).toBe('on');
    expect('HTTPS' in environFromCgi({ REQUEST_METHOD: 'GET', HTTPS: 'off' }, keys())).toBe(false);
  });

  it('ADP-CGI-05: SERVER_NAME "host:port" without SERVER_PORT is split (mini_httpd); bad protocol → HTTP/1.0', () => {
    const env = environFromCgi(
      { REQUEST_METHOD: 'GET', SERVER_NAME: 'h.test:8081', SERVER_PROTOCOL: 'junk' },
      keys(),
    );
    expect([env.SERVER_NAME, env.SERVER_PORT, env.SERVER_PROTOCOL]).toEqual([
      'h.test',
      '8081',
      'HTTP/1.0',
    ]);
  });

  it('ENV-12: leading and trailing SP/HTAB of a header value are removed (busybox passes them)', () => {
    const env = environFromCgi(
      { REQUEST_METHOD: 'GET', HTTP_X_A: 'spaced value  ', HTTP_X_B: '\t x', HTTP_X_C: 'in ner' },
      keys(),
    );
    expect([env.HTTP_X_A, env.HTTP_X_B, env.HTTP_X_C]).toEqual(['spaced value', 'x', 'in ner']);
  });

  it('ADP-CGI-15: a decoded REQUEST_URI (busybox) is rebuilt from SCRIPT_NAME + PATH_INFO', () => {
    const env = environFromCgi(
      {
        REQUEST_METHOD: 'GET',
        SCRIPT_NAME: '/cgi-bin/a',
        PATH_INFO: '/x y',
        REQUEST_URI: '/cgi-bin/a/x y',
      },
      keys(),
    );
    expect(env.REQUEST_URI).toBe('/cgi-bin/a/x%20y');
  });
});

describe('SERVER_SOFTWARE (ENV-17, ENV-02)', () => {
  it('ENV-17: createEnviron sets it from keys.software, as one of the keys it always creates', () => {
    const env = testEnviron({ software: 'tsgi-test/1' });
    expect(env.SERVER_SOFTWARE).toBe('tsgi-test/1');
    // Before the keys an adapter adds afterwards (see createEnviron: one key fewer out of object).
    const order = Object.keys(env);
    expect(order.indexOf('SERVER_SOFTWARE')).toBeLessThan(order.indexOf('tsgi.signal'));
  });

  it('ENV-02: without keys.software it is absent, not undefined', () => {
    const env = testEnviron();
    expect('SERVER_SOFTWARE' in env).toBe(false);
    expect(Object.keys(env)).toContain('tsgi.signal');
  });

  it('ENV-02, ENV-12: from CGI variables, passed on trimmed; empty or missing is absent', () => {
    const cgi = (vars: Record<string, string>) =>
      environFromCgi({ REQUEST_METHOD: 'GET', ...vars }, keys());
    expect(cgi({ SERVER_SOFTWARE: 'nginx/1.22.1' }).SERVER_SOFTWARE).toBe('nginx/1.22.1');
    expect(cgi({ SERVER_SOFTWARE: ' busybox httpd/1.35 ' }).SERVER_SOFTWARE).toBe(
      'busybox httpd/1.35',
    );
    expect('SERVER_SOFTWARE' in cgi({ SERVER_SOFTWARE: '' })).toBe(false);
    expect('SERVER_SOFTWARE' in cgi({})).toBe(false);
  });
});

describe('engine rules added by the spec (SR-13, SR-14, WR-02, IN-12, IN-08)', () => {
  it('SR-13: headers are copied at startResponse; later mutation is not sent', async () => {
    const res = await request((_e, start) => {
      const headers: Array<[string, string]> = [['x-a', '1']];
      start('200 OK', headers);
      headers.push(['x-b', '2']);
      headers[0]![1] = 'changed';
      return [new Uint8Array([1])];
    });
    expect(res.headers).toEqual([
      ['x-a', '1'],
      ['content-length', '1'],
    ]);
  });

  it('SR-14: startResponse after completion throws', async () => {
    let start2: ((...a: never[]) => unknown) | undefined;
    await request((_e, start) => {
      start2 = start as never;
      start('200 OK', []);
      return [];
    });
    expect(() => (start2 as unknown as (s: string, h: []) => void)('200 OK', [])).toThrow(/^SR-14/);
  });

  it('WR-02: write() rejects once the body is being iterated', async () => {
    let err: unknown;
    await request((_e, start) => {
      const write = start('200 OK', []);
      return (async function* () {
        await write(new Uint8Array([1])).catch((e) => {
          err = e;
        });
        yield new Uint8Array([2]);
      })();
    });
    expect(err).toMatchObject({ requirement: 'WR-02' });
  });

  it('IN-12: an overlapping read() rejects naming IN-12, the pending one is undisturbed', async () => {
    const input = new RequestInput(null);
    const first = input.read();
    await expect(input.read()).rejects.toMatchObject({ requirement: 'IN-12' });
    input.push(new Uint8Array([7]));
    expect(await first).toEqual(new Uint8Array([7]));
  });

  it('IN-08: InputTooLargeError escaping the app before headers gives 413, not 500', async () => {
    const { environ, rec } = makeEnviron('POST');
    const input = new RequestInput(null, { limit: 4 });
    environ['tsgi.input'] = input;
    input.push(new Uint8Array(10));
    await runApplication(
      async (env, start) => {
        await env['tsgi.input'].read();
        start('200 OK', []);
        return [];
      },
      environ,
      recordingSink(rec),
    );
    expect(rec.status).toBe('413 Content Too Large');
  });
});
