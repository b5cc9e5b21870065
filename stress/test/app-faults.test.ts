/**
 * Application faults at every stage, repeated, over node:http and FastCGI: each gets the right
 * response (a generic 500 before the headers, a detectably truncated response after them, a
 * complete response when only the completion hook failed), a good request after each one
 * succeeds, and at the end nothing leaked: descriptors back to the baseline, every body released
 * once, no unhandled rejection or uncaught exception in the server process.
 */
import { FastCGIClient } from '@tsgi/fastcgi/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerChild, spawnServer } from '../src/child.js';
import { outcome, params, requestWithin } from '../src/fcgi.js';
import { get, vanishMidStream } from '../src/http.js';
import { expectNoStrayErrors, settle } from '../src/leak.js';
import { profile, report, timeoutFor } from '../src/profile.js';

type Expect = '500' | 'truncated' | '200' | 'vanish';

/** Each fault route and what the client must see (ERR-02, ERR-03, BODY-07, BODY-09). */
const FAULTS: ReadonlyArray<readonly [path: string, expected: Expect]> = [
  ['/fault/throw-before', '500'],
  ['/fault/throw-after-start', '500'],
  ['/fault/reject', '500'],
  ['/fault/reject-after-start', '500'],
  ['/fault/iter-throw-first', '500'],
  ['/fault/bad-chunk', '500'],
  ['/fault/bad-status', '500'],
  ['/fault/not-iterable', '500'],
  ['/fault/iter-throw-mid', 'truncated'],
  ['/fault/length-underrun', 'truncated'],
  ['/fault/close-throws', '200'],
  ['/fault/close-rejects', '200'],
  ['/fault/never-ends', 'vanish'],
];

const R = profile.faultRepeats;

describe('app faults over node:http', () => {
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({ transport: 'node' });
  });
  afterAll(() => srv?.close());

  it(
    `ERR-01, ERR-02, ERR-03, ERR-07, BODY-07, BODY-09, ADP-NODE-08, SRV-10: ${FAULTS.length} faults x ${R}: right response each time, the server keeps serving, nothing leaks`,
    async () => {
      const base = await srv.stats();
      const wrong: string[] = [];
      let faults = 0;
      let good = 0;
      for (let r = 0; r < R; r++) {
        for (const [path, expected] of FAULTS) {
          faults++;
          if (expected === 'vanish') {
            const v = await vanishMidStream(srv.port, path, 'destroy', 1);
            if (!v.ok) wrong.push(`${path}: no head before vanishing`);
          } else {
            const res = await get(srv.port, path);
            // ERR-03: truncated is a 200 cut short, or (the known bug below) a connection
            // closed before any byte: either way the client cannot take it as complete.
            const got =
              res.status === 500 && res.complete
                ? '500'
                : res.status === 200 && res.complete
                  ? '200'
                  : (res.status === 200 || res.status === 0) && !res.complete && !res.timedOut
                    ? 'truncated'
                    : `status ${res.status} complete=${res.complete}`;
            if (got !== expected) wrong.push(`${path}: expected ${expected}, got ${got}`);
            // ERR-02: a generic body, never the error message or a stack.
            if (res.status === 500 && /stress:|at /.test(res.body.toString('latin1')))
              wrong.push(`${path}: the 500 body leaks the error`);
          }
          const ok = await get(srv.port, '/hello');
          if (ok.status === 200 && ok.body.toString() === 'hello\n') good++;
          else wrong.push(`good request after ${path}: status ${ok.status}`);
        }
      }
      const after = await settle(srv, base.fds);
      const c = after.counters;
      report('faults-node', {
        faultRequests: faults,
        goodRequests: good,
        wrong: wrong.length,
        bodies: c.bodies,
        released: c.released,
        fdsBefore: base.fds,
        fdsAfter: after.fds,
        unhandledRejections: after.unhandledRejections,
        uncaughtExceptions: after.uncaughtExceptions,
        errorLines: after.errorLines,
      });
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(good).toBe(faults);
      expect(c.released).toBe(c.bodies);
      expect(c.doubleReleased).toBe(0);
      expect(c.signalAborted).toBe(c.watched);
      expect(after.fds).toBeLessThanOrEqual(base.fds);
      expectNoStrayErrors(after);
      // ERR-01: every fault but the clean disconnects was logged.
      expect(after.errorLines).toBeGreaterThan(0);
    },
    timeoutFor(30_000, 600_000),
  );
});

describe('app faults over node:http: the truncated response keeps what was sent', () => {
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({ transport: 'node' });
  });
  afterAll(() => srv?.close());

  // Found by this suite (the abort destroyed a socket node:http still had corked, dropping the
  // head and bytes); fixed in @tsgi/node by uncorking first. Kept as a regression test.
  it('ERR-03, BODY-09, ADP-NODE-08: a content-length underrun ending in the same tick as the last write still sends the head and the bytes written, then closes', async () => {
    const res = await get(srv.port, '/fault/length-underrun');
    expect(res.status).toBe(200);
    expect(res.complete).toBe(false);
    expect(res.body.toString()).toBe('hello\n');
  });
});

