/** Cases for Expect: 100-continue (spec 03-input.md, IN-07). */
import type { CaseContext, ServerCase } from '../case.js';
import type { Connection } from '../connection.js';
import { parseEcho } from './input.js';

/** Opens a connection and sends the head of `POST /__tsgi/echo` (Expect: 100-continue) only. */
async function expectContinue(t: CaseContext, length: number, query?: string): Promise<Connection> {
  const conn = await t.connect();
  const headers: Array<[string, string]> = [
    ['Expect', '100-continue'],
    ['Content-Length', String(length)],
  ];
  const req = { method: 'POST', path: 'echo', headers };
  conn.send(t.build(query === undefined ? req : { ...req, query }, t.token()));
  return conn;
}

export const CONTINUE_CASES: ServerCase[] = [
  {
    id: 'input/expect-continue',
    title: 'Expect: 100-continue is handled by the server',
    requirements: ['IN-07', 'ADP-NODE-03'],
    level: 'MUST',
    needs: ['continue100'],
    request: 'POST /__tsgi/echo with Expect: 100-continue; the body follows the 100 (or 1 s)',
    expect: 'the application reads the 11 bytes and answers',
    async run(t) {
      const conn = await expectContinue(t, 11);
      await conn.waitForBytes(1, 1000);
      conn.send('hello world');
      const res = await conn.readResponse();
      t.equal('IN-07', parseEcho(t, 'IN-07', res).bytes, 11, 'bytes read');
    },
  },
  {
    id: 'input/expect-continue-on-read',
    title: '100 Continue is sent when the application reads',
    requirements: ['IN-07'],
    level: 'SHOULD',
    needs: ['continue100'],
    request: 'POST /__tsgi/echo with Expect: 100-continue, headers only',
    expect: 'HTTP/1.1 100 Continue before the body is sent',
    async run(t) {
      const conn = await expectContinue(t, 2);
      const got100 = await conn.waitForBytes(12, 2000);
      conn.send('ok');
      const res = await conn.readResponse();
      t.check(
        'IN-07',
        got100 && res.interim.some((i) => i.status === 100),
        'a 100 Continue',
        res.interim,
      );
    },
  },
  {
    id: 'input/expect-continue-not-read',
    title: 'no 100 Continue when the application answers without reading',
    requirements: ['IN-07'],
    level: 'MUST',
    needs: ['continue100'],
    request: 'POST /__tsgi/echo?mode=none&status=401 with Expect: 100-continue, headers only',
    expect: '401 with no 100 Continue before it (werkzeug #1174)',
    async run(t) {
      const conn = await expectContinue(t, 5, 'mode=none&status=401+Unauthorized');
      const res = await conn.readResponse();
      t.equal('IN-07', res.status, 401, 'status');
      t.equal(
        'IN-07',
        res.interim.map((i) => i.status),
        [],
        'interim responses',
      );
    },
  },
];
