/**
 * Cases for what a server that parses HTTP refuses in the request line and Host (spec 11 SRV-02,
 * SRV-14 to SRV-16; spec 02 ENV-34), and for the absolute-form target's authority (ENV-35,
 * ENV-10). They write raw request lines a front end would rewrite or refuse itself: `direct` only.
 */
import type { CaseContext, ServerCase } from '../case.js';
import type { RawResponse } from '../http-parser.js';
import { delay } from './helpers.js';

type Fields = ReadonlyArray<readonly [string, string]>;

/**
 * Sends `line` with `fields` (Host first, unless `fields` has its own), the token and
 * `Connection: close`, then `body`; reads the answer, or "nothing" if the server only closes.
 */
async function send(
  t: CaseContext,
  line: string,
  fields: Fields = [],
  body = '',
): Promise<{ res: RawResponse; token: string }> {
  const token = t.token();
  const all: Fields = [
    ...(fields.some(([k]) => k.toLowerCase() === 'host') ? [] : [['Host', t.url.host] as const]),
    ...fields,
    ['X-TSGI-Token', token],
    ['Connection', 'close'],
  ];
  const conn = await t.connect();
  conn.send(`${[line, ...all.map(([k, v]) => `${k}: ${v}`)].join('\r\n')}\r\n\r\n${body}`);
  const res = await conn.readResponse({ orNothing: true });
  return { res, token };
}

/** Checks that the application never saw `token`, where the probe's store can tell. */
async function notInvoked(t: CaseContext, id: string, token: string, what: string): Promise<void> {
  const invoked = await t.invoked(token);
  if (invoked === undefined) t.unobserved('store', `whether the app was invoked for ${what}`);
  else t.check(id, !invoked, `the app not invoked for ${what}`, 'invoked');
}

/** Sends each request and expects `status` without the application. */
async function refused(
  t: CaseContext,
  id: string,
  status: number,
  requests: ReadonlyArray<readonly [what: string, line: string, fields?: Fields, body?: string]>,
): Promise<void> {
  for (const [what, line, fields, body] of requests) {
    const { res, token } = await send(t, line, fields, body);
    t.equal(id, res.status, status, `status for ${what}`);
    await notInvoked(t, id, token, what);
  }
}

const env = (t: CaseContext): string => t.target('env');

