/**
 * Hostile input over FastCGI (server in its own process): header injection from the
 * application, bodies over maxBodySize, a flood of connections beyond maxConns, requests beyond
 * maxReqs, and mutated record streams over real sockets next to a well-formed connection.
 */
import { FastCGIClient } from '@tsgi/fastcgi/client';
import { encodeNameValuePairs, encodeRecord, encodeStream, RecordType } from '@tsgi/fastcgi/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerChild, spawnServer, waitFor } from '../src/child.js';
import { outcome, params, requestWithin } from '../src/fcgi.js';
import { fuzzCase, SEED } from '../src/fuzz.js';
import { pool } from '../src/http.js';
import { closeChecked } from '../src/leak.js';
import { profile, report, timeoutFor } from '../src/profile.js';

const INJECTIONS = [
  '/inject/value-crlf',
  '/inject/value-lf',
  '/inject/value-cr',
  '/inject/value-nul',
  '/inject/name-crlf',
  '/inject/status-crlf',
  '/inject/value-utf16',
];

describe('hostile input over FastCGI', () => {
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({
      transport: 'fastcgi',
      options: { maxBodySize: 1000, maxParamsSize: 8192 },
    });
  });
  afterAll(() => closeChecked(srv));

  it('SR-04, SR-05, ERR-02, ADP-FCGI-15: CR, LF, NUL or a non-byte character in an application header or status gives a 500; nothing injected reaches FCGI_STDOUT', async () => {
    const client = await FastCGIClient.connect({ port: srv.port });
    const wrong: string[] = [];
    for (const path of INJECTIONS) {
      const res = await requestWithin(client, path);
      if (outcome(res).status !== 500) wrong.push(`${path}: ${outcome(res).status}`);
      if (/injected/i.test(Buffer.from(res.stdout).toString('latin1')))
        wrong.push(`${path}: injected`);
    }
    client.destroy();
    expect(wrong).toEqual([]);
  });

  it('SRV-05, IN-08: CONTENT_LENGTH over maxBodySize is answered 413 without the application; a body streamed past it fails tsgi.input and is answered 413', async () => {
    const before = (await srv.stats()).counters.requests;
    const client = await FastCGIClient.connect({ port: srv.port });
    const declared = await client.request({
      params: params('/upload', { REQUEST_METHOD: 'POST', CONTENT_LENGTH: '5000' }),
      stdin: 'x'.repeat(5000),
    });
    expect(outcome(declared).status).toBe(413);
    expect((await srv.stats()).counters.requests).toBe(before);
    const streamed = await client.request({
      params: params('/upload', { REQUEST_METHOD: 'POST' }),
      stdin: 'y'.repeat(3000),
    });
    expect(outcome(streamed).status).toBe(413);
    expect((await srv.stats()).counters.inputErrors.TSGI_INPUT_TOO_LARGE).toBeGreaterThan(0);
    client.destroy();
  });

  it(
    `ADP-FCGI-19, SRV-10: ${profile.fuzzSockets} mutated record streams over real sockets (seed ${SEED}): each connection closes, the server and a concurrent good connection are unaffected, no descriptor leaks`,
    async () => {
      const base = await srv.stats();
      const good = await FastCGIClient.connect({ port: srv.port });
      let goodOk = 0;
      let goodBad = 0;
      let stuck = 0;
      // Offset the indices: the in-process test covers 0..N; these are other cases.
      const offset = 50_000_000;
      await pool(profile.fuzzSockets, 8, async (i) => {
        const c = fuzzCase(SEED, offset + i);
        const client = await FastCGIClient.connect({ port: srv.port, splitWrites: [1 + (i % 97)] });
        await client.sendRaw(c.bytes);
        // The front end closes its side; the server must let go (or already has).
        const closed = client.close();
        const t = await Promise.race([
          closed.then(() => true),
          new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
        ]);
        if (!t) {
          stuck++;
          client.destroy();
        }
        if (i % 25 === 0) {
          const o = outcome(await requestWithin(good, '/hello', 5000));
          if (o.status === 200) goodOk++;
          else goodBad++;
        }
      });
      const settled = await waitFor(
        async () => {
          const s = await srv.stats();
          return s.connections === 1 && s.activeRequests === 0 && s.fds <= base.fds + 1;
        },
        15_000,
        200,
      );
      const after = await srv.stats();
      good.destroy();
      report('fastcgi-fuzz-sockets', {
        seed: SEED,
        streams: profile.fuzzSockets,
        stuck,
        goodRequests: goodOk,
        goodFailed: goodBad,
        fdsBefore: base.fds,
        fdsAfter: after.fds,
        connectionsAfter: after.connections ?? -1,
        unhandledRejections: after.unhandledRejections,
      });
      expect(stuck).toBe(0);
      expect(goodBad).toBe(0);
      expect(
        settled,
        `connections ${after.connections}, requests ${after.activeRequests}, fds ${after.fds}`,
      ).toBe(true);
      expect(after.unhandledRejections + after.uncaughtExceptions).toBe(0);
    },
    timeoutFor(30_000, 600_000),
  );
});

