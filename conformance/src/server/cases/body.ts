/** Cases for how the server consumes and releases the body (spec 07-response-body.md). */
import type { Observation } from '../../probe/store.js';
import type { CaseContext, ServerCase } from '../case.js';
import { letters } from './helpers.js';

const released = (o: Observation): boolean => o.released;

/** Checks the body was released exactly once, with `returns` return() calls. */
async function checkRelease(t: CaseContext, token: string, returns: number): Promise<Observation> {
  const o = await t.observe(token, released);
  t.check('BODY-06', o.released, 'the completion hook to be called', 'never called');
  t.equal('BODY-06', o.body.releaseCalls, 1, 'completion hook calls');
  t.equal('BODY-05', o.body.returnCalls, returns, 'return() calls');
  return o;
}

/**
 * `checkRelease` where the store can show it; otherwise the release is noted as not observed
 * and the rest of the case still counts (the release happens after the response was sent).
 */
async function releaseIfSeen(t: CaseContext, token: string, returns: number): Promise<void> {
  if (t.has('store')) await checkRelease(t, token, returns);
  else t.unobserved('store', 'the body release (BODY-05, BODY-06)');
}

/** The completion hook was called once, where the store can show it. */
async function releasedOnce(t: CaseContext, token: string, id: string): Promise<void> {
  if (!t.has('store')) return t.unobserved('store', `the body release (${id})`);
  const o = await t.observe(token, released);
  t.equal(id, o.body.releaseCalls, 1, 'completion hook calls');
}

/** Requests with `connection: close` so every byte after the head is visible. */
async function closed(t: CaseContext, method: string, query: string) {
  const r = await t.fetch({ method, path: 'body', query, close: true });
  await r.conn.closed;
  return { ...r, stray: r.conn.drain() };
}

