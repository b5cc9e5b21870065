/** Cases for startResponse, response headers, write() and excInfo (spec 05, 06). */
import type { CaseContext, ServerCase } from '../case.js';
import { letters, QUIET_MS } from './helpers.js';

interface _StartNote {
  threw: boolean;
  error?: { code: unknown; requirement: unknown; message: string };
}

/**
 * Runs the probe's `start` endpoint with `kind` and returns what the call did: from the body,
 * which reports it, or (`late`, a call after the response completed) from the observation.
 */
async function misuse(t: CaseContext, kind: string): Promise<_StartNote> {
  const { res, token } = await t.fetch({ path: 'start', query: `kind=${kind}`, close: true });
  if (res.status !== 200) throw new Error(`start?kind=${kind} answered ${res.status}`);
  if (kind !== 'late') return JSON.parse(res.text()) as _StartNote;
  const o = await t.observe(token, (x) => x.notes.start !== undefined);
  // A run-once (CGI) process may end before its late call: nothing to judge then.
  if (o.notes.start === undefined) t.skip(`the probe recorded no startResponse call for ${kind}`);
  return o.notes.start as _StartNote;
}

/** Checks a misuse threw a ContractError naming `id`, with the message format of ERR-06. */
function threw(t: CaseContext, note: _StartNote, id: string, what: string): void {
  t.check('SR-07', note.threw, `startResponse to throw for ${what}`, 'it returned');
  t.check('ERR-06', note.error?.code === 'TSGI_CONTRACT', 'a ContractError', note.error);
  t.equal(id, note.error?.requirement, id, `requirement of the error for ${what}`);
  t.check(
    'ERR-06',
    note.error?.message.startsWith(`${id}: `) === true,
    `message "${id}: ..."`,
    note.error?.message,
  );
}

const _kinds =
  (ids: Record<string, string>): ServerCase['run'] =>
  async (t) => {
    for (const [kind, id] of Object.entries(ids)) threw(t, await misuse(t, kind), id, kind);
  };

