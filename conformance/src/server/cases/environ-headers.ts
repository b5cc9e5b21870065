/** Cases for environ built from request headers (02-environ.md, ENV-09..15, ENV-27, ENV-28). */
import type { ServerCase } from '../case.js';
import { environOf } from './helpers.js';

export const HEADER_CASES: ServerCase[] = [
  {
    id: 'environ/content-headers',
    title: 'CONTENT_TYPE and CONTENT_LENGTH, never HTTP_CONTENT_*',
    requirements: ['ENV-09'],
    level: 'MUST',
    request: 'POST /__tsgi/env with Content-Type and Content-Length: 3; then GET without',
    expect: 'CONTENT_TYPE/CONTENT_LENGTH set iff sent; no HTTP_CONTENT_TYPE/LENGTH',
    async run(t) {
      const post = await environOf(t, {
        method: 'POST',
        headers: [['Content-Type', 'text/x-probe; charset=latin1']],
        body: 'abc',
      });
      t.equal('ENV-09', post.env.CONTENT_TYPE, 'text/x-probe; charset=latin1', 'CONTENT_TYPE');
      t.equal('ENV-09', post.env.CONTENT_LENGTH, '3', 'CONTENT_LENGTH');
      for (const k of ['HTTP_CONTENT_TYPE', 'HTTP_CONTENT_LENGTH'])
        t.check('ENV-09', !(k in post.env), `no ${k}`, post.env[k]);
      const get = await environOf(t);
      t.check(
        'ENV-09',
        !('CONTENT_TYPE' in get.env),
        'no CONTENT_TYPE on GET',
        get.env.CONTENT_TYPE,
      );
      t.check(
        'ENV-09',
        !('CONTENT_LENGTH' in get.env),
        'no CONTENT_LENGTH on GET',
        get.env.CONTENT_LENGTH,
      );
    },
  },
  {
    id: 'environ/chunked-no-content-length',
    title: 'a chunked request body has no CONTENT_LENGTH',
    requirements: ['ENV-09', 'ENV-23'],
    level: 'MUST',
    needs: ['direct'],
    request: 'POST /__tsgi/env with Transfer-Encoding: chunked',
    expect: 'no CONTENT_LENGTH',
    async run(t) {
      const { env } = await environOf(t, {
        method: 'POST',
        headers: [['Transfer-Encoding', 'chunked']],
        body: '3\r\nabc\r\n0\r\n\r\n',
      });
      t.check('ENV-09', !('CONTENT_LENGTH' in env), 'no CONTENT_LENGTH', env.CONTENT_LENGTH);
    },
  },
  {
    id: 'environ/header-mapping',
    title: 'request headers become HTTP_* variables, trimmed',
    requirements: ['ENV-12'],
    level: 'MUST',
    request: 'GET /__tsgi/env with "X-Probe-Header:   spaced value  " and "X-Empty:"',
    expect: 'HTTP_X_PROBE_HEADER "spaced value", HTTP_X_EMPTY ""',
    async run(t) {
      const { env } = await environOf(t, {
        headers: [
          ['X-Probe-Header', '  spaced value  '],
          ['X-Empty', ''],
        ],
      });
      t.equal('ENV-12', env.HTTP_X_PROBE_HEADER, 'spaced value', 'HTTP_X_PROBE_HEADER');
      t.equal('ENV-12', env.HTTP_X_EMPTY, '', 'HTTP_X_EMPTY');
      t.equal('ENV-12', env.HTTP_HOST, t.url.host, 'HTTP_HOST');
    },
  },
  {
    id: 'environ/repeated-headers',
    title: 'repeated headers are joined with ", " in order',
    requirements: ['ENV-13'],
    level: 'MUST',
    request: 'GET /__tsgi/env with X-Rep: one, X-Rep: two, X-Rep: three',
    expect: 'HTTP_X_REP "one, two, three"',
    async run(t) {
      const { env } = await environOf(t, {
        headers: [
          ['X-Rep', 'one'],
          ['X-Rep', 'two'],
          ['x-rep', 'three'],
        ],
      });
      t.equal('ENV-13', env.HTTP_X_REP, 'one, two, three', 'HTTP_X_REP');
    },
  },
  {
    id: 'environ/cookie-join',
    title: 'repeated Cookie lines are joined with "; "',
    requirements: ['ENV-13'],
    level: 'MUST',
    request: 'GET /__tsgi/env with Cookie: a=1 and Cookie: b=2',
    expect: 'HTTP_COOKIE "a=1; b=2"',
    async run(t) {
      const { env } = await environOf(t, {
        headers: [
          ['Cookie', 'a=1'],
          ['Cookie', 'b=2'],
        ],
      });
      t.equal('ENV-13', env.HTTP_COOKIE, 'a=1; b=2', 'HTTP_COOKIE');
    },
  },
  {
    id: 'environ/underscore-headers',
    title: 'header names with "_" never reach HTTP_*',
    requirements: ['ENV-14'],
    level: 'MUST',
    request: 'GET /__tsgi/env with X-Auth-User: real, X_Auth_User: spoof, X_Only: spoof',
    expect: 'HTTP_X_AUTH_USER "real"; no HTTP_X_ONLY (gunicorn #2799)',
    async run(t) {
      const { env } = await environOf(t, {
        headers: [
          ['X_Auth_User', 'spoof'],
          ['X-Auth-User', 'real'],
          ['X_Only', 'spoof'],
        ],
      });
      t.equal('ENV-14', env.HTTP_X_AUTH_USER, 'real', 'HTTP_X_AUTH_USER');
      t.check('ENV-14', !('HTTP_X_ONLY' in env), 'no HTTP_X_ONLY', env.HTTP_X_ONLY);
    },
  },
  {
    id: 'environ/httpoxy',
    title: 'no HTTP_PROXY from a Proxy header',
    requirements: ['ENV-27'],
    level: 'MUST',
    request: 'GET /__tsgi/env with Proxy: http://evil.example',
    expect: 'no HTTP_PROXY (CVE-2016-5385)',
    async run(t) {
      const { env } = await environOf(t, { headers: [['Proxy', 'http://evil.example:1']] });
      t.check('ENV-27', !('HTTP_PROXY' in env), 'no HTTP_PROXY', env.HTTP_PROXY);
    },
  },
  {
    id: 'environ/header-bytes',
    title: 'header values are byte strings',
    requirements: ['ENV-06', 'ENV-12'],
    level: 'MUST',
    request: 'GET /__tsgi/env with X-Latin1: octets E9 FF 80',
    expect: 'HTTP_X_LATIN1 "\\xe9\\xff\\x80" (one code unit per octet)',
    async run(t) {
      const { env } = await environOf(t, { headers: [['X-Latin1', 'caf\xe9 \xff\x80']] });
      t.equal('ENV-06', env.HTTP_X_LATIN1, 'caf\xe9 \xff\x80', 'HTTP_X_LATIN1');
    },
  },
  {
    id: 'environ/raw-headers-present',
    title: 'tsgi.raw_headers is provided where the transport has raw lines',
    requirements: ['ENV-15'],
    level: 'SHOULD',
    needs: ['rawHeaders'],
    request: 'GET /__tsgi/env',
    expect: 'tsgi.raw_headers present',
    async run(t) {
      const { env } = await environOf(t);
      t.check(
        'ENV-15',
        Array.isArray(env['tsgi.raw_headers']),
        'an array',
        env['tsgi.raw_headers'],
      );
    },
  },
  {
    id: 'environ/raw-headers-lossless',
    title: 'tsgi.raw_headers lists every line in order, case kept, dropped ones included',
    requirements: ['ENV-28'],
    level: 'MUST',
    needs: ['rawHeaders'],
    request: 'GET /__tsgi/env with X-Raw-Case, X_Under, Proxy, X-Raw-Case again',
    expect: 'those four lines, in order, names as sent',
    async run(t) {
      const sent: Array<[string, string]> = [
        ['X-Raw-Case', 'one'],
        ['X_Under', 'kept'],
        ['Proxy', 'http://evil.example:1'],
        ['x-RAW-case', 'two'],
      ];
      const { env } = await environOf(t, { headers: sent });
      const raw = env['tsgi.raw_headers'];
      if (raw === undefined) t.skip('tsgi.raw_headers is absent (allowed by ENV-15/ENV-28)');
      const got = (raw as Array<[string, string]>).filter(([n]) =>
        /^(x-raw-case|x_under|proxy)$/i.test(n),
      );
      t.equal('ENV-28', got, sent, 'the probe lines of tsgi.raw_headers');
    },
  },
];
