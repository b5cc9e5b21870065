/** Cases for the request body, `tsgi.input` (spec 03-input.md). */
import type { CaseContext, ServerCase } from '../case.js';
import type { Connection } from '../connection.js';
import type { RawResponse } from '../http-parser.js';
import { delay, latin1, pattern, sha256 } from './helpers.js';

/** What the echo endpoint answers (and notes as `echo`). */
export interface Echo {
  bytes: number;
  sha256: string;
  sizes: number[];
  afterEof: number[];
  readAfterCancel: number | null;
  error: { name: string; code: unknown } | null;
}

/** POSTs `body` to the echo endpoint and returns what the application read. */
async function echo(
  t: CaseContext,
  id: string,
  body: Uint8Array | string,
  query = 'mode=read',
  headers: ReadonlyArray<readonly [string, string]> = [],
): Promise<Echo> {
  const { res } = await t.fetch({ method: 'POST', path: 'echo', query, body, headers });
  return parseEcho(t, id, res);
}

/** The echo endpoint's JSON; fails `id` when the server answered something else. */
export function parseEcho(t: CaseContext, id: string, res: RawResponse): Echo {
  const ok = res.status === 200 && res.header('content-type') === 'application/json';
  t.check(id, ok, "the echo endpoint's 200 JSON", `${res.status} ${res.text().slice(0, 120)}`);
  return JSON.parse(res.text()) as Echo;
}

const _TRUNCATED = ['TSGI_INPUT_TRUNCATED', 'TSGI_CLIENT_DISCONNECT'];

/**
 * Without a store: what the echo endpoint answered on the half-closed connection (it answers
 * its read error as JSON); unobservable when the server closed without an answer.
 */
async function _answered(t: CaseContext, conn: Connection): Promise<Echo> {
  const res = await conn.readResponse({ orNothing: true, timeout: 3000 }).catch(() => undefined);
  if (res === undefined || res.header('content-type') !== 'application/json')
    t.unobservable('store', 'the server closed without answering; what the read did');
  return JSON.parse(res.text()) as Echo;
}