export const RESPONSE_CASES: ServerCase[] = [
  {
    id: 'response/status-code',
    title: "the status code is the application's",
    requirements: ['SR-02', 'SR-12'],
    level: 'MUST',
    request: 'GET /__tsgi/body?status=201+Created+Probe',
    expect: 'HTTP/1.1 201',
    async run(t) {
      const { res } = await t.fetch({ path: 'body', query: 'status=201+Created+Probe' });
      t.equal('SR-02', res.status, 201, 'status code');
    },
  },
  {
    id: 'response/reason-phrase',
    title: "the application's reason phrase goes out unchanged",
    requirements: ['SR-16'],
    level: 'MUST',
    needs: ['reasonPhrase'],
    request: 'GET /__tsgi/body?status=201+Created+Probe over HTTP/1.1',
    expect: 'status line "HTTP/1.1 201 Created Probe"',
    async run(t) {
      const { res } = await t.fetch({ path: 'body', query: 'status=201+Created+Probe' });
      t.equal('SR-16', [res.status, res.reason], [201, 'Created Probe'], '[code, reason phrase]');
    },
  },
  {
    id: 'response/repeated-headers',
    title: 'repeated response headers are sent as separate lines',
    requirements: ['SR-03'],
    level: 'MUST',
    request: 'GET /__tsgi/headers',
    expect: 'two set-cookie lines and two x-multi lines, never joined',
    async run(t) {
      const { res } = await t.fetch({ path: 'headers' });
      t.equal(
        'SR-03',
        res.headerAll('set-cookie'),
        ['a=1; Path=/', 'b=2; Path=/'],
        'set-cookie lines',
      );
      t.equal('SR-03', res.headerAll('x-multi'), ['one', 'two'], 'x-multi lines');
    },
  },
  {
    id: 'response/header-bytes',
    title: 'header values go out byte for byte',
    requirements: ['SR-05', 'SR-12'],
    level: 'MUST',
    request: 'GET /__tsgi/headers',
    expect: 'x-latin1: caf\\xe9 \\xff as two octets, X-Mixed-Case value unchanged',
    async run(t) {
      const { res } = await t.fetch({ path: 'headers' });
      t.equal('SR-05', res.header('x-latin1'), 'caf\xe9 \xff', 'x-latin1');
      t.equal('SR-12', res.header('x-mixed-case'), 'Value', 'X-Mixed-Case');
      t.equal('SR-12', res.header('content-type'), 'text/plain', 'content-type');
    },
  },
  {
    id: 'response/date',
    title: 'the server adds the date header HTTP requires',
    requirements: ['SR-12'],
    level: 'MUST',
    request: 'GET /__tsgi/headers (the application sets no date)',
    expect: 'a date header',
    async run(t) {
      const { res } = await t.fetch({ path: 'headers' });
      t.check('SR-12', res.header('date') !== undefined, 'a date header', res.headers);
    },
  },
  {
    id: 'response/headers-copied',
    title: 'changing the header array after startResponse changes nothing',
    requirements: ['SR-13'],
    level: 'MUST',
    request: 'GET /__tsgi/headers?mutate=1',
    expect: 'no x-added-later; x-multi still "one", "two"',
    async run(t) {
      const { res } = await t.fetch({ path: 'headers', query: 'mutate=1' });
      t.check('SR-13', res.header('x-added-later') === undefined, 'no x-added-later', res.headers);
      t.equal('SR-13', res.headerAll('x-multi'), ['one', 'two'], 'x-multi lines');
    },
  },
  {
    id: 'response/header-injection',
    title: 'CR, LF and NUL in headers or status throw inside startResponse',
    requirements: ['SR-05', 'SR-07', 'SR-02', 'ERR-06'],
    level: 'MUST',
    request: 'GET /__tsgi/start?kind=crlf|lf|nul|status-crlf',
    expect: 'ContractError SR-05 (SR-02 for the status); no x-injected header reaches the client',
    async run(t) {
      for (const [kind, id] of [
        ['crlf', 'SR-05'],
        ['lf', 'SR-05'],
        ['nul', 'SR-05'],
        ['status-crlf', 'SR-02'],
      ]) {
        const { res } = await t.fetch({ path: 'start', query: `kind=${kind}` });
        t.check(
          'SR-05',
          res.header('x-injected') === undefined,
          'no x-injected header',
          res.headers,
        );
        // The endpoint's body reports the call (the same note the observation has).
        threw(t, JSON.parse(res.text()) as _StartNote, id!, kind!);
      }
    },
  },
  {
    id: 'response/invalid-headers',
    title: 'invalid header names, hop-by-hop fields and bad content-length throw',
    requirements: ['SR-03', 'SR-04', 'SR-05', 'SR-06', 'SR-15', 'SR-07'],
    level: 'MUST',
    request:
      'GET /__tsgi/start?kind=name-space|name-status|non-byte|hop|connection|cl-text|cl-conflict|headers-object',
    expect: 'each throws a ContractError naming its rule',
    run: _kinds({
      'name-space': 'SR-04',
      'name-status': 'SR-04',
      'non-byte': 'SR-05',
      hop: 'SR-06',
      connection: 'SR-06',
      'cl-text': 'SR-15',
      'cl-conflict': 'SR-15',
      'headers-object': 'SR-03',
    }),
  },
  {
    id: 'response/invalid-status',
    title: 'a status that is not "NNN Reason" in 200-599 throws',
    requirements: ['SR-02', 'SR-07'],
    level: 'MUST',
    request: 'GET /__tsgi/start?kind=status-number|status-no-reason|status-1xx',
    expect: 'ContractError SR-02 each time',
    run: _kinds({ 'status-number': 'SR-02', 'status-no-reason': 'SR-02', 'status-1xx': 'SR-02' }),
  },
  {
    id: 'response/second-call',
    title: 'a second startResponse without excInfo throws',
    requirements: ['SR-09'],
    level: 'MUST',
    request: 'GET /__tsgi/start?kind=twice',
    expect: 'ContractError SR-09',
    run: _kinds({ twice: 'SR-09' }),
  },
  {
    id: 'response/late-call',
    title: 'startResponse after the request completed throws',
    requirements: ['SR-14'],
    level: 'MUST',
    needs: ['store'],
    request: 'GET /__tsgi/start?kind=late (startResponse 20 ms after the completion hook)',
    expect: 'ContractError SR-14',
    async run(t) {
      threw(t, await misuse(t, 'late'), 'SR-14', 'a call after completion');
    },
  },
  {
    id: 'response/deferred-headers',
    title: 'startResponse sends nothing; headers go with the first chunk',
    requirements: ['SR-08', 'APP-07'],
    level: 'MUST',
    request: 'GET /__tsgi/body?gate=before&lead=3 (startResponse, 3 empty chunks, then waits)',
    expect: `no byte within ${QUIET_MS} ms; the response once the gate opens (or the hold ends)`,
    async run(t) {
      const token = t.token();
      const hold = t.hold(token, 'gate=before&lead=3');
      const conn = await t.connect();
      conn.send(t.build({ path: 'body', query: hold.query }, token));
      const early = await conn.waitForBytes(1, QUIET_MS);
      t.check(
        'SR-08',
        !early,
        'no bytes before the first non-empty chunk',
        conn.drain().toString('latin1'),
      );
      await hold.release();
      const res = await conn.readResponse();
      t.equal('SR-08', res.text(), letters(3, 5), 'body');
    },
  },
  {
    id: 'response/deferred-content-length-zero',
    title: 'content-length: 0 is no exception to deferred headers',
    requirements: ['SR-08'],
    level: 'MUST',
    request: 'GET /__tsgi/body?n=0&cl=0&gate=before',
    expect: `no byte within ${QUIET_MS} ms; a 0-length response once the gate opens (or the hold ends)`,
    async run(t) {
      const token = t.token();
      const hold = t.hold(token, 'n=0&cl=0&gate=before');
      const conn = await t.connect();
      conn.send(t.build({ path: 'body', query: hold.query }, token));
      const early = await conn.waitForBytes(1, QUIET_MS);
      t.check('SR-08', !early, 'no bytes before the body ends', conn.drain().toString('latin1'));
      await hold.release();
      const res = await conn.readResponse();
      t.equal('SR-08', [res.status, res.body.length], [200, 0], '[status, body length]');
    },
  },
];