describe('app faults over FastCGI', () => {
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({ transport: 'fastcgi' });
  });
  afterAll(() => srv?.close());

  it(
    `ERR-01, ERR-02, ERR-03, ERR-07, ADP-FCGI-16, SRV-10: ${FAULTS.length} faults x ${R} on single-request connections: right response each time, nothing leaks`,
    async () => {
      const base = await srv.stats();
      const wrong: string[] = [];
      let faults = 0;
      let good = 0;
      const goodClient = await FastCGIClient.connect({ port: srv.port });
      for (let r = 0; r < R; r++) {
        for (const [path, expected] of FAULTS) {
          faults++;
          const client = await FastCGIClient.connect({ port: srv.port });
          if (expected === 'vanish') {
            const req = client.begin({ params: params(path) });
            void req.end();
            const first = await new Promise<boolean>((resolve) => {
              const t = setTimeout(() => resolve(false), 10_000);
              req.onStdout = () => {
                clearTimeout(t);
                resolve(true);
              };
            });
            if (!first) wrong.push(`${path}: no STDOUT before vanishing`);
            client.destroy();
          } else {
            const res = await requestWithin(client, path);
            const o = outcome(res);
            const got =
              o.complete && (o.status === 500 || o.status === 200)
                ? String(o.status)
                : !res.complete && res.abortedByApplication
                  ? 'truncated'
                  : `complete=${res.complete} appStatus=${res.appStatus} aborted=${res.abortedByApplication}`;
            if (got !== expected) wrong.push(`${path}: expected ${expected}, got ${got}`);
            if (o.status === 500 && /stress:|at /.test(o.text))
              wrong.push(`${path}: 500 leaks the error`);
          }
          client.destroy();
          await client.closed;
          const ok = outcome(await requestWithin(goodClient, '/hello'));
          if (ok.status === 200 && ok.text === 'hello\n') good++;
          else wrong.push(`good request after ${path}: status ${ok.status}`);
        }
      }
      goodClient.destroy();
      await goodClient.closed;
      const after = await settle(srv, base.fds);
      const c = after.counters;
      report('faults-fastcgi', {
        faultRequests: faults,
        goodRequests: good,
        wrong: wrong.length,
        bodies: c.bodies,
        released: c.released,
        fdsBefore: base.fds,
        fdsAfter: after.fds,
        unhandledRejections: after.unhandledRejections,
        uncaughtExceptions: after.uncaughtExceptions,
      });
      expect(wrong.slice(0, 10)).toEqual([]);
      expect(good).toBe(faults);
      expect(c.released).toBe(c.bodies);
      expect(c.doubleReleased).toBe(0);
      expect(c.signalAborted).toBe(c.watched);
      expect(after.connections).toBe(0);
      expect(after.activeRequests).toBe(0);
      expect(after.fds).toBeLessThanOrEqual(base.fds);
      expectNoStrayErrors(after);
    },
    timeoutFor(30_000, 600_000),
  );

  it(
    `ADP-FCGI-16, ADP-FCGI-08, SRV-10: on a multiplexed connection a fault after the headers ends only its own request (appStatus 1); ${R} rounds`,
    async () => {
      const client = await FastCGIClient.connect({ port: srv.port });
      const wrong: string[] = [];
      for (let r = 0; r < R; r++) {
        // The neighbour streams until the test aborts it, so it is running for certain while
        // the faulty request fails next to it.
        const fine = client.begin({ params: params('/stream?tick=5') });
        void fine.end();
        const moreStdout = (): Promise<boolean> =>
          new Promise((resolve) => {
            const t = setTimeout(() => resolve(false), 5000);
            fine.onStdout = () => {
              clearTimeout(t);
              fine.onStdout = undefined;
              resolve(true);
            };
          });
        if (!(await moreStdout())) wrong.push('neighbour did not start');
        const bad = client.begin({ params: params('/fault/iter-throw-mid') });
        void bad.end();
        const b = await bad.response;
        if (!b.complete || b.appStatus !== 1)
          wrong.push(`fault: complete=${b.complete} appStatus=${b.appStatus}`);
        if (!(await moreStdout())) wrong.push('neighbour stopped after the fault');
        await fine.abort();
        const f = await fine.response;
        if (!f.complete || f.appStatus !== 1)
          wrong.push(`neighbour abort: complete=${f.complete} appStatus=${f.appStatus}`);
      }
      expect(client.isClosed).toBe(false);
      client.destroy();
      report('faults-fastcgi-mpx', { rounds: R, wrong: wrong.length });
      expect(wrong.slice(0, 5)).toEqual([]);
    },
    timeoutFor(20_000, 300_000),
  );
});
