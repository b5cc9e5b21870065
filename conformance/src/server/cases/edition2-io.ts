/**
 * Cases for input, signal and error rules of the second edition (TSGI 1.1): concurrent reads
 * (IN-13), reads after a disconnect (IN-14, IN-15), the signal's lifetime and reason (ENV-31,
 * ENV-32), a caught ContractError (ERR-08) and write() failures (WR-06).
 */
import type { Observation } from '../../probe/store.js';
import type { CaseContext, ServerCase } from '../case.js';
import { delay, QUIET_MS } from './helpers.js';

type _Error = { name?: string; code?: unknown; requirement?: unknown; message?: unknown };
type _Outcome = { threw?: boolean; promise?: boolean; rejected?: boolean; error?: _Error };

const released = (o: Observation): boolean => o.released;

/** Sends `head` (and `body`), waits for the probe's note `key`, then resets or closes. */
async function leaveAfter(
  t: CaseContext,
  token: string,
  raw: string,
  key: string,
  how: 'close' | 'reset',
): Promise<void> {
  const conn = await t.connect();
  conn.send(raw);
  await t.observe(token, (o) => o.notes[key] !== undefined, 5000);
  if (how === 'reset') conn.socket.resetAndDestroy();
  else conn.destroy();
}

/** Fails `id` unless `o` is a rejected promise (never a synchronous throw) naming `rule`. */
function rejectedWith(
  t: CaseContext,
  id: string,
  o: _Outcome | undefined,
  rule: string,
  what: string,
) {
  t.check(id, o?.threw === false, `${what}: no synchronous throw`, o);
  t.check(id, o?.rejected === true, `${what}: a rejected promise`, o);
  t.check(
    id,
    o?.error?.code === 'TSGI_CONTRACT' && o.error.requirement === rule,
    `${what}: a ContractError naming ${rule}`,
    o?.error,
  );
}

