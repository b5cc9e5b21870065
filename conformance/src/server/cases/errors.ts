/** Cases for application errors, disconnects and the errors stream (spec 04, 09). */
import type { Observation } from '../../probe/store.js';
import type { CaseContext, ServerCase } from '../case.js';
import { delay, leaveIdle, pattern } from './helpers.js';

const released = (o: Observation): boolean => o.released;

/** Requests error?where=`where`; checks a generic 500 that leaks nothing, and the release. */
async function generic500(t: CaseContext, where: string, id: string, hook = true): Promise<void> {
  const { res, token } = await t.fetch({ path: 'error', query: `where=${where}` });
  t.equal(id, res.status, 500, `status for where=${where}`);
  t.check('ERR-02', res.complete, 'a complete 500', res.complete);
  const text = res.text();
  t.check('ERR-02', !/SECRET-DETAIL|\n\s+at /.test(text), 'no message or stack in the body', text);
  if (!hook) return;
  if (!t.has('store')) return t.unobserved('store', `the body release for where=${where}`);
  const o = await t.observe(token, released);
  t.equal('ERR-02', o.body.releaseCalls, 1, `completion hook calls for where=${where}`);
}

export const ERROR_CASES: ServerCase[] = [
  {
    id: 'errors/app-throws',
    title: 'an application that throws gets a generic 500',
    requirements: ['ERR-01', 'ERR-02'],
    level: 'MUST',
    request: 'GET /__tsgi/error?where=call|reject',
    expect: '500 with a body that has no message and no stack',
    async run(t) {
      await generic500(t, 'call', 'ERR-02', false);
      await generic500(t, 'reject', 'ERR-02', false);
    },
  },
  {
    id: 'errors/body-throws-before-headers',
    title: 'a body that throws before any chunk gets a 500 and is released',
    requirements: ['ERR-02', 'BODY-06'],
    level: 'MUST',
    request: 'GET /__tsgi/error?where=first',
    expect: 'generic 500; the body released once',
    run: (t) => generic500(t, 'first', 'ERR-02'),
  },
  {
    id: 'errors/contract-violations',
    title: 'bodies that break APP-03, APP-04 or APP-06 get a 500',
    requirements: ['APP-03', 'APP-04', 'APP-06'],
    level: 'MUST',
    request: 'GET /__tsgi/error?where=bad-return|bad-chunk|no-start',
    expect: 'generic 500 each time',
    async run(t) {
      await generic500(t, 'bad-return', 'APP-03', false);
      await generic500(t, 'bad-chunk', 'APP-04');
      await generic500(t, 'no-start', 'APP-06');
    },
  },
  {
    id: 'errors/after-headers',
    title: 'an error after the headers aborts the response and releases the body',
    requirements: ['ERR-03', 'BODY-06', 'ERR-01'],
    needs: ['abortVisible'],
    level: 'MUST',
    request: 'GET /__tsgi/error?where=after (one chunk, then the body throws)',
    expect: 'a truncated 200 (no final chunk); release once',
    async run(t) {
      const { res, token } = await t.fetch(
        { path: 'error', query: 'where=after' },
        { orNothing: true },
      );
      t.check('ERR-03', !res.complete, 'an incomplete response (or none)', {
        status: res.status,
        complete: res.complete,
      });
      if (!t.has('store')) return t.unobserved('store', 'the body release (BODY-06)');
      const o = await t.observe(token, released);
      t.equal('BODY-06', o.body.releaseCalls, 1, 'completion hook calls');
    },
  },
  {
    id: 'errors/hook-throws',
    title: 'a completion hook that throws is logged and harms nothing',
    requirements: ['BODY-07', 'ERR-07', 'SRV-10'],
    level: 'MUST',
    request: 'GET /__tsgi/error?where=hook, then GET /__tsgi/env',
    expect: 'the first response complete; the server still answers',
    async run(t) {
      const { res } = await t.fetch({ path: 'error', query: 'where=hook' });
      t.check(
        'BODY-07',
        res.status === 200 && res.complete && res.text() === 'partial ',
        'a complete 200 "partial "',
        res.text(),
      );
      await delay(50);
      const next = await t.fetch({ path: 'env' });
      t.equal('ERR-07', next.res.status, 200, 'status of the next request');
    },
  },
  {
    id: 'errors/disconnect-idle',
    title: 'a client that leaves aborts the signal and releases an idle body at once',
    requirements: ['BODY-05', 'ERR-04', 'ENV-24', 'BODY-06'],
    level: 'MUST',
    needs: ['disconnect', 'store'],
    request: 'GET /__tsgi/idle (one chunk, then next() never settles); the client closes',
    expect: 'tsgi.signal aborted; return() once without waiting for next(); release once',
    async run(t) {
      const o = await leaveIdle(t);
      t.check('ENV-24', o.signal.aborted, 'tsgi.signal aborted', o.signal);
      t.equal('BODY-05', o.body.returnCalls, 1, 'return() calls');
      t.equal('BODY-06', o.body.releaseCalls, 1, 'completion hook calls');
    },
  },
  {
    id: 'errors/disconnect-signal',
    title: 'a body that waits on tsgi.signal is woken by a disconnect',
    requirements: ['ENV-24', 'ERR-04'],
    level: 'MUST',
    needs: ['disconnect', 'store'],
    request: 'GET /__tsgi/idle?wait=signal; the client closes',
    expect: 'the signal aborts (reason ClientDisconnectError, SHOULD); released',
    async run(t) {
      const o = await leaveIdle(t, 'wait=signal');
      t.check('ENV-24', o.signal.aborted && o.released, 'aborted and released', o.signal);
    },
  },
  {
    id: 'errors/write-after-disconnect',
    title: 'write() after a disconnect rejects with ClientDisconnectError',
    requirements: ['ERR-05'],
    level: 'MUST',
    needs: ['disconnect', 'store'],
    request: 'GET /__tsgi/big?kind=write; the client closes after the head',
    expect: 'a write() rejects; its error is a ClientDisconnectError',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      conn.send(t.build({ path: 'big', query: 'kind=write' }, token));
      await conn.waitForBytes(1, 3000);
      conn.destroy();
      const o = await t.observe(token, (x) => x.write.rejected > 0, 5000);
      t.check('ERR-05', o.write.rejected > 0, 'a rejected write()', o.write);
      t.check(
        'ERR-05',
        String(o.write.error).startsWith('ClientDisconnectError'),
        'ClientDisconnectError',
        o.write.error,
      );
    },
  },
  {
    id: 'errors/read-after-disconnect',
    title: 'a read pending when the client leaves rejects, never EOF',
    requirements: ['ERR-05', 'IN-04', 'ENV-24'],
    level: 'MUST',
    needs: ['disconnect', 'store'],
    request: 'POST /__tsgi/echo with Content-Length: 100000, 10 bytes sent; the client closes',
    expect: 'read() rejects (ClientDisconnectError); tsgi.signal aborted',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      conn.send(
        t.build({ method: 'POST', path: 'echo', headers: [['Content-Length', '100000']] }, token),
      );
      conn.send(pattern(10));
      await delay(100);
      conn.destroy();
      const o = await t.observe(token, (x) => x.notes.echo !== undefined, 5000);
      const e = o.notes.echo as { error: { code: unknown } | null } | undefined;
      t.check(
        'ERR-05',
        e?.error?.code === 'TSGI_CLIENT_DISCONNECT' || e?.error?.code === 'TSGI_INPUT_TRUNCATED',
        'a ClientDisconnectError',
        e?.error,
      );
      t.check('ENV-24', o.signal.aborted, 'tsgi.signal aborted', o.signal);
    },
  },
  {
    id: 'errors/stream',
    title: 'tsgi.errors accepts any string and flush() returns a promise',
    requirements: ['ERRS-01'],
    level: 'MUST',
    request: 'GET /__tsgi/errors (a lone surrogate, NUL, emoji, no newline)',
    expect: 'no write() throws; flush() resolves',
    async run(t) {
      const { res } = await t.fetch({ path: 'errors' });
      const r = JSON.parse(res.text()) as Record<string, unknown>;
      for (const k of ['loneSurrogate', 'nul', 'unicode', 'noNewline', 'flush'])
        t.equal('ERRS-01', r[k], 'ok', k);
      t.equal('ERRS-01', r.flushIsPromise, true, 'flush() returns a Promise');
    },
  },
];