describe('FastCGI limits under a flood', () => {
  const MAX_CONNS = 10;
  const MAX_REQS = 5;
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({
      transport: 'fastcgi',
      options: { maxConns: MAX_CONNS, maxReqs: MAX_REQS },
    });
  });
  afterAll(() => srv?.close());

  it(
    `ADP-FCGI-09, SRV-08: ${profile.connFlood} connections at once with maxConns ${MAX_CONNS}: the excess is closed at once, the admitted ones are served, slots come back`,
    async () => {
      const clients = await Promise.all(
        Array.from({ length: profile.connFlood }, () => FastCGIClient.connect({ port: srv.port })),
      );
      // Refused connections are closed by the server without a byte; give it a moment.
      await waitFor(
        () => clients.filter((c) => c.isClosed).length >= profile.connFlood - MAX_CONNS,
        5000,
      );
      const open = clients.filter((c) => !c.isClosed);
      const refused = clients.length - open.length;
      const served = await Promise.all(
        open.map((c) => requestWithin(c, '/hello', 10_000).then(outcome)),
      );
      const ok = served.filter((o) => o.status === 200).length;
      for (const c of clients) c.destroy();
      await waitFor(async () => (await srv.stats()).connections === 0, 5000);
      // After the flood, new connections are admitted again.
      const again = await FastCGIClient.connect({ port: srv.port });
      const status = outcome(await requestWithin(again, '/hello')).status;
      again.destroy();
      const s = await srv.stats();
      report('fastcgi-maxconns-flood', {
        attempted: clients.length,
        admitted: open.length,
        refused,
        servedOk: ok,
        afterFlood: status,
        unhandledRejections: s.unhandledRejections,
      });
      expect(open.length).toBe(MAX_CONNS);
      expect(refused).toBe(profile.connFlood - MAX_CONNS);
      expect(ok).toBe(MAX_CONNS);
      expect(status).toBe(200);
      expect(s.unhandledRejections + s.uncaughtExceptions).toBe(0);
    },
    timeoutFor(20_000, 120_000),
  );

  it(`ADP-FCGI-09, SRV-08: ${MAX_REQS * 3} multiplexed requests with maxReqs ${MAX_REQS}: the excess gets FCGI_OVERLOADED without the application`, async () => {
    const before = (await srv.stats()).counters.requests;
    const client = await FastCGIClient.connect({ port: srv.port });
    const reqs = Array.from({ length: MAX_REQS * 3 }, () => {
      const r = client.begin({ params: params('/slow?ms=300') });
      void r.end();
      return r.response;
    });
    const results = await Promise.all(reqs);
    const overloaded = results.filter((r) => r.complete && r.protocolStatus === 2).length;
    const ok = results.filter((r) => outcome(r).status === 200).length;
    const invoked = (await srv.stats()).counters.requests - before;
    client.destroy();
    report('fastcgi-maxreqs', { sent: reqs.length, ok, overloaded, appInvoked: invoked });
    expect(ok).toBe(MAX_REQS);
    expect(overloaded).toBe(MAX_REQS * 2);
    expect(invoked).toBe(MAX_REQS);
  });

  it('ADP-FCGI-06: GET_VALUES reports the limits enforced above', async () => {
    const client = await FastCGIClient.connect({ port: srv.port });
    const v = await client.getValues(['FCGI_MAX_CONNS', 'FCGI_MAX_REQS']);
    client.destroy();
    expect(v.get('FCGI_MAX_CONNS')).toBe(String(MAX_CONNS));
    expect(v.get('FCGI_MAX_REQS')).toBe(String(MAX_REQS));
  });

  it('ADP-FCGI-10, ADP-FCGI-19: PARAMS past maxParamsSize close only that connection', async () => {
    const good = await FastCGIClient.connect({ port: srv.port });
    const bad = await FastCGIClient.connect({ port: srv.port });
    const big = encodeNameValuePairs([['HTTP_X_BIG', 'x'.repeat(100_000)]]);
    await bad.sendRaw(
      Buffer.concat([
        encodeRecord(RecordType.BEGIN_REQUEST, 1, new Uint8Array([0, 1, 1, 0, 0, 0, 0, 0])),
        encodeStream(RecordType.PARAMS, 1, big, { terminate: true }),
      ]),
    );
    await bad.closed;
    expect(outcome(await requestWithin(good, '/hello')).status).toBe(200);
    good.destroy();
  });
});
