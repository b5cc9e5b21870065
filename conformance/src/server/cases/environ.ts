/** Cases for environ: required keys, method, paths, SCRIPT_NAME, URI and server variables (02-environ.md). */
import { isDigits, isHttpVersion } from '@tsgi/core';
import type { ServerCase } from '../case.js';
import { environOf } from './helpers.js';

const probePath = (t: { mount: string }, rest: string): string => `${t.mount}/__tsgi/${rest}`;

export const ENVIRON_CASES: ServerCase[] = [
  {
    id: 'environ/shape',
    title: 'environ has every required key with the right type',
    requirements: [
      'ENV-01',
      'ENV-02',
      'ENV-18',
      'ENV-19',
      'ENV-20',
      'ENV-21',
      'ENV-22',
      'ENV-23',
      'ENV-24',
      'ENV-25',
    ],
    level: 'MUST',
    request: 'GET /__tsgi/env',
    expect:
      'tsgi.version [1, minor], url_scheme from the URL, input_terminated true; the lint finds nothing',
    async run(t) {
      const { env } = await environOf(t);
      const version = env['tsgi.version'];
      // ENV-18: any 1.x; a server announces the highest minor whose rules it meets.
      t.check(
        'ENV-18',
        Array.isArray(version) &&
          version.length === 2 &&
          version[0] === 1 &&
          Number.isInteger(version[1]) &&
          (version[1] as number) >= 0,
        'tsgi.version = [1, minor]',
        version,
      );
      t.equal('ENV-19', env['tsgi.url_scheme'], t.scheme, 'tsgi.url_scheme');
      t.equal('ENV-23', env['tsgi.input_terminated'], true, 'tsgi.input_terminated');
      t.equal('ENV-24', env['tsgi.signal'], { type: 'AbortSignal' }, 'tsgi.signal');
      for (const k of ['tsgi.multithread', 'tsgi.multiprocess', 'tsgi.run_once'])
        t.check('ENV-22', typeof env[k] === 'boolean', `${k} a boolean`, env[k]);
    },
  },
  {
    id: 'environ/method',
    title: 'REQUEST_METHOD is the method as received',
    requirements: ['ENV-03'],
    level: 'MUST',
    request: 'DELETE and PROPFIND /__tsgi/env',
    expect: 'REQUEST_METHOD "DELETE", "PROPFIND"',
    async run(t) {
      for (const method of ['DELETE', 'PROPFIND']) {
        const { env } = await environOf(t, { method });
        t.equal('ENV-03', env.REQUEST_METHOD, method, 'REQUEST_METHOD');
      }
    },
  },
  {
    id: 'environ/script-name',
    title: 'SCRIPT_NAME is the mount point, PATH_INFO the rest',
    requirements: ['ENV-04', 'ENV-05'],
    level: 'MUST',
    request: 'GET <mount>/__tsgi/env/x',
    expect: 'SCRIPT_NAME = --mount, PATH_INFO = /__tsgi/env/x',
    async run(t) {
      const { env } = await environOf(t, { path: 'env/x' });
      t.equal('ENV-04', env.SCRIPT_NAME, t.mount, 'SCRIPT_NAME');
      t.equal('ENV-05', env.PATH_INFO, '/__tsgi/env/x', 'PATH_INFO');
    },
  },
  {
    id: 'environ/script-name-not-from-headers',
    title: 'request headers cannot set SCRIPT_NAME',
    requirements: ['ENV-04'],
    level: 'MUST',
    request: 'GET /__tsgi/env with Script-Name, X-Script-Name and X-Forwarded-Prefix: /evil',
    expect: 'SCRIPT_NAME still = --mount (gunicorn #2650)',
    async run(t) {
      const { env } = await environOf(t, {
        headers: [
          ['Script-Name', '/evil'],
          ['X-Script-Name', '/evil'],
          ['X-Forwarded-Prefix', '/evil'],
        ],
      });
      t.equal('ENV-04', env.SCRIPT_NAME, t.mount, 'SCRIPT_NAME');
      t.equal('ENV-05', env.PATH_INFO, '/__tsgi/env', 'PATH_INFO');
    },
  },
  {
    id: 'environ/decode-once',
    title: 'PATH_INFO is percent-decoded exactly once',
    requirements: ['ENV-06'],
    level: 'MUST',
    request: 'GET /__tsgi/env/a%2Cb/%252C/%41',
    expect: 'PATH_INFO /__tsgi/env/a,b/%2C/A',
    async run(t) {
      const { env } = await environOf(t, { path: 'env/a%2Cb/%252C/%41' });
      t.equal('ENV-06', env.PATH_INFO, '/__tsgi/env/a,b/%2C/A', 'PATH_INFO');
    },
  },
  {
    id: 'environ/path-bytes',
    title: 'PATH_INFO is a byte string, never UTF-8-decoded',
    requirements: ['ENV-06'],
    level: 'MUST',
    request: 'GET /__tsgi/env/%E3%81%82/%FF/caf%C3%A9',
    expect: 'PATH_INFO holds one code unit per octet: "\\xe3\\x81\\x82/\\xff/caf\\xc3\\xa9"',
    async run(t) {
      const { env } = await environOf(t, { path: 'env/%E3%81%82/%FF/caf%C3%A9' });
      t.equal('ENV-06', env.PATH_INFO, '/__tsgi/env/\xe3\x81\x82/\xff/caf\xc3\xa9', 'PATH_INFO');
    },
  },
  {
    id: 'environ/encoded-slash',
    title: '%2F is decoded into PATH_INFO or the request is rejected',
    requirements: ['ENV-06', 'ENV-29'],
    level: 'MUST',
    request: 'GET /__tsgi/env/a%2Fb',
    expect: 'PATH_INFO /__tsgi/env/a/b, or 400/404 without invoking the app (ENV-29)',
    async run(t) {
      const { res, token } = await t.fetch({ path: 'env/a%2Fb' });
      if (res.status === 400 || res.status === 404) {
        const invoked = await t.invoked(token);
        if (invoked === undefined) t.unobserved('store', 'whether the app was invoked');
        else t.check('ENV-29', !invoked, 'rejected without invoking the app', 'app invoked');
        return;
      }
      const env = JSON.parse(res.text()) as Record<string, unknown>;
      t.equal('ENV-06', env.PATH_INFO, '/__tsgi/env/a/b', 'PATH_INFO');
    },
  },
  {
    id: 'environ/no-normalisation',
    title: 'the path is not normalised',
    requirements: ['ENV-30', 'ENV-05'],
    level: 'MUST',
    needs: ['rawTarget'],
    request: 'GET /__tsgi/env//a///b/./c/../d',
    expect: 'PATH_INFO exactly /__tsgi/env//a///b/./c/../d',
    async run(t) {
      const { env } = await environOf(t, { path: 'env//a///b/./c/../d' });
      t.equal('ENV-30', env.PATH_INFO, '/__tsgi/env//a///b/./c/../d', 'PATH_INFO');
    },
  },
  {
    id: 'environ/request-uri',
    title: 'REQUEST_URI is the request-target as received',
    requirements: ['ENV-07'],
    level: 'MUST',
    needs: ['rawTarget'],
    request: 'GET /__tsgi/env/a%20b%73?x=%41&y=+',
    expect: 'REQUEST_URI byte for byte',
    async run(t) {
      const { env } = await environOf(t, { path: 'env/a%20b%73', query: 'x=%41&y=+' });
      t.equal('ENV-07', env.REQUEST_URI, probePath(t, 'env/a%20b%73?x=%41&y=+'), 'REQUEST_URI');
    },
  },
  {
    id: 'environ/query-string',
    title: 'QUERY_STRING is raw, without "?", "" when absent',
    requirements: ['ENV-08'],
    level: 'MUST',
    request: 'GET /__tsgi/env?x=%41&y=+&z&q=a?b, then with "?" alone, then with no query',
    expect: 'QUERY_STRING "x=%41&y=+&z&q=a?b", "", ""',
    async run(t) {
      for (const [query, want] of [
        ['x=%41&y=+&z&q=a?b', 'x=%41&y=+&z&q=a?b'],
        ['', ''],
        [undefined, ''],
      ] as const) {
        const { env } = await environOf(t, query === undefined ? {} : { query });
        t.equal('ENV-08', env.QUERY_STRING, want, `QUERY_STRING for ${JSON.stringify(query)}`);
      }
    },
  },
  {
    id: 'environ/server-vars',
    title: 'SERVER_NAME, SERVER_PORT and SERVER_PROTOCOL are present',
    requirements: ['ENV-10', 'ENV-11'],
    level: 'MUST',
    request: 'GET /__tsgi/env',
    expect: 'non-empty SERVER_NAME, digits SERVER_PORT, SERVER_PROTOCOL like HTTP/1.1',
    async run(t) {
      const { env } = await environOf(t);
      t.check(
        'ENV-10',
        typeof env.SERVER_NAME === 'string' && env.SERVER_NAME !== '',
        'SERVER_NAME',
        env.SERVER_NAME,
      );
      t.check('ENV-10', isDigits(String(env.SERVER_PORT)), 'SERVER_PORT digits', env.SERVER_PORT);
      // The runtime may have received the request over another version (a proxy in front).
      t.check(
        'ENV-11',
        isHttpVersion(String(env.SERVER_PROTOCOL)),
        'SERVER_PROTOCOL like HTTP/1.1',
        env.SERVER_PROTOCOL,
      );
    },
  },
  {
    id: 'environ/server-protocol',
    title: "SERVER_PROTOCOL is the request's HTTP version",
    requirements: ['ENV-11'],
    level: 'MUST',
    needs: ['httpVersion'],
    request: 'GET /__tsgi/env over HTTP/1.1 and over HTTP/1.0',
    expect: 'SERVER_PROTOCOL HTTP/1.1, then HTTP/1.0',
    async run(t) {
      for (const version of ['HTTP/1.1', 'HTTP/1.0']) {
        const { env } = await environOf(t, { version, close: true });
        t.equal('ENV-11', env.SERVER_PROTOCOL, version, 'SERVER_PROTOCOL');
      }
    },
  },
  {
    id: 'environ/remote-vars',
    title: 'REMOTE_ADDR, REMOTE_PORT and SERVER_SOFTWARE are provided',
    requirements: ['ENV-17'],
    level: 'SHOULD',
    request: 'GET /__tsgi/env',
    expect: 'REMOTE_ADDR an address, REMOTE_PORT digits, SERVER_SOFTWARE non-empty',
    async run(t) {
      const { env } = await environOf(t);
      t.check(
        'ENV-17',
        /^[0-9a-f.:]+$/i.test(String(env.REMOTE_ADDR ?? '')),
        'REMOTE_ADDR',
        env.REMOTE_ADDR,
      );
      t.check('ENV-17', isDigits(String(env.REMOTE_PORT ?? '')), 'REMOTE_PORT', env.REMOTE_PORT);
      t.check(
        'ENV-17',
        typeof env.SERVER_SOFTWARE === 'string',
        'SERVER_SOFTWARE',
        env.SERVER_SOFTWARE,
      );
      t.check(
        'ENV-17',
        t.scheme === 'https' ? env.HTTPS === 'on' : !('HTTPS' in env),
        t.scheme === 'https' ? 'HTTPS on over https' : 'no HTTPS over http',
        env.HTTPS,
      );
    },
  },
];
