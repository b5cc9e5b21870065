/**
 * One engine, thin adapters (issue 17): the same application and request give the same status,
 * the same content-length and content-type (present or not, and their values) and the same body
 * bytes on node:http (`serve`), FastCGI (`serveFastCGI` and the package's client), CGI (a spawned
 * `runCGI` process) and `toFetch`. What decides them (body framing and 413, HEAD/204/205/304,
 * content-length, configuration keys) is core's, so a difference here is an adapter deciding.
 *
 * Left out, per transport (each is the transport's, not a decision an adapter makes):
 * - `Expect: 100-continue` (IN-07): FastCGI and CGI front ends answer it (ADP-FCGI-22,
 *   ADP-CGI-17); a fetch runtime too.
 * - Header lines as received (ENV-15, ENV-28): only node:http has them; FastCGI and CGI get CGI
 *   variables, a fetch `Request` joined `Headers`.
 * - Connection handling after a 413 (node closes, SRV-02): FastCGI, CGI and fetch have no client
 *   connection of their own (SRV-17).
 */ import { describe, expect, it } from 'vitest';
import { ADAPTERS, DB, type Req, type Result, type Setup } from './_cross-adapters.js';

const PLAIN = 'text/plain';
const TOO_LARGE: Result = {
  status: 413,
  contentLength: '18',
  contentType: 'text/plain; charset=utf-8',
  body: 'Content Too Large\n',
};
const twenty = 'x'.repeat(20);

/** name, setup, request, the response every adapter gives, and whether the app may run. */
const CASES: Array<[string, Setup, Req, Result, 'not invoked'?]> = [
  [
    'BODY-10: an Array body gets its length',
    { app: 'array' },
    { method: 'GET', path: '/' },
    { status: 200, contentLength: '12', contentType: PLAIN, body: 'hello world\n' },
  ],
  [
    'BODY-25: HEAD with an Array body: no content-length added, no body',
    { app: 'array' },
    { method: 'HEAD', path: '/' },
    { status: 200, contentLength: null, contentType: PLAIN, body: '' },
  ],
  [
    "BODY-12: the application's content-length, its body over time",
    { app: 'declared' },
    { method: 'GET', path: '/' },
    { status: 200, contentLength: '5', contentType: PLAIN, body: 'hello' },
  ],
  [
    "BODY-25: HEAD keeps the application's content-length",
    { app: 'declared' },
    { method: 'HEAD', path: '/' },
    { status: 200, contentLength: '5', contentType: PLAIN, body: '' },
  ],
  [
    'BODY-10: no content-length when the length is not known',
    { app: 'open' },
    { method: 'GET', path: '/' },
    { status: 200, contentLength: null, contentType: PLAIN, body: 'ab' },
  ],
  [
    'BODY-13: 204 sends no body and no content-length',
    { app: 'noContent' },
    { method: 'GET', path: '/' },
    { status: 204, contentLength: null, contentType: PLAIN, body: '' },
  ],
  [
    'BODY-23: 205 gets content-length 0',
    { app: 'resetContent' },
    { method: 'GET', path: '/' },
    { status: 205, contentLength: '0', contentType: null, body: '' },
  ],
  [
    "BODY-25: 304 keeps the application's content-length, sends no body",
    { app: 'notModified' },
    { method: 'GET', path: '/' },
    { status: 304, contentLength: '42', contentType: null, body: '' },
  ],
  [
    'IN-03: a body with a declared length',
    { app: 'echo' },
    { method: 'POST', path: '/', body: 'abcde' },
    { status: 200, contentLength: '7', contentType: PLAIN, body: '5:abcde' },
  ],
  [
    'IN-02: a body without a declared length',
    { app: 'echo' },
    { method: 'POST', path: '/', body: 'abcdefgh', chunked: true },
    { status: 200, contentLength: '10', contentType: PLAIN, body: '8:abcdefgh' },
  ],
  [
    'SRV-05: a declared length over the limit gets 413; the application is not invoked',
    { app: 'echo', limit: 10 },
    { method: 'POST', path: '/', body: twenty },
    TOO_LARGE,
    'not invoked',
  ],
  [
    'IN-08: a body without a length growing past the limit gets the same 413',
    { app: 'echo', limit: 10 },
    { method: 'POST', path: '/', body: twenty, chunked: true },
    TOO_LARGE,
  ],
  [
    'IN-08: a declared length at the limit is read',
    { app: 'echo', limit: 5 },
    { method: 'POST', path: '/', body: 'abcde' },
    { status: 200, contentLength: '7', contentType: PLAIN, body: '5:abcde' },
  ],
  [
    'BODY-17, BODY-19: an application refilling one chunk buffer',
    { app: 'reuse' },
    { method: 'GET', path: '/' },
    {
      status: 200,
      contentLength: null,
      contentType: PLAIN,
      body: 'a'.repeat(4096) + 'b'.repeat(4096) + 'c'.repeat(4096),
    },
  ],
  [
    'SRV-03: a configuration key reaches the application beside the request',
    { app: 'config', environ: { 'myapp.db': 'object', APP_ENV: 'test' } },
    { method: 'GET', path: '/x' },
    { status: 200, contentLength: '26', contentType: PLAIN, body: 'db GET /x cross.test http\n' },
  ],
];

describe.each(CASES)('%s', (_name, setup, req, expected, invoked) => {
  it.each(ADAPTERS)('$name', async (adapter) => {
    const { log, ...result } = await adapter.run(setup, req);
    expect(result).toEqual(expected);
    if (invoked === 'not invoked') expect(log).not.toContain('echo: invoked');
  });
});

describe('IN-13, ERR-08: a second pending read is rejected and logged to tsgi.errors', () => {
  it.each(ADAPTERS)('$name', async (adapter) => {
    const { log, ...result } = await adapter.run(
      { app: 'doubleRead' },
      { method: 'POST', path: '/', body: 'xy' },
    );
    expect(result.body).toBe('second read: IN-12\n');
    expect(log).toMatch(/ERR-08: contract error raised to the application: ContractError: IN-12/);
  });
});

describe('SRV-11: configuration that would replace request data is refused at setup, alike', () => {
  const refused: Array<Record<string, unknown>> = [
    { HTTP_HOST: 'evil.test' },
    { 'tsgi.url_scheme': 'https' },
    { REQUEST_METHOD: 'DELETE' },
    { PATH_INFO: '/admin' },
    // The example: toFetch used to apply all four to every request.
    {
      HTTP_HOST: 'evil.test',
      'tsgi.url_scheme': 'https',
      REQUEST_METHOD: 'DELETE',
      PATH_INFO: '/admin',
    },
  ];
  it.each(refused)('%o', async (environ) => {
    const messages = await Promise.all(ADAPTERS.map((a) => a.refusal(environ)));
    for (const key of Object.keys(environ)) expect(messages[0]).toContain(JSON.stringify(key));
    expect(messages[0]).toMatch(/^environ option: .*\(SRV-11\); refused: /);
    expect(messages).toEqual(ADAPTERS.map(() => messages[0]));
  });

  it('accepts an extension key with an object value', async () => {
    const messages = await Promise.all(ADAPTERS.map((a) => a.refusal({ 'myapp.db': DB })));
    expect(messages).toEqual([null, null, null, null]);
  });
});