export const EDITION2_IO_CASES: ServerCase[] = [
  {
    id: 'input/concurrent-read',
    title: 'a read() while another is pending rejects and leaves the pending one alone',
    requirements: ['IN-13'],
    level: 'MUST',
    needs: ['truncation'],
    request:
      'POST /__tsgi/concurrent with Content-Length: 10 and no body yet; two read() calls; then "helloworld"',
    expect: 'the second read rejects (ContractError IN-12); the first resolves with the body',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      const head = t.build(
        { method: 'POST', path: 'concurrent', headers: [['Content-Length', '10']] },
        token,
      );
      conn.send(head);
      if (t.has('store')) await t.observe(token, (o) => o.notes.second !== undefined, 5000);
      else await delay(QUIET_MS);
      conn.send('helloworld');
      const res = await conn.readResponse();
      const r = JSON.parse(res.text()) as {
        second: _Outcome;
        first: { bytes?: string; error?: _Error };
        rest: { bytes: string; eof?: boolean };
      };
      rejectedWith(t, 'IN-13', r.second, 'IN-12', 'the second read()');
      t.check(
        'IN-13',
        (r.first.bytes ?? '').length > 0,
        'the first read() resolves with bytes',
        r.first,
      );
      t.equal('IN-13', `${r.first.bytes}${r.rest.bytes}`, 'helloworld', 'the body read');
    },
  },
  {
    id: 'input/complete-then-disconnect',
    title: 'a body fully received, or cancelled, reads the same after the client left',
    requirements: ['IN-14'],
    level: 'MUST',
    needs: ['disconnect'],
    request:
      'POST /__tsgi/latein?mode=complete ("helloworld", read(3), the client leaves, read on); mode=cancel (10 of 100 bytes, cancel(), the client leaves, read)',
    expect: 'complete: "loworld" then end of body; cancel: end of body; no rejection',
    async run(t) {
      for (const [mode, length, sent, want] of [
        ['complete', '10', 'helloworld', 'loworld'],
        ['cancel', '100', 'helloworld', ''],
      ] as const) {
        const token = t.token();
        const req = { method: 'POST', path: 'latein', query: `mode=${mode}` };
        const raw = t.build({ ...req, headers: [['Content-Length', length]] }, token) + sent;
        await leaveAfter(t, token, raw, 'ready', 'close');
        const o = await t.observe(token, (x) => x.notes.after !== undefined, 8000);
        const after = o.notes.after as {
          aborted: boolean;
          bytes: string;
          eof?: boolean;
          error?: _Error;
        };
        if (!after.aborted)
          t.skip(
            'the server did not abort tsgi.signal while the application waited (ENV-24 SHOULD)',
          );
        t.check('IN-14', after.error === undefined, `no rejection (${mode})`, after.error);
        t.equal(
          'IN-14',
          [after.bytes, after.eof],
          [want, true],
          `what the reads returned (${mode})`,
        );
      }
    },
  },
  {
    id: 'input/reset-is-disconnect',
    title: 'a connection reset mid-body rejects reads with ClientDisconnectError',
    requirements: ['IN-15', 'ERR-05'],
    level: 'MUST',
    needs: ['disconnect', 'truncation'],
    request:
      'POST /__tsgi/echo with Content-Length: 100000, 10 bytes sent; the client resets (RST)',
    expect: 'read() rejects with TSGI_CLIENT_DISCONNECT, not TSGI_INPUT_TRUNCATED',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      conn.send(
        t.build({ method: 'POST', path: 'echo', headers: [['Content-Length', '100000']] }, token),
      );
      conn.send('0123456789');
      await t.observe(token, (o) => o.input.bytes > 0, 5000).catch(() => undefined);
      conn.socket.resetAndDestroy();
      const o = await t.observe(token, (x) => x.notes.echo !== undefined, 5000);
      const e = o.notes.echo as { error: _Error | null } | undefined;
      t.equal('IN-15', e?.error?.code, 'TSGI_CLIENT_DISCONNECT', 'the read error code');
    },
  },
  {
    id: 'errors/signal-after-completion',
    title: 'tsgi.signal never aborts once the response ended normally',
    requirements: ['ENV-31'],
    level: 'MUST',
    request:
      'GET /__tsgi/signal?kind=async|array; after the whole response, the client closes (FIN) or resets (RST)',
    expect: 'no abort event, tsgi.signal not aborted',
    async run(t) {
      for (const [kind, how] of [
        ['async', 'close'],
        ['array', 'close'],
        ['async', 'reset'],
      ] as const) {
        const { res, token, conn } = await t.fetch({ path: 'signal', query: `kind=${kind}` });
        t.equal('ENV-31', [res.status, res.text()], [200, 'signal\n'], `response (${kind})`);
        await t.observe(token, released);
        if (how === 'reset') conn.socket.resetAndDestroy();
        else conn.destroy();
        await delay(QUIET_MS);
        const o = await t.observe(token);
        t.check(
          'ENV-31',
          o.notes.abort === undefined && !o.signal.aborted,
          `no abort after the response (${kind}, ${how})`,
          o.notes.abort ?? o.signal,
        );
      }
    },
  },
  {
    id: 'errors/signal-reason',
    title: 'a disconnect aborts tsgi.signal with a ClientDisconnectError',
    requirements: ['ENV-32'],
    level: 'MUST',
    needs: ['disconnect'],
    request: 'GET /__tsgi/signal?mode=idle (one chunk, then waits); the client closes',
    expect: 'the abort reason has code TSGI_CLIENT_DISCONNECT and a message',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      conn.send(t.build({ path: 'signal', query: 'mode=idle' }, token));
      await conn.waitUntil((b) => b.includes('signal\n'), 3000);
      conn.destroy();
      const o = await t.observe(token, (x) => x.notes.abort !== undefined, 5000);
      const r = (o.notes.abort as { reason?: _Error } | undefined)?.reason;
      t.check('ENV-32', r !== undefined, 'tsgi.signal aborted', o.signal);
      t.equal(
        'ENV-32',
        [r?.name, r?.code],
        ['ClientDisconnectError', 'TSGI_CLIENT_DISCONNECT'],
        'reason',
      );
      t.check(
        'ENV-32',
        typeof r?.message === 'string' && r.message !== '',
        'a message',
        r?.message,
      );
    },
  },
  {
    id: 'errors/caught-contract-error',
    title: 'a ContractError the application catches is logged, and its recovery is sent',
    requirements: ['ERR-08'],
    level: 'MUST',
    request:
      'GET /__tsgi/recover?kind=start (CR LF in a header, caught, then excInfo) and kind=write (write of a string, caught)',
    expect: 'the recovered 200; tsgi.errors got a line naming SR-05 / APP-04 during the call',
    async run(t) {
      for (const [kind, rule] of [
        ['start', 'SR-05'],
        ['write', 'APP-04'],
      ] as const) {
        const { res } = await t.fetch({ path: 'recover', query: `kind=${kind}` });
        t.equal('ERR-08', res.status, 200, `status (${kind})`);
        const r = JSON.parse(res.text()) as {
          recovered: boolean;
          caught: _Error;
          logged: string[];
        };
        t.check('ERR-08', r.recovered, `the recovered response (${kind})`, res.text());
        t.equal('ERR-08', [r.caught.code, r.caught.requirement], ['TSGI_CONTRACT', rule], 'caught');
        t.check(
          'ERR-08',
          r.logged.some((line) => line.includes(rule)),
          `tsgi.errors written a line naming ${rule} when it was raised (${kind})`,
          r.logged,
        );
      }
    },
  },
  {
    id: 'write/failures-reject',
    title: 'write() reports every failure as a rejected promise',
    requirements: ['WR-06', 'BODY-08'],
    level: 'MUST',
    request:
      'GET /__tsgi/writefail: content-length 4; write of a string, of 6 bytes, of 2 more, and from the completion hook',
    expect:
      'each call returns a rejected promise (APP-04, BODY-08, BODY-08, WR-02); the body is "aaaa"',
    async run(t) {
      const { res, token } = await t.fetch({ path: 'writefail' });
      t.equal('WR-06', [res.status, res.text()], [200, 'aaaa'], 'response');
      const o = await t.observe(token, (x) => x.notes.lateWrite !== undefined);
      const w = o.notes.writes as Record<string, _Outcome>;
      rejectedWith(t, 'WR-06', w.badChunk, 'APP-04', 'write() of a string');
      rejectedWith(t, 'WR-06', w.crossing, 'BODY-08', 'a write() crossing content-length');
      rejectedWith(t, 'WR-06', w.after, 'BODY-08', 'a write() past content-length');
      rejectedWith(t, 'WR-06', o.notes.lateWrite as _Outcome, 'WR-02', 'a write() from the hook');
    },
  },
];
