/** Cases for the registered extensions (spec 10-extensions.md); skipped when not offered. */
import type { CaseContext, ServerCase } from '../case.js';

/** Fetches ext?which=`which`; skips the case when the server does not offer the extension. */
async function use(t: CaseContext, which: string, headers: Array<[string, string]> = []) {
  const r = await t.fetch({ path: 'ext', query: `which=${which}`, headers });
  if (r.res.header('content-type') === 'application/json' && r.res.text().includes('"absent"'))
    t.skip(`the server does not offer ${JSON.parse(r.res.text()).absent} (EXT-07: absent is fine)`);
  return r;
}

export const EXTENSION_CASES: ServerCase[] = [
  {
    id: 'extensions/early-hints',
    title: 'tsgix.early_hints sends a 103 before the final response',
    requirements: ['EXT-02'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET /__tsgi/ext?which=hints',
    expect: 'the call resolves; a 103 with the link header precedes the 200 (or nothing, allowed)',
    async run(t) {
      const { res, token } = await use(t, 'hints');
      const o = await t.observe(token, (x) => x.notes.hints !== undefined);
      t.equal('EXT-02', o.notes.hints, 'ok', 'early_hints() outcome');
      const hints = res.interim.filter((i) => i.status === 103);
      t.check(
        'EXT-02',
        hints.every((h) => h.headers.some(([k]) => k.toLowerCase() === 'link')),
        '103 with link',
        hints,
      );
      t.equal('EXT-02', res.status, 200, 'final status');
    },
  },
  {
    id: 'extensions/response-finished',
    title: 'tsgix.response_finished callbacks run once, newest first',
    requirements: ['EXT-04'],
    level: 'MUST',
    needs: ['store'],
    request: 'GET /__tsgi/ext?which=finished (two callbacks pushed)',
    expect: 'callback 2 then 1, each once, with status "200 ..." and error null',
    async run(t) {
      const { token } = await use(t, 'finished');
      const o = await t.observe(
        token,
        (x) => Array.isArray(x.notes.finished) && x.notes.finished.length >= 2,
      );
      const calls = (o.notes.finished ?? []) as Array<{
        n: number;
        status: unknown;
        error: unknown;
      }>;
      t.equal(
        'EXT-04',
        calls.map((c) => c.n),
        [2, 1],
        'callback order',
      );
      t.check(
        'EXT-04',
        calls.every((c) => String(c.status).startsWith('200') && c.error === null),
        'status 200, error null',
        calls,
      );
    },
  },
  {
    id: 'extensions/file-wrapper',
    title: 'tsgi.file_wrapper serves the file and is released',
    requirements: ['EXT-01'],
    level: 'MUST',
    request: 'GET /__tsgi/ext?which=file (20 000 bytes through file_wrapper(file, 4096))',
    expect: 'the 20 000 octets; the body released once',
    async run(t) {
      const { res, token } = await use(t, 'file');
      const want = new Uint8Array(20_000).map((_, i) => i & 0xff);
      t.check(
        'EXT-01',
        Buffer.from(res.body).equals(want),
        'the file bytes',
        `${res.body.length} bytes`,
      );
      if (!t.has('store')) return t.unobserved('store', 'the body release');
      const o = await t.observe(token, (x) => x.released);
      t.equal('EXT-01', o.body.releaseCalls, 1, 'completion hook calls');
    },
  },
  {
    id: 'extensions/trailers',
    title: 'tsgix.trailers are sent only when the client asked with TE: trailers',
    requirements: ['EXT-03'],
    level: 'MUST',
    needs: ['direct'],
    request: 'GET /__tsgi/ext?which=trailers with and without TE: trailers',
    expect: 'x-checksum trailer with TE; none without; never a trailer header from the app',
    async run(t) {
      const withTe = (await use(t, 'trailers', [['TE', 'trailers']])).res;
      t.equal('EXT-03', withTe.trailers, [['x-checksum', 'probe-123']], 'trailers with TE');
      const without = (await use(t, 'trailers')).res;
      t.equal('EXT-03', without.trailers, [], 'trailers without TE');
    },
  },
];
