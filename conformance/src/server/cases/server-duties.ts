/** Cases for server duties seen from the wire (spec 11-server-duties.md, APP-02). */
import type { ServerCase } from '../case.js';
import { delay } from './helpers.js';

export const SERVER_CASES: ServerCase[] = [
  {
    id: 'server/malformed-requests',
    title: 'malformed or ambiguous requests are rejected without the application',
    requirements: ['SRV-02'],
    level: 'MUST',
    request:
      'POST with both Content-Length and Transfer-Encoding; a Content-Length of "abc"; a NUL in a header',
    expect: '400 each time, and the probe never sees the request',
    async run(t) {
      const bad: Array<[string, ReadonlyArray<readonly [string, string]>, string]> = [
        [
          'CL+TE',
          [
            ['Content-Length', '3'],
            ['Transfer-Encoding', 'chunked'],
          ],
          '3\r\nabc\r\n0\r\n\r\n',
        ],
        ['CL abc', [['Content-Length', 'abc']], ''],
        ['NUL', [['X-Bad', 'a\0b']], ''],
      ];
      for (const [what, headers, body] of bad) {
        const { res, token } = await t.fetch({
          method: 'POST',
          path: 'env',
          headers,
          body,
          close: true,
        });
        t.equal('SRV-02', res.status, 400, `status for ${what}`);
        const invoked = await t.invoked(token, 100);
        if (invoked === undefined) t.unobserved('store', `whether the app was invoked for ${what}`);
        else t.check('SRV-02', !invoked, `the app not invoked for ${what}`, 'invoked');
      }
    },
  },
  {
    id: 'server/header-limits',
    title: 'an oversized header section is refused with 431',
    requirements: ['SRV-07'],
    level: 'SHOULD',
    request: 'GET /__tsgi/env with a 128 KiB header',
    expect: '431 (or 400) without invoking the app',
    async run(t) {
      const { res, token } = await t.fetch(
        { path: 'env', headers: [['X-Huge', 'h'.repeat(128 * 1024)]], close: true },
        { orNothing: true },
      );
      t.check('SRV-07', res.status === 431, 'status 431', res.status);
      const invoked = await t.invoked(token, 100);
      if (invoked === undefined) t.unobserved('store', 'whether the app was invoked');
      else t.check('SRV-07', !invoked, 'the app not invoked', 'invoked');
    },
  },
  {
    id: 'server/concurrent',
    title: 'a request runs while another one waits',
    requirements: ['APP-02'],
    level: 'MUST',
    request:
      'GET /__tsgi/body?gate=before (or a timed hold) on one connection, GET /__tsgi/env on another',
    expect: 'the second completes while the first waits; then the first completes',
    async run(t) {
      const token = t.token();
      const hold = t.hold(token, 'gate=before');
      const slow = await t.connect();
      slow.send(t.build({ path: 'body', query: hold.query }, token));
      await delay(50);
      const { res } = await t.fetch({ path: 'env' }, { timeout: hold.window });
      t.equal('APP-02', res.status, 200, 'status of the second request');
      await hold.release();
      t.equal('APP-02', (await slow.readResponse()).status, 200, 'status of the first request');
    },
  },
];
