/** Cases for the node:http profile (spec 12-profile-node-http.md). */
import { isDigits } from '@tsgi/core';
import type { ServerCase } from '../case.js';
import { delay, leaveIdle, pattern } from './helpers.js';

const node = ['node'];

export const NODE_CASES: ServerCase[] = [
  {
    id: 'node/environ',
    title: 'environ comes from req.url, rawHeaders and the socket',
    requirements: ['ADP-NODE-01', 'ADP-NODE-07', 'ADP-NODE-11'],
    level: 'MUST',
    profiles: node,
    request: 'GET /__tsgi/env/a%20b?x over HTTP/1.1',
    expect: 'REQUEST_URI as sent, raw headers, REMOTE_ADDR/PORT, multithread and run_once false',
    async run(t) {
      const { res } = await t.fetch({
        path: 'env/a%20b',
        query: 'x',
        headers: [['X-Case', 'Kept']],
      });
      const env = JSON.parse(res.text()) as Record<string, unknown>;
      t.equal('ADP-NODE-01', env.REQUEST_URI, t.target('env/a%20b', 'x'), 'REQUEST_URI');
      const raw = env['tsgi.raw_headers'] as Array<[string, string]> | undefined;
      t.check(
        'ADP-NODE-01',
        raw?.some(([k, v]) => k === 'X-Case' && v === 'Kept') === true,
        'raw header X-Case',
        raw,
      );
      t.equal('ADP-NODE-07', env.SERVER_PROTOCOL, 'HTTP/1.1', 'SERVER_PROTOCOL');
      t.check(
        'ADP-NODE-07',
        typeof env.REMOTE_ADDR === 'string' && isDigits(String(env.REMOTE_PORT)),
        'REMOTE_ADDR and REMOTE_PORT',
        [env.REMOTE_ADDR, env.REMOTE_PORT],
      );
      t.equal(
        'ADP-NODE-11',
        [env['tsgi.multithread'], env['tsgi.run_once']],
        [false, false],
        '[multithread, run_once]',
      );
    },
  },
  {
    id: 'node/framing',
    title: "the application's content-length frames the response; otherwise chunked",
    requirements: ['ADP-NODE-05', 'BODY-10'],
    level: 'MUST',
    profiles: node,
    request: 'GET /__tsgi/body?cl=auto, then GET /__tsgi/body (async, no length)',
    expect: 'content-length and no transfer-encoding; then chunked',
    async run(t) {
      const a = (await t.fetch({ path: 'body', query: 'cl=auto' })).res;
      t.equal(
        'ADP-NODE-05',
        [a.framing, a.header('transfer-encoding')],
        ['length', undefined],
        'framing with content-length',
      );
      const b = (await t.fetch({ path: 'body' })).res;
      t.equal('ADP-NODE-05', b.framing, 'chunked', 'framing without content-length');
    },
  },
  {
    id: 'node/errors',
    title: 'a 500 carries content-length; after the headers the socket is destroyed',
    requirements: ['ADP-NODE-08'],
    level: 'MUST',
    profiles: node,
    request: 'GET /__tsgi/error?where=first, then ?where=after',
    expect: '500 with content-length; then an incomplete response',
    async run(t) {
      const a = (await t.fetch({ path: 'error', query: 'where=first' })).res;
      t.check(
        'ADP-NODE-08',
        a.status === 500 && a.header('content-length') !== undefined,
        '500 with content-length',
        a.headers,
      );
      const b = (await t.fetch({ path: 'error', query: 'where=after' }, { orNothing: true })).res;
      t.check('ADP-NODE-08', !b.complete, 'an incomplete response', b.complete);
    },
  },
  {
    id: 'node/head',
    title: 'HEAD stops iterating and releases the body',
    requirements: ['ADP-NODE-06'],
    level: 'MUST',
    profiles: node,
    needs: ['store'],
    request: 'HEAD /__tsgi/body?cl=auto',
    expect: 'no next() after startResponse; release once',
    async run(t) {
      const { token } = await t.fetch({
        method: 'HEAD',
        path: 'body',
        query: 'cl=auto',
        close: true,
      });
      const o = await t.observe(token, (x) => x.released);
      t.equal(
        'ADP-NODE-06',
        [o.body.nextCalls, o.body.releaseCalls],
        [0, 1],
        '[next() calls, releases]',
      );
    },
  },
  {
    id: 'node/disconnect',
    title: "'close' before the response finished is a disconnect",
    requirements: ['ADP-NODE-04'],
    level: 'MUST',
    profiles: node,
    needs: ['disconnect', 'store'],
    request: 'GET /__tsgi/idle; the client closes',
    expect: 'tsgi.signal aborted, return() and release',
    async run(t) {
      const o = await leaveIdle(t);
      t.equal(
        'ADP-NODE-04',
        [o.signal.aborted, o.body.returnCalls, o.body.releaseCalls],
        [true, 1, 1],
        '[aborted, return(), release]',
      );
    },
  },
  {
    id: 'node/input-backpressure',
    title: 'an application that does not read stops the upload',
    requirements: ['ADP-NODE-10'],
    level: 'MUST',
    profiles: node,
    request: 'POST /__tsgi/echo?delay=600 with 64 MiB; the app reads nothing for 600 ms',
    expect: 'the client still has unsent bytes at 500 ms; then everything is read',
    async run(t) {
      const size = 64 * 1024 * 1024;
      const conn = await t.connect();
      conn.send(
        t.build(
          {
            method: 'POST',
            path: 'echo',
            query: 'delay=600',
            headers: [['Content-Length', String(size)]],
          },
          t.token(),
        ),
      );
      const block = pattern(1024 * 1024);
      for (let i = 0; i < 64; i++) conn.socket.write(block);
      await delay(500);
      const pending = conn.socket.writableLength;
      t.check('ADP-NODE-10', pending > 0, 'unsent bytes while the app is not reading', pending);
      const res = await conn.readResponse({ timeout: 20_000 });
      t.equal(
        'ADP-NODE-10',
        (JSON.parse(res.text()) as { bytes: number }).bytes,
        size,
        'bytes read',
      );
    },
  },
  {
    id: 'node/pipelining',
    title: 'pipelined requests are answered in order',
    requirements: ['ADP-NODE-09'],
    level: 'MUST',
    profiles: node,
    needs: ['pipelining'],
    request: 'three GET /__tsgi/env/N in one packet',
    expect: 'three responses, in order',
    async run(t) {
      const conn = await t.connect();
      const tokens = [t.token(), t.token(), t.token()];
      conn.send(tokens.map((tok, i) => t.build({ path: `env/${i}` }, tok)).join(''));
      for (const [i, tok] of tokens.entries()) {
        const env = JSON.parse((await conn.readResponse()).text()) as Record<string, unknown>;
        t.equal(
          'ADP-NODE-09',
          [env.PATH_INFO, env.HTTP_X_TSGI_TOKEN],
          [`/__tsgi/env/${i}`, tok],
          `response ${i}`,
        );
      }
    },
  },
];
