/**
 * Cases for response rules of the second edition (TSGI 1.1): chunk ownership (BODY-19,
 * ADP-NODE-12), a late startResponse (APP-10), the reason phrase (SR-16), a 426 with `upgrade`
 * (SR-17), no invented fields (BODY-22, BODY-25) and 205 (BODY-23).
 */
import { reuseExpected } from '../../probe/edition2-endpoints.js';
import type { Observation } from '../../probe/store.js';
import type { CaseContext, ServerCase } from '../case.js';
import type { RawResponse } from '../http-parser.js';
import { letters } from './helpers.js';

const released = (o: Observation): boolean => o.released;

/** Where `got` first differs from `want`, for a failure message. */
function firstDifference(got: Uint8Array, want: Uint8Array, sizes: string): string {
  const n = Math.min(got.length, want.length);
  let at = 0;
  while (at < n && got[at] === want[at]) at++;
  const each = sizes.split(',').map(Number);
  let chunk = 0;
  for (let end = each[0]!; end <= at; end += each[++chunk % each.length]!);
  const show = (b: Uint8Array) => Buffer.from(b.subarray(at, at + 12)).toString('latin1');
  return `${got.length} bytes (want ${want.length}); first difference at byte ${at} (chunk ${chunk}): ${JSON.stringify(show(got))} instead of ${JSON.stringify(show(want))}`;
}

/** Checks a reuse response against the bytes the probe produced. */
function checkReuse(
  t: CaseContext,
  id: string,
  res: RawResponse,
  what: string,
  n: number,
  sizes: string,
) {
  const want = reuseExpected(n, sizes);
  t.equal(id, res.status, 200, `status for ${what}`);
  t.check(
    id,
    res.complete && Buffer.from(res.body).equals(want),
    `the ${want.length} bytes the application produced (${what})`,
    firstDifference(res.body, want, sizes),
  );
}

const _KINDS = ['sync', 'async', 'write', 'array'];

/** Requests with `connection: close` so every byte after the head is visible. */
async function closed(t: CaseContext, method: string, path: string, query: string) {
  const r = await t.fetch({ method, path, query, close: true });
  await r.conn.closed;
  return { ...r, stray: r.conn.drain() };
}