export const INPUT_CASES: ServerCase[] = [
  {
    id: 'input/content-length',
    title: 'a Content-Length body arrives whole, then EOF repeats',
    requirements: ['IN-01', 'IN-03', 'IN-05'],
    level: 'MUST',
    request: 'POST /__tsgi/echo with 100 000 bytes of every octet value',
    expect: 'same SHA-256 and length; read() after EOF resolves empty twice',
    async run(t) {
      const body = pattern(100_000);
      const got = await echo(t, 'IN-05', body);
      t.equal('IN-05', got.bytes, body.length, 'bytes read');
      t.equal('IN-05', got.sha256, await sha256(body), 'SHA-256');
      t.equal('IN-01', got.afterEof, [0, 0], 'read() lengths after EOF');
    },
  },
  {
    id: 'input/chunked',
    title: 'a chunked body is de-chunked',
    requirements: ['IN-02', 'ENV-23'],
    level: 'MUST',
    request: 'POST /__tsgi/echo with Transfer-Encoding: chunked, 3 chunks and an extension',
    expect: 'the application reads the concatenated bytes, no chunk syntax',
    async run(t) {
      const parts = [pattern(1000, 2), pattern(1, 3), pattern(4096, 4)];
      let wire = '';
      for (const [i, p] of parts.entries())
        wire += `${p.length.toString(16)}${i === 1 ? ';ext=1' : ''}\r\n${latin1(p)}\r\n`;
      wire += '0\r\n\r\n';
      const got = await echo(t, 'IN-02', wire, 'mode=iter', [['Transfer-Encoding', 'chunked']]);
      const all = Buffer.concat(parts);
      t.equal('IN-02', got.bytes, all.length, 'bytes read');
      t.equal('IN-02', got.sha256, await sha256(all), 'SHA-256');
    },
  },
  {
    id: 'input/empty',
    title: 'a request without a body has an input at its end',
    requirements: ['ENV-20', 'IN-01'],
    level: 'MUST',
    request: 'GET /__tsgi/echo',
    expect: '0 bytes; read() keeps resolving empty',
    async run(t) {
      const { res } = await t.fetch({ path: 'echo' });
      const got = parseEcho(t, 'IN-01', res);
      t.equal(
        'IN-01',
        [got.bytes, got.afterEof, got.error],
        [0, [0, 0], null],
        '[bytes, afterEof, error]',
      );
    },
  },
  {
    id: 'input/read-max',
    title: 'read(maxBytes) never returns more than maxBytes, nor an empty chunk early',
    requirements: ['IN-10'],
    level: 'MUST',
    request: 'POST /__tsgi/echo?mode=max&max=7 with 100 bytes',
    expect: 'every read 1..7 bytes, 100 in total',
    async run(t) {
      const got = await echo(t, 'IN-10', pattern(100, 5), 'mode=max&max=7');
      t.check(
        'IN-10',
        got.sizes.every((s) => s >= 1 && s <= 7),
        'sizes within 1..7',
        got.sizes,
      );
      t.equal('IN-10', got.bytes, 100, 'bytes read');
    },
  },
  {
    id: 'input/large-body',
    title: 'a large body is delivered whole, or refused openly',
    requirements: ['IN-08', 'SRV-05'],
    level: 'MUST',
    request: 'POST /__tsgi/echo with 8 MiB',
    expect:
      'the same SHA-256; or 413 without invoking the app; or a TSGI_INPUT_TOO_LARGE read error',
    async run(t) {
      const body = pattern(8 * 1024 * 1024, 7);
      const { res, token } = await t.fetch(
        { method: 'POST', path: 'echo', body },
        { timeout: 20_000 },
      );
      if (res.status === 413) {
        // Refused before the application read it: the probe noted no echo.
        const seen = t.has('store')
          ? await t.observe(token, () => true, 200).catch(() => undefined)
          : undefined;
        if (!t.has('store')) t.unobserved('store', 'whether the app read the body');
        t.check(
          'SRV-05',
          seen === undefined || seen.notes.echo === undefined,
          'the app not invoked',
          'invoked',
        );
        return;
      }
      const got = parseEcho(t, 'IN-08', res);
      if (got.error?.code === 'TSGI_INPUT_TOO_LARGE') return;
      t.equal(
        'IN-08',
        [got.bytes, got.sha256],
        [body.length, await sha256(body)],
        '[bytes, SHA-256]',
      );
    },
  },
  {
    id: 'input/no-overread',
    title: 'no more than Content-Length is delivered; the next request is intact',
    requirements: ['IN-03'],
    level: 'MUST',
    needs: ['pipelining'],
    request: 'POST /__tsgi/echo with Content-Length: 5 and a pipelined GET right after the body',
    expect: 'the app reads 5 bytes; the second response answers the second request',
    async run(t) {
      const conn = await t.connect();
      const first = t.token();
      const second = t.token();
      conn.send(
        t.build({ method: 'POST', path: 'echo', body: 'hello' }, first) +
          t.build({ path: 'env/second' }, second),
      );
      const a = await conn.readResponse();
      t.equal('IN-03', parseEcho(t, 'IN-03', a).bytes, 5, 'bytes read by the first request');
      const b = await conn.readResponse();
      const env = JSON.parse(b.text()) as Record<string, unknown>;
      t.equal('IN-03', env.HTTP_X_TSGI_TOKEN, second, 'token seen by the second request');
    },
  },
  {
    id: 'input/truncated',
    title: 'a body shorter than Content-Length rejects instead of ending',
    requirements: ['IN-04'],
    level: 'MUST',
    needs: ['truncation'],
    request:
      'POST /__tsgi/echo with Content-Length: 1000, 100 bytes sent, then the client half-closes',
    expect: 'read() rejects with InputTruncatedError (or ClientDisconnectError), never EOF',
    async run(t) {
      const token = t.token();
      const conn = await t.connect();
      conn.send(
        t.build({ method: 'POST', path: 'echo', headers: [['Content-Length', '1000']] }, token),
      );
      conn.send(pattern(100));
      await delay(50);
      conn.end();
      const e = t.has('store')
        ? ((await t.observe(token, (x) => x.notes.echo !== undefined)).notes.echo as
            | Echo
            | undefined)
        : await _answered(t, conn);
      t.check('IN-04', e !== undefined && e.error !== null, 'read() to reject', e);
      t.check(
        'IN-04',
        _TRUNCATED.includes(String(e?.error?.code)),
        `error code in ${_TRUNCATED}`,
        e?.error,
      );
    },
  },
  {
    id: 'input/cancel',
    title: 'after cancel() the unread body never becomes a request',
    requirements: ['IN-06'],
    level: 'MUST',
    request:
      'POST /__tsgi/echo?mode=cancel&after=10 with 200 000 bytes that look like requests, then a GET',
    expect: 'later reads are empty; the connection closes or answers only the real GET',
    async run(t) {
      const smuggle = 'GET /__tsgi/env/SMUGGLED HTTP/1.1\r\nHost: x\r\n\r\n';
      const body = smuggle.repeat(Math.ceil(200_000 / smuggle.length));
      const conn = await t.connect();
      const first = t.token();
      conn.send(
        t.build({ method: 'POST', path: 'echo', query: 'mode=cancel&after=10', body }, first),
      );
      const a = await conn.readResponse();
      const got = parseEcho(t, 'IN-06', a);
      t.equal('IN-06', got.bytes, 10, 'bytes read before cancel()');
      t.equal('IN-06', got.readAfterCancel, 0, 'read() after cancel()');
      if (conn.isClosed) return;
      const second = t.token();
      conn.send(t.build({ path: 'env/real' }, second));
      const b = await conn.readResponse().catch(() => undefined);
      if (b === undefined) return; // closed instead of reused: allowed
      t.check(
        'IN-06',
        !b.text().includes('SMUGGLED'),
        'no response to body bytes',
        b.text().slice(0, 200),
      );
      const env = JSON.parse(b.text()) as Record<string, unknown>;
      t.equal('IN-06', env.HTTP_X_TSGI_TOKEN, second, 'token of the next response');
    },
  },
];
