/** Cases for write() and excInfo (spec 05-start-response.md, 06-write.md). */
import type { ServerCase } from '../case.js';
import { letters, QUIET_MS } from './helpers.js';

export const WRITE_CASES: ServerCase[] = [
  {
    id: 'write/order',
    title: 'write() chunks, awaited or not, go out in order before the body',
    requirements: ['WR-01', 'WR-02', 'WR-05', 'WR-03'],
    level: 'MUST',
    request: 'GET /__tsgi/write?n=3&m=2&await=0',
    expect: 'aaaabbbbccccddddeeee',
    async run(t) {
      const { res } = await t.fetch({ path: 'write', query: 'n=3&m=2&await=0' });
      t.equal('WR-05', res.text(), letters(5, 4), 'body');
      t.check('WR-01', res.complete, 'a complete response', res.complete);
    },
  },
  {
    id: 'write/empty-chunk',
    title: 'write() of an empty chunk sends nothing, not even headers',
    requirements: ['WR-04'],
    level: 'MUST',
    request: 'GET /__tsgi/write?empty=1&n=1&m=0 (empty write, then waits on the gate)',
    expect: `no byte within ${QUIET_MS} ms; "aaaa" once the gate opens (or the hold ends)`,
    async run(t) {
      const token = t.token();
      const hold = t.hold(token, 'empty=1&n=1&m=0');
      const conn = await t.connect();
      conn.send(t.build({ path: 'write', query: hold.query }, token));
      const early = await conn.waitForBytes(1, QUIET_MS);
      t.check('WR-04', !early, 'no bytes after an empty write', conn.drain().toString('latin1'));
      await hold.release();
      t.equal('WR-04', (await conn.readResponse()).text(), 'aaaa', 'body');
    },
  },
  {
    id: 'write/late',
    title: 'write() once the server iterates the body rejects with WR-02',
    requirements: ['WR-02'],
    level: 'MUST',
    request: 'GET /__tsgi/write?after=1&n=1&m=1',
    expect: 'the late write() rejects with a ContractError naming WR-02; body "aaaabbbb"',
    async run(t) {
      const { res, token } = await t.fetch({ path: 'write', query: 'after=1&n=1&m=1' });
      t.equal('WR-02', res.text(), letters(2, 4), 'body');
      // Stateless: the note travels in the trailing observation of the write endpoint.
      const o = await t.observe(token, (x) => x.notes.lateWrite !== undefined);
      t.equal('WR-02', o.notes.lateWrite, 'WR-02', 'the late write()');
    },
  },
  {
    id: 'excinfo/replace',
    title: 'excInfo before the headers went out replaces the response',
    requirements: ['SR-10'],
    level: 'MUST',
    request: 'GET /__tsgi/excinfo?when=before',
    expect: '500 with the replacement body',
    async run(t) {
      const { res } = await t.fetch({ path: 'excinfo', query: 'when=before' });
      t.equal('SR-10', [res.status, res.text()], [500, 'replaced by excInfo\n'], '[status, body]');
    },
  },
  {
    id: 'excinfo/after-headers',
    title: 'excInfo after the headers went out throws excInfo; the response is aborted',
    requirements: ['SR-10', 'ERR-03'],
    needs: ['abortVisible'],
    level: 'MUST',
    request: 'GET /__tsgi/excinfo?when=after',
    expect: 'startResponse throws the very error passed; the client sees a truncated 200',
    async run(t) {
      const { res, token } = await t.fetch(
        { path: 'excinfo', query: 'when=after' },
        { orNothing: true },
      );
      t.check('ERR-03', res.status !== 200 || !res.complete, 'an incomplete response', {
        status: res.status,
        complete: res.complete,
      });
      if (!t.has('store'))
        return t.unobserved(
          'store',
          'what startResponse threw (SR-10), after the headers went out',
        );
      const o = await t.observe(token, (x) => x.notes.excinfo !== undefined && x.released);
      const n = o.notes.excinfo as { threw: boolean; sameError: boolean };
      t.check('SR-10', n.threw, 'startResponse to throw', n);
      t.check('SR-10', n.sameError, 'excInfo itself thrown', n);
    },
  },
];
