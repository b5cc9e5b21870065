/**
 * Hostile input over node:http (`serve` in its own process): header injection attempted by the
 * application, oversized and too many header fields, oversized bodies, request-smuggling
 * framing, and slow clients. Each case checks the answer on the wire and that the application
 * was (or was not) invoked, by the counters of the server process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerChild, spawnServer } from '../src/child.js';
import { exchange, get, pool } from '../src/http.js';
import { closeChecked } from '../src/leak.js';
import { profile, profileName, report, timeoutFor } from '../src/profile.js';
import { slowClient } from '../src/slow.js';

const HEADERS_TIMEOUT = 500;
const REQUEST_TIMEOUT = 1000;
/** How late a timeout may fire: node checks timers in a loop, and the machine is shared. */
const SLACK = 1200;

const INJECTIONS = [
  '/inject/value-crlf',
  '/inject/value-lf',
  '/inject/value-cr',
  '/inject/value-nul',
  '/inject/name-crlf',
  '/inject/status-crlf',
  '/inject/value-utf16',
];

/** SRV-02: framing that must be refused with 400 (505 for a version above 1.1, SRV-16), without the application. */
const SMUGGLING: Record<string, string> = {
  'content-length and transfer-encoding':
    'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'transfer-encoding then content-length':
    'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  'two different content-lengths':
    'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!',
  'content-length not digits':
    'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5x\r\n\r\nhello',
  'negative content-length': 'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\nhello',
  'space before colon':
    'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n',
  'chunked not last':
    'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n',
  'obsolete line folding': 'GET /hello HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n',
  'NUL in a header value': 'GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n',
  'bare CR in a header value': 'GET /hello HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n',
  'bare LF line ends': 'GET /hello HTTP/1.1\nHost: x\n\n',
  'space in the request-target': 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n',
  'control byte in the request-target': 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n',
  'bad header name': 'GET /hello HTTP/1.1\r\nHost: x\r\nX(A): b\r\n\r\n',
  'unknown HTTP version': 'GET /hello HTTP/2.5\r\nHost: x\r\n\r\n',
};

/** SRV-02: unknown transfer codings must be refused (501, or 400) before the application. */
const UNKNOWN_CODINGS: Record<string, string> = {
  'gzip, chunked':
    'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
  gzip: 'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\nhello',
  xchunked:
    'POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n',
};