export const EDITION2_BODY_CASES: ServerCase[] = [
  {
    id: 'body/reused-buffer',
    title: 'a chunk buffer the application refills as soon as BODY-17 allows arrives intact',
    requirements: ['BODY-19', 'BODY-17'],
    level: 'MUST',
    request:
      'GET /__tsgi/reuse?kind=sync|async|write|array&n=50&sizes=4096 and sizes=1,70000,4096,3 (one buffer refilled per chunk, scribbled over at the end and in the hook)',
    expect: 'every byte as produced (compared in full)',
    async run(t) {
      for (const sizes of ['4096', '1,70000,4096,3'])
        for (const kind of _KINDS) {
          const { res } = await t.fetch(
            { path: 'reuse', query: `kind=${kind}&n=50&sizes=${sizes}` },
            { timeout: 20_000 },
          );
          checkReuse(t, 'BODY-19', res, `kind=${kind} sizes=${sizes}`, 50, sizes);
        }
    },
  },
  {
    id: 'node/reused-buffer-backpressure',
    title: 'node:http: a reused chunk buffer survives a client that reads late',
    requirements: ['ADP-NODE-12', 'BODY-19'],
    level: 'MUST',
    profiles: ['node'],
    needs: ['backpressure'],
    request:
      'GET /__tsgi/reuse?kind=sync|async|write|array&n=64&sizes=65536 (4 MiB); the client reads nothing for 300 ms',
    expect: 'every byte as produced, although node:http queued references meanwhile',
    async run(t) {
      for (const kind of _KINDS) {
        const conn = await t.connect();
        conn.socket.pause();
        conn.send(t.build({ path: 'reuse', query: `kind=${kind}&n=64&sizes=65536` }, t.token()));
        await new Promise((r) => setTimeout(r, 300));
        conn.socket.resume();
        const res = await conn.readResponse({ timeout: 20_000 });
        checkReuse(t, 'ADP-NODE-12', res, `kind=${kind}`, 64, '65536');
      }
    },
  },
  {
    id: 'response/late-start',
    title: 'startResponse may be called inside the body, after zero-length chunks',
    requirements: ['APP-10', 'APP-05'],
    level: 'MUST',
    request: 'GET /__tsgi/body?start=late (sync, async); GET /__tsgi/latestart?empties=0|2',
    expect: '200 with the whole body each time',
    async run(t) {
      for (const kind of ['async', 'sync']) {
        const { res } = await t.fetch({ path: 'body', query: `start=late&kind=${kind}` });
        t.equal('APP-10', [res.status, res.text()], [200, letters(3, 5)], `start=late ${kind}`);
        for (const empties of [0, 2]) {
          const late = await t.fetch({
            path: 'latestart',
            query: `kind=${kind}&empties=${empties}`,
          });
          t.equal(
            'APP-10',
            [late.res.status, late.res.text()],
            [200, 'late start\n'],
            `latestart kind=${kind} empties=${empties}`,
          );
        }
      }
    },
  },
  {
    id: 'response/reason-phrase-bytes',
    title: 'reason phrases with a tab, an obs-text octet and other codes go out byte for byte',
    requirements: ['SR-16'],
    level: 'MUST',
    needs: ['reasonPhrase'],
    request:
      'GET /__tsgi/body?kind=array&status=200+Probe+Says+Fine, 404, 418, a tab and an obs-text octet',
    expect: 'each reason phrase byte for byte in the status line',
    async run(t) {
      for (const status of [
        '200 Probe Says Fine',
        '404 Nothing To See Here',
        '418 Probe Teapot',
        '299 Tab\tInside',
        '200 Caf\u00e9',
      ]) {
        const query = `kind=array&status=${[...status].map((c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`).join('')}`;
        const { res } = await t.fetch({ path: 'body', query });
        t.equal('SR-16', `${res.status} ${res.reason}`, status, 'status line');
      }
    },
  },
  {
    id: 'response/upgrade-426',
    title: 'upgrade is accepted on a 426 only, and a 426 with upgrade carries connection: upgrade',
    requirements: ['SR-17', 'SR-06'],
    level: 'MUST',
    request: 'GET /__tsgi/upgrade?status=426 (upgrade: probe/1); GET /__tsgi/upgrade?status=200',
    expect:
      '426 with upgrade: probe/1 and "upgrade" in connection; startResponse throws SR-06 on 200',
    async run(t) {
      const { res } = await t.fetch({ path: 'upgrade', query: 'status=426' });
      t.equal('SR-06', res.status, 426, 'status of the 426 with upgrade');
      t.equal('SR-06', res.headerAll('upgrade'), ['probe/1'], 'upgrade');
      const tokens = res
        .headerAll('connection')
        .flatMap((v) => v.split(','))
        .map((v) => v.trim().toLowerCase());
      if (!t.has('direct')) t.unobserved('direct', 'connection: upgrade on the 426');
      else t.check('SR-17', tokens.includes('upgrade'), 'connection: upgrade', res.headers);
      const other = await t.fetch({ path: 'upgrade', query: 'status=200' });
      const r = JSON.parse(other.res.text()) as {
        threw: boolean;
        error?: { requirement?: string };
      };
      t.check(
        'SR-06',
        r.threw && r.error?.requirement === 'SR-06',
        'a ContractError naming SR-06 on 200',
        r,
      );
    },
  },
  {
    id: 'body/no-invented-content-type',
    title: 'a response without content-type is sent without one',
    requirements: ['BODY-22'],
    level: 'MUST',
    request: 'GET /__tsgi/bare?kind=array|async (startResponse with no header at all)',
    expect: 'no content-type field',
    async run(t) {
      for (const kind of ['array', 'async']) {
        const { res } = await t.fetch({ path: 'bare', query: `kind=${kind}` });
        t.equal('BODY-22', res.text(), 'no content-type\n', `body (${kind})`);
        t.equal('BODY-22', res.headerAll('content-type'), [], `content-type (${kind})`);
      }
    },
  },
  {
    id: 'body/no-added-length',
    title: 'HEAD, 204 and 304 get no content-length the application did not set',
    requirements: ['BODY-25'],
    level: 'MUST',
    request:
      'HEAD /__tsgi/body?kind=array and kind=async; GET ?status=204|304&kind=array; GET ?status=304&cl=15',
    expect: "no content-length on the first four; the application's 15 kept on the last",
    async run(t) {
      for (const [method, query, want] of [
        ['HEAD', 'kind=array', []],
        ['HEAD', 'kind=async', []],
        ['GET', 'status=204+No+Content&kind=array', []],
        ['GET', 'status=304+Not+Modified&kind=array', []],
        ['GET', 'status=304+Not+Modified&kind=array&cl=15', ['15']],
      ] as const) {
        const { res, stray } = await closed(t, method, 'body', query);
        t.equal(
          'BODY-25',
          res.headerAll('content-length'),
          want,
          `content-length for ${method} ${query}`,
        );
        t.check(
          'BODY-25',
          stray.length === 0,
          `no body bytes for ${method} ${query}`,
          stray.toString('latin1'),
        );
      }
    },
  },
  {
    id: 'body/reset-content',
    title: '205: no body bytes, no iteration, framed as empty',
    requirements: ['BODY-23'],
    level: 'MUST',
    request:
      'GET /__tsgi/body?status=205+Reset+Content (bytes yielded anyway), then kind=array and cl=0, each followed by GET /__tsgi/env on the same connection',
    expect: 'content-length: 0, no body bytes, next() never called, the next response intact',
    async run(t) {
      for (const query of ['', '&kind=array', '&cl=0']) {
        const token = t.token();
        const conn = await t.connect();
        conn.send(t.build({ path: 'body', query: `status=205+Reset+Content${query}` }, token));
        const res = await conn.readResponse();
        t.equal('BODY-23', res.status, 205, 'status');
        t.equal('BODY-23', res.headerAll('content-length'), ['0'], `content-length (${query})`);
        // The framing is proved by the next response on the same connection, where the front
        // end keeps connections open for it (busybox httpd closes after every response).
        if (t.has('pipelining')) {
          conn.send(t.build({ path: 'env' }, t.token()));
          const next = await conn.readResponse();
          t.check(
            'BODY-23',
            next.status === 200 && next.text().startsWith('{'),
            `the next response on the connection intact (${query})`,
            `${next.status} ${next.text().slice(0, 40)}`,
          );
        } else {
          t.unobserved('pipelining', `the next response on the same connection (${query})`);
        }
        if (query === '&kind=array') continue; // a plain Array: nothing to iterate or release
        const o = await t.observe(token, released);
        t.equal('BODY-23', o.body.nextCalls, 0, `next() calls (${query})`);
        t.equal('BODY-23', o.body.releaseCalls, 1, `completion hook calls (${query})`);
      }
    },
  },
];