export const REQUEST_VALIDATION_CASES: ServerCase[] = [
  {
    id: 'request/host-invalid',
    title: 'a Host that is not uri-host [":" port], or two Host lines, is refused with 400',
    requirements: ['ENV-34', 'SRV-02'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET /__tsgi/env with Host "a b", "x/y@z", "a, b", and with two Host lines',
    expect: '400 each time, and the probe never sees the request',
    run: (t) =>
      refused(t, 'ENV-34', 400, [
        ...['a b', 'x/y@z', 'a, b'].map(
          (host) =>
            [`Host ${JSON.stringify(host)}`, `GET ${env(t)} HTTP/1.1`, [['Host', host]]] as const,
        ),
        [
          'two Host lines',
          `GET ${env(t)} HTTP/1.1`,
          [
            ['Host', t.url.host],
            ['Host', t.url.host],
          ],
        ],
      ]),
  },
  {
    id: 'request/absolute-form',
    title: "an absolute-form target's authority is HTTP_HOST and SERVER_NAME, not Host",
    requirements: ['ENV-35', 'ENV-10', 'ENV-07', 'ENV-05'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET http://other.test:8123/__tsgi/env?q=1 with Host: <the server>',
    expect:
      'HTTP_HOST other.test:8123, SERVER_NAME other.test, SERVER_PORT 8123, REQUEST_URI the target',
    async run(t) {
      const target = `http://other.test:8123${env(t)}?q=1`;
      const { res } = await send(t, `GET ${target} HTTP/1.1`);
      t.equal('ENV-35', res.status, 200, 'status');
      const e = JSON.parse(res.text()) as Record<string, unknown>;
      t.equal('ENV-35', e.HTTP_HOST, 'other.test:8123', 'HTTP_HOST');
      t.equal('ENV-10', [e.SERVER_NAME, e.SERVER_PORT], ['other.test', '8123'], 'SERVER_NAME/PORT');
      t.equal('ENV-05', [e.PATH_INFO, e.QUERY_STRING], ['/__tsgi/env', 'q=1'], 'PATH_INFO/QUERY');
      if (t.has('rawTarget')) t.equal('ENV-07', e.REQUEST_URI, target, 'REQUEST_URI');
      else t.unobserved('rawTarget', 'REQUEST_URI as received');
      if (!t.has('rawHeaders')) return t.unobserved('rawHeaders', 'the Host line as received');
      const raw = e['tsgi.raw_headers'] as Array<[string, string]> | undefined;
      const host = raw?.filter(([k]) => k.toLowerCase() === 'host').map(([, v]) => v);
      t.equal('ENV-35', host, [t.url.host], 'the Host line in tsgi.raw_headers');
    },
  },
  {
    id: 'request/target-form',
    title: 'a request-target in no accepted form is refused with 400',
    requirements: ['SRV-15', 'SRV-02', 'ENV-35'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET *; GET ftp://other.test/__tsgi/env; GET /__tsgi/env#frag',
    expect: '400 each time, and the probe never sees the request',
    run: (t) =>
      refused(t, 'SRV-15', 400, [
        ['GET *', 'GET * HTTP/1.1'],
        ['an ftp: target', `GET ftp://other.test${env(t)} HTTP/1.1`],
        ['a # in the target', `GET ${env(t)}#frag HTTP/1.1`],
      ]),
  },
  {
    id: 'request/version',
    title: 'a well-formed HTTP version other than 1.0 and 1.1 gets 505',
    requirements: ['SRV-16'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET /__tsgi/env HTTP/2.0; GET /__tsgi/env HTTP/1.2',
    expect: '505 each time, and the probe never sees the request',
    run: (t) =>
      refused(t, 'SRV-16', 505, [
        ['HTTP/2.0', `GET ${env(t)} HTTP/2.0`],
        ['HTTP/1.2', `GET ${env(t)} HTTP/1.2`],
      ]),
  },
  {
    id: 'request/http09',
    title: 'a request line without a version (HTTP/0.9) never reaches the application',
    requirements: ['SRV-16'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET /__tsgi/env (no version), then a token line',
    expect: '400 and close, or close without an answer; never the environ',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      conn.send(`GET ${env(t)}\r\nX-TSGI-Token: ${token}\r\n\r\n`);
      await Promise.race([conn.closed, delay(3000)]);
      const text = conn.drain().toString('latin1');
      t.check('SRV-16', conn.isClosed, 'the connection closed', text.slice(0, 80));
      t.check(
        'SRV-16',
        text === '' || /^HTTP\/1\.[01] 400 /.test(text),
        'a 400 or no answer',
        text.slice(0, 80),
      );
      t.check('SRV-16', !text.includes('REQUEST_METHOD'), 'no environ in the answer', text);
      await notInvoked(t, 'SRV-16', token, 'an HTTP/0.9 request line');
    },
  },
  {
    id: 'request/content-length-repeated',
    title: 'repeated Content-Length lines, even equal, or a list value are refused with 400',
    requirements: ['SRV-14', 'SRV-02'],
    level: 'MUST',
    needs: ['direct'],
    request: 'POST /__tsgi/echo with Content-Length: 3 twice; with Content-Length: 3, 3',
    expect: '400 each time, and the probe never sees the request',
    run: (t) =>
      refused(t, 'SRV-14', 400, [
        [
          'two equal lines',
          `POST ${t.target('echo')} HTTP/1.1`,
          [
            ['Content-Length', '3'],
            ['Content-Length', '3'],
          ],
          'abc',
        ],
        ['a list', `POST ${t.target('echo')} HTTP/1.1`, [['Content-Length', '3, 3']], 'abc'],
      ]),
  },
];