describe('hostile input over node:http', () => {
  let srv: ServerChild;
  const requests = async (): Promise<number> => (await srv.counters()).requests;

  beforeAll(async () => {
    srv = await spawnServer({
      transport: 'node',
      options: {
        maxBodySize: 1000,
        headersTimeout: HEADERS_TIMEOUT,
        requestTimeout: REQUEST_TIMEOUT,
      },
    });
  });
  afterAll(() => closeChecked(srv));

  it('SR-04, SR-05, ERR-02: CR, LF, NUL or a non-byte character in an application header or status is refused with 500; nothing injected reaches the wire', async () => {
    const leaks: string[] = [];
    for (const path of INJECTIONS) {
      for (let r = 0; r < 5; r++) {
        const res = await get(srv.port, path);
        if (res.status !== 500 || !res.complete) leaks.push(`${path}: status ${res.status}`);
        if (/injected/i.test(res.raw.toString('latin1')))
          leaks.push(`${path}: injected text on the wire`);
      }
    }
    report('hostile-injection-node', { cases: INJECTIONS.length * 5, failures: leaks.length });
    expect(leaks).toEqual([]);
    expect((await get(srv.port, '/hello')).status).toBe(200);
  });

  it('SRV-07: a 20 KiB header field, or 20 KiB of header fields, is answered 431 without the application', async () => {
    const before = await requests();
    const one = await exchange(
      srv.port,
      `GET /hello HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    let many = '';
    for (let i = 0; i < 200; i++) many += `X-H${i}: ${'b'.repeat(95)}\r\n`;
    const lots = await exchange(srv.port, `GET /hello HTTP/1.1\r\nHost: x\r\n${many}\r\n`);
    expect(one.status).toBe(431);
    expect(lots.status).toBe(431);
    expect(await requests()).toBe(before);
    expect((await get(srv.port, '/hello')).status).toBe(200);
  });

  it('SRV-07: more header lines than the server keeps is answered 431, not silently cut', async () => {
    const before = await requests();
    let lines = '';
    for (let i = 0; i < 2500; i++) lines += `a${i % 10}:b\r\n`; // ~15 KiB: under the size limit
    const res = await exchange(
      srv.port,
      `GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${lines}X-Last: yes\r\n\r\n`,
    );
    report('hostile-header-count-node', { lines: 2502, status: res.status });
    expect(res.status).toBe(431);
    expect(await requests()).toBe(before);
  });

  it('SRV-05, IN-08: a declared body over maxBodySize is answered 413 without the application; a chunked one fails tsgi.input and is answered 413', async () => {
    const before = await requests();
    const declared = await exchange(
      srv.port,
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n',
      { timeout: 5000 },
    );
    expect(declared.status).toBe(413);
    expect(await requests()).toBe(before);
    const chunk = `3e8\r\n${'a'.repeat(1000)}\r\n`;
    const chunked = await exchange(
      srv.port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunk}${chunk}${chunk}0\r\n\r\n`,
    );
    expect(chunked.status).toBe(413);
    const s = await srv.stats();
    expect(s.counters.inputErrors.TSGI_INPUT_TOO_LARGE).toBeGreaterThan(0);
    const atLimit = await exchange(
      srv.port,
      `POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nConnection: close\r\n\r\n${'a'.repeat(1000)}`,
    );
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.toString()).toBe('1000\n');
  });

  it(
    'SRV-02: ambiguous or malformed framing (CL+TE, duplicate CL, bad CL, obs-fold, NUL, bare LF, bad target...) is answered 400 and closed, without the application',
    async () => {
      const before = await requests();
      const wrong: string[] = [];
      const repeats = Math.max(1, Math.floor(profile.faultRepeats / 5));
      for (let r = 0; r < repeats; r++) {
        for (const [name, bytes] of Object.entries(SMUGGLING)) {
          const n0 = await requests();
          // A smuggled second request after the first must never run either.
          const res = await exchange(srv.port, `${bytes}GET /hello HTTP/1.1\r\nHost: x\r\n\r\n`, {
            timeout: 5000,
          });
          if ((await requests()) !== n0) wrong.push(`${name}: the application ran`);
          const expected = name === 'unknown HTTP version' ? 505 : 400; // SRV-16
          if (res.status !== expected) wrong.push(`${name}: ${res.status}`);
          if (res.timedOut) wrong.push(`${name}: connection left open`);
          if ((res.raw.toString('latin1').match(/HTTP\/1\.1 /g) ?? []).length !== 1)
            wrong.push(`${name}: more than one response`);
        }
      }
      const invoked = (await requests()) - before;
      report('hostile-smuggling-node', {
        cases: Object.keys(SMUGGLING).length * repeats,
        wrong: wrong.length,
        appInvoked: invoked,
      });
      expect(wrong).toEqual([]);
      expect(invoked).toBe(0);
    },
    timeoutFor(20_000, 120_000),
  );

  it('SRV-02: an unknown transfer coding (gzip, chunked; gzip; xchunked) is refused with 501 or 400 without invoking the application', async () => {
    const outcomes: string[] = [];
    let invokedTotal = 0;
    for (const [name, bytes] of Object.entries(UNKNOWN_CODINGS)) {
      const before = await requests();
      const res = await exchange(srv.port, bytes, { timeout: 5000 });
      const invoked = (await requests()) - before;
      invokedTotal += invoked;
      outcomes.push(`${name}: status ${res.status}, app invoked ${invoked}`);
    }
    report('hostile-unknown-coding-node', { outcomes: outcomes.join('; ') });
    expect(
      outcomes.every((o) => /status (400|501), app invoked 0/.test(o)),
      outcomes.join('\n'),
    ).toBe(true);
    expect(invokedTotal).toBe(0);
  });

  it('SRV-02: after the 400 for an HTTP/1.1 request without Host, a request pipelined behind it on the same connection never reaches the application', async () => {
    const before = await requests();
    const res = await exchange(
      srv.port,
      'GET /hello HTTP/1.1\r\n\r\nPOST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc',
      { timeout: 5000 },
    );
    const invoked = (await requests()) - before;
    report('hostile-no-host-pipelined-node', { status: res.status, appInvoked: invoked });
    expect(res.status).toBe(400);
    expect(invoked).toBe(0);
  });

  it('SRV-06, SRV-10: slowloris clients do not keep good requests from being served', async () => {
    const k = profileName === 'full' ? 100 : 20;
    const slow = Array.from({ length: k }, () =>
      slowClient(srv.port, 'GET /hello HTTP/1.1\r\nHost: x\r\n', 'X-Slow: aaaaaaaa\r\n', 100, 1000),
    );
    const good = await pool(20, 4, () => get(srv.port, '/hello'));
    await Promise.all(slow);
    expect(good.filter((r) => r.status !== 200)).toEqual([]);
  });

  it(`SRV-06: a header section dribbled byte by byte is cut off by headersTimeout (${HEADERS_TIMEOUT} ms, + ${SLACK} ms slack) without the application`, async () => {
    const before = await requests();
    const k = 10;
    const results = await Promise.all(
      Array.from({ length: k }, () =>
        slowClient(
          srv.port,
          'GET /hello HTTP/1.1\r\nHost: x\r\n',
          'X-Slow: aaaa\r\n',
          100,
          HEADERS_TIMEOUT + SLACK,
        ),
      ),
    );
    const cut = results.filter((r) => r.closedAfter !== null).length;
    report('hostile-slowloris-node', {
      clients: k,
      cutOffInTime: cut,
      headersTimeout: HEADERS_TIMEOUT,
      statuses: [...new Set(results.map((r) => r.received.split('\r\n')[0] || 'none'))].join('|'),
    });
    expect(cut).toBe(k);
    expect(await requests()).toBe(before);
  }, 10_000);

  it(`SRV-06: a body that stalls is cut off by requestTimeout (${REQUEST_TIMEOUT} ms + ${SLACK} ms) and the application's read fails`, async () => {
    const before = (await srv.stats()).counters.inputErrors;
    const res = await slowClient(
      srv.port,
      'POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 900\r\n\r\nabc',
      '',
      1_000_000,
      REQUEST_TIMEOUT + SLACK,
    );
    const after = (await srv.stats()).counters.inputErrors;
    const failedReads =
      Object.values(after).reduce((a, b) => a + b, 0) -
      Object.values(before).reduce((a, b) => a + b, 0);
    report('hostile-body-stall-node', { closedAfter: res.closedAfter ?? 'never', failedReads });
    expect(res.closedAfter).not.toBeNull();
    expect(failedReads).toBe(1);
  }, 10_000);

  if (profileName !== 'full')
    console.log(
      'SKIP (short profile): the 30 s eventual slowloris cut-off runs in the full profile only',
    );
  it.runIf(profileName === 'full')(
    "SRV-06: slowloris clients are cut off eventually (within node's 30 s check interval + headersTimeout)",
    async () => {
      const results = await Promise.all(
        Array.from({ length: 20 }, () =>
          slowClient(
            srv.port,
            'GET /hello HTTP/1.1\r\nHost: x\r\n',
            'X-Slow: aaaa\r\n',
            200,
            30_000 + HEADERS_TIMEOUT + 3000,
          ),
        ),
      );
      const times = results.map((r) => r.closedAfter);
      report('hostile-slowloris-eventual-node', {
        clients: results.length,
        cut: times.filter((t) => t !== null).length,
        maxMs: Math.max(...times.map((t) => t ?? Number.POSITIVE_INFINITY)),
      });
      expect(times.every((t) => t !== null)).toBe(true);
    },
    60_000,
  );

  it('SRV-10: the server still serves after all of the above', async () => {
    expect((await get(srv.port, '/hello')).status).toBe(200);
  });
});