export const BODY_CASES: ServerCase[] = [
  {
    id: 'body/streaming',
    title: 'each chunk is sent before the next is requested',
    requirements: ['BODY-02'],
    level: 'MUST',
    needs: ['streaming'],
    request:
      'GET /__tsgi/body?n=2&gate=after:1 (the second chunk waits for the gate, or a timed hold)',
    expect: 'the first chunk arrives while the application waits',
    async run(t) {
      const token = t.token();
      const hold = t.hold(token, 'n=2&gate=after:1');
      const conn = await t.connect();
      conn.send(t.build({ path: 'body', query: hold.query }, token));
      const early = await conn.waitUntil((b) => b.includes('aaaaa'), hold.window);
      const seen = conn.drain().toString('latin1');
      await hold.release();
      t.check('BODY-02', early, 'chunk "aaaaa" while the second waits', seen);
    },
  },
  {
    id: 'body/async-preferred',
    title: 'Symbol.asyncIterator is used when both exist',
    requirements: ['BODY-01'],
    level: 'MUST',
    request: 'GET /__tsgi/body?kind=both',
    expect: 'the async iterator\'s bytes, not "SYNC-ITERATOR"',
    async run(t) {
      const { res } = await t.fetch({ path: 'body', query: 'kind=both' });
      t.equal('BODY-01', res.text(), letters(3, 5), 'body');
    },
  },
  {
    id: 'body/sync',
    title: 'a sync iterable body is sent',
    requirements: ['BODY-01', 'BODY-06'],
    level: 'MUST',
    request: 'GET /__tsgi/body?kind=sync',
    expect: 'aaaaabbbbbccccc; released once',
    async run(t) {
      const { res, token } = await t.fetch({ path: 'body', query: 'kind=sync' });
      t.equal('BODY-01', res.text(), letters(3, 5), 'body');
      await releaseIfSeen(t, token, 0);
    },
  },
  {
    id: 'body/bytes-intact',
    title: 'chunk bytes are not altered',
    requirements: ['BODY-03', 'APP-08'],
    level: 'MUST',
    request: 'GET /__tsgi/body?bytes=all&n=8&size=1000, as async and as Array',
    expect: 'all 8000 octets as produced',
    async run(t) {
      const want = new Uint8Array(8000).map((_, i) => i & 0xff);
      for (const kind of ['async', 'array']) {
        const { res } = await t.fetch({
          path: 'body',
          query: `bytes=all&n=8&size=1000&kind=${kind}`,
        });
        t.check(
          'BODY-03',
          Buffer.from(res.body).equals(want),
          `8000 intact bytes (${kind})`,
          `${res.body.length} bytes`,
        );
      }
    },
  },
  {
    id: 'body/empty-chunks',
    title: 'zero-length chunks send nothing and end nothing',
    requirements: ['APP-07'],
    level: 'MUST',
    request: 'GET /__tsgi/body?empty=1 (an empty chunk before each chunk)',
    expect: 'the full body; no zero-size chunk before the last',
    async run(t) {
      const { res } = await t.fetch({ path: 'body', query: 'empty=1' });
      t.equal('APP-07', res.text(), letters(3, 5), 'body');
      t.check(
        'APP-07',
        !res.chunkSizes.slice(0, -1).includes(0),
        'no early last-chunk',
        res.chunkSizes,
      );
    },
  },
  {
    id: 'body/release-normal',
    title: 'a body that ends normally is released once, after iteration',
    requirements: ['BODY-06', 'BODY-16', 'ENV-24'],
    level: 'MUST',
    needs: ['store'],
    request: 'GET /__tsgi/body (close() hook)',
    expect: 'close() once, no return(), tsgi.signal not aborted',
    async run(t) {
      const { token } = await t.fetch({ path: 'body' });
      const o = await checkRelease(t, token, 0);
      t.equal('ENV-24', o.signal.abortedAtRelease, false, 'tsgi.signal aborted at release');
    },
  },
  {
    id: 'body/release-hooks',
    title: 'Symbol.asyncDispose, then Symbol.dispose, then close()',
    requirements: ['BODY-06'],
    level: 'MUST',
    needs: ['store'],
    request: 'GET /__tsgi/body?hook=dispose|asyncDispose|all',
    expect: 'the hook present, asyncDispose when all three are',
    async run(t) {
      for (const [hook, want] of [
        ['dispose', 'dispose'],
        ['asyncDispose', 'asyncDispose'],
        ['all', 'asyncDispose'],
      ]) {
        const { token } = await t.fetch({ path: 'body', query: `hook=${hook}` });
        const o = await checkRelease(t, token, 0);
        t.equal('BODY-06', o.notes.hookCalled, want, `hook called for hook=${hook}`);
      }
    },
  },
  {
    id: 'body/content-length-overrun',
    title: 'no more than content-length bytes; iteration stops there',
    requirements: ['BODY-08', 'BODY-05'],
    level: 'MUST',
    request: 'GET /__tsgi/body?cl=7&n=3&size=5',
    expect: 'exactly "aaaaabb"; return() once',
    async run(t) {
      const { res, token, conn } = await t.fetch({ path: 'body', query: 'cl=7&n=3&size=5' });
      t.equal('BODY-08', res.text(), 'aaaaabb', 'body');
      await releaseIfSeen(t, token, 1);
      const extra = conn.drain();
      t.check('BODY-08', extra.length === 0, 'nothing after the 7 bytes', extra.toString('latin1'));
    },
  },
  {
    id: 'body/content-length-underrun',
    title: 'fewer bytes than content-length: the connection is aborted',
    requirements: ['BODY-09'],
    needs: ['abortVisible'],
    level: 'MUST',
    request: 'GET /__tsgi/body?cl=30&n=2&size=5',
    expect: 'an incomplete response and a closed connection',
    async run(t) {
      const { res, conn } = await t.fetch(
        { path: 'body', query: 'cl=30&n=2&size=5' },
        { orNothing: true },
      );
      t.check(
        'BODY-09',
        !res.complete,
        'an incomplete response',
        `${res.body.length} bytes, complete`,
      );
      await Promise.race([conn.closed, new Promise((r) => setTimeout(r, 2000))]);
      t.check('BODY-09', conn.isClosed, 'the connection closed', 'still open');
    },
  },
  {
    id: 'body/head',
    title: 'HEAD: no body bytes, content-length kept, body released',
    requirements: ['BODY-12'],
    level: 'MUST',
    request: 'HEAD /__tsgi/body?cl=auto (connection: close)',
    expect: 'content-length: 15, no byte after the head, release once',
    async run(t) {
      const { res, stray, token } = await closed(t, 'HEAD', 'cl=auto');
      t.equal('BODY-12', res.header('content-length'), '15', 'content-length');
      t.check('BODY-12', stray.length === 0, 'no body bytes', stray.toString('latin1'));
      await releasedOnce(t, token, 'BODY-12');
    },
  },
  {
    id: 'body/no-body-statuses',
    title: '204 and 304: no body bytes, body released',
    requirements: ['BODY-13'],
    level: 'MUST',
    request:
      'GET /__tsgi/body?status=204+No+Content and 304 Not Modified (the app yields bytes anyway)',
    expect: 'no byte after the head; release once',
    async run(t) {
      for (const status of ['204+No+Content', '304+Not+Modified']) {
        const { res, stray, token } = await closed(t, 'GET', `status=${status}`);
        t.equal('BODY-13', res.status, Number(status.slice(0, 3)), 'status');
        t.check(
          'BODY-13',
          stray.length === 0,
          `no body bytes for ${res.status}`,
          stray.toString('latin1'),
        );
        await releasedOnce(t, token, 'BODY-13');
      }
    },
  },
  {
    id: 'body/no-body-stops-iterating',
    title: 'HEAD, 204, 304: no chunk is requested once startResponse was called',
    requirements: ['BODY-18'],
    level: 'MUST',
    needs: ['store'],
    request: 'HEAD /__tsgi/body, GET /__tsgi/body?status=204+No+Content',
    expect: 'next() never called; return() once',
    async run(t) {
      for (const [method, query] of [
        ['HEAD', 'cl=auto'],
        ['GET', 'status=204+No+Content'],
      ]) {
        const { token } = await closed(t, method!, query!);
        const o = await t.observe(token, released);
        t.equal('BODY-18', o.body.nextCalls, 0, `next() calls for ${method} ${query}`);
      }
    },
  },
  {
    id: 'body/backpressure',
    title: 'a client that does not read stops the body',
    requirements: ['BODY-02', 'ADP-NODE-02'],
    level: 'MUST',
    needs: ['backpressure', 'store'],
    request: 'GET /__tsgi/big (32 MiB) and read nothing for 500 ms',
    expect: 'the application has produced far less than 32 MiB; then all of it arrives',
    run: (t) => _backpressure(t, 'async', 'BODY-02'),
  },
  {
    id: 'write/backpressure',
    title: 'write() promises wait for the transport',
    requirements: ['WR-01', 'ADP-NODE-02'],
    level: 'MUST',
    needs: ['backpressure', 'store'],
    request: 'GET /__tsgi/big?kind=write (32 MiB by awaited write()) and read nothing for 500 ms',
    expect: 'the application has written far less than 32 MiB; then all of it arrives',
    run: (t) => _backpressure(t, 'write', 'WR-01'),
  },
];

async function _backpressure(t: CaseContext, kind: string, id: string): Promise<void> {
  const token = t.token();
  const conn = await t.connect();
  conn.socket.pause();
  conn.send(t.build({ path: 'big', query: `kind=${kind}` }, token));
  await new Promise((r) => setTimeout(r, 500));
  const o = await t.observe(token);
  const produced = Number(o.notes.produced ?? 0);
  t.check(id, produced < 256, 'fewer than 256 of 512 chunks produced while unread', produced);
  conn.socket.resume();
  const res = await conn.readResponse({ keepBody: false, timeout: 20_000 });
  t.check(id, res.complete, 'all 32 MiB to arrive', res.complete);
}
