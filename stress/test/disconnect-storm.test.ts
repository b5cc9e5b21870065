/**
 * Disconnect storms: thousands of clients that vanish mid-response, over node:http and FastCGI.
 * Every body must be released exactly once (BODY-05, BODY-06), every `tsgi.signal` aborted with
 * a ClientDisconnectError (ENV-24, ERR-04, ERR-05), and afterwards the server process must hold
 * no more descriptors than before and no more heap or RSS than the tolerances of src/leak.ts.
 */
import { FastCGIClient } from '@tsgi/fastcgi/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerChild, spawnServer } from '../src/child.js';
import { params } from '../src/fcgi.js';
import { get, pool, type VanishMode, vanishMidStream } from '../src/http.js';
import { growth, HEAP_TOLERANCE, RSS_TOLERANCE, settle } from '../src/leak.js';
import { profile, report, timeoutFor } from '../src/profile.js';

const N = profile.disconnects;
const C = profile.disconnectConcurrency;
const WARMUP = Math.min(200, N);
const MODES: VanishMode[] = ['destroy', 'reset', 'half-close'];

describe('disconnect storm over node:http', () => {
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({ transport: 'node', options: { keepAliveTimeout: 1000 } });
  });
  afterAll(() => srv?.close());

  it(
    `ADP-NODE-04, ERR-04, ERR-05, BODY-05, BODY-06, ENV-24, SRV-10: ${N} clients vanish mid-stream; every body released once, every signal aborted, no fd/heap/RSS growth`,
    async () => {
      const storm = async (count: number, offset: number): Promise<number> => {
        const results = await pool(count, C, (i) => {
          const k = i + offset;
          // Leave right after the head, or after a few chunks: both are mid-stream.
          return vanishMidStream(
            srv.port,
            '/stream?tick=2',
            MODES[k % 3]!,
            k % 2 === 0 ? 1 : 40_000,
          );
        });
        return results.filter((r) => !r.ok).length;
      };
      const t0 = Date.now();
      expect(await storm(WARMUP, 0)).toBe(0);
      const first = await srv.stats();
      const before = await settle(srv, first.fds + 1_000_000); // wait for releases only
      const baseFds = before.fds;
      // Two equal halves: RSS is compared between them (the allocator's high-water mark is
      // reached in the first; a leak keeps growing in the second).
      const half = Math.floor(N / 2);
      const failed = await storm(half, WARMUP);
      const middle = await settle(srv, baseFds);
      const failed2 = await storm(N - half, WARMUP + half);
      const after = await settle(srv, baseFds);
      const elapsed = Date.now() - t0;
      const c = after.counters;
      const g = growth(before, after);
      report('disconnect-node', {
        clients: N + WARMUP,
        failedToStart: failed + failed2,
        bodies: c.bodies,
        released: c.released,
        doubleReleased: c.doubleReleased,
        signalsAborted: c.signalAborted,
        fdsBefore: baseFds,
        fdsAfter: after.fds,
        heapGrowthMiB: g.heapMiB,
        rssGrowthMiB: g.rssMiB,
        rssGrowthSecondHalfMiB: growth(middle, after).rssMiB,
        unhandledRejections: after.unhandledRejections,
        ms: elapsed,
      });
      expect(failed + failed2).toBe(0);
      expect(c.bodies).toBe(N + WARMUP);
      expect(c.released).toBe(c.bodies);
      expect(c.doubleReleased).toBe(0);
      expect(c.signalAborted).toBe(c.watched);
      expect(c.abortReasonWrong).toBe(0);
      expect(after.fds).toBeLessThanOrEqual(baseFds);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_TOLERANCE);
      expect(after.rss - middle.rss).toBeLessThan(RSS_TOLERANCE);
      expect(after.unhandledRejections + after.uncaughtExceptions).toBe(0);
      // The server still serves.
      expect((await get(srv.port, '/hello')).status).toBe(200);
    },
    timeoutFor(40_000, 600_000),
  );
});

/** How a FastCGI front end gives up on a response. */
type FcgiVanish = 'close' | 'abort-keep' | 'abort-close';
const FCGI_MODES: FcgiVanish[] = ['close', 'abort-keep', 'abort-close'];

describe('disconnect storm over FastCGI', () => {
  let srv: ServerChild;
  beforeAll(async () => {
    srv = await spawnServer({ transport: 'fastcgi' });
  });
  afterAll(() => srv?.close());

  /**
   * One front-end connection running `requests` streamed requests one after another, each
   * abandoned after its first STDOUT record: by closing the connection (`close`), or by
   * FCGI_ABORT_REQUEST on a kept connection (`abort-keep`, which must answer END_REQUEST with
   * appStatus 1, §5.4), or ABORT_REQUEST then close (`abort-close`).
   */
  async function frontEnd(k: number, requests: number): Promise<{ done: number; bad: number }> {
    let done = 0;
    let bad = 0;
    let client = await FastCGIClient.connect({ port: srv.port });
    for (let r = 0; r < requests; r++) {
      const mode = FCGI_MODES[(k + r) % 3]!;
      if (client.isClosed) client = await FastCGIClient.connect({ port: srv.port });
      const req = client.begin({ params: params('/stream?tick=2') });
      void req.end();
      const first = await new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), 10_000);
        req.onStdout = () => {
          clearTimeout(t);
          resolve(true);
        };
        void req.response.then(() => resolve(false));
      });
      if (!first) {
        bad++;
        client.destroy();
        continue;
      }
      if (mode === 'close') {
        client.destroy();
        await client.closed;
      } else {
        await req.abort();
        const res = await Promise.race([
          req.response,
          new Promise<null>((r2) => setTimeout(() => r2(null), 10_000)),
        ]);
        // ADP-FCGI-03: END_REQUEST with REQUEST_COMPLETE and appStatus 1.
        if (res === null || !res.complete || res.appStatus !== 1 || res.protocolStatus !== 0) bad++;
        if (mode === 'abort-close') {
          client.destroy();
          await client.closed;
        }
      }
      done++;
    }
    if (!client.isClosed) {
      client.destroy();
      await client.closed;
    }
    return { done, bad };
  }

  it(
    `ADP-FCGI-03, ERR-04, ERR-05, BODY-05, BODY-06, ENV-24, SRV-10: ${N} requests abandoned mid-response (connection closed or FCGI_ABORT_REQUEST); every body released once, no fd/heap/RSS growth`,
    async () => {
      const perConn = 5;
      const storm = async (
        count: number,
        offset: number,
      ): Promise<{ done: number; bad: number }> => {
        const conns = Math.ceil(count / perConn);
        const rs = await pool(conns, C, (i) =>
          frontEnd(i + offset, Math.min(perConn, count - i * perConn)),
        );
        return rs.reduce((a, b) => ({ done: a.done + b.done, bad: a.bad + b.bad }), {
          done: 0,
          bad: 0,
        });
      };
      const t0 = Date.now();
      const warm = await storm(WARMUP, 0);
      expect(warm.bad).toBe(0);
      const first = await srv.stats();
      const before = await settle(srv, first.fds + 1_000_000);
      const baseFds = before.fds;
      const half = Math.floor(N / 2);
      const main1 = await storm(half, 1);
      const middle = await settle(srv, baseFds);
      const main2 = await storm(N - half, 1 + half);
      const main = { done: main1.done + main2.done, bad: main1.bad + main2.bad };
      const after = await settle(srv, baseFds);
      const c = after.counters;
      const g = growth(before, after);
      report('disconnect-fastcgi', {
        requests: warm.done + main.done,
        bad: warm.bad + main.bad,
        bodies: c.bodies,
        released: c.released,
        doubleReleased: c.doubleReleased,
        signalsAborted: c.signalAborted,
        fdsBefore: baseFds,
        fdsAfter: after.fds,
        connectionsAfter: after.connections ?? -1,
        heapGrowthMiB: g.heapMiB,
        rssGrowthMiB: g.rssMiB,
        rssGrowthSecondHalfMiB: growth(middle, after).rssMiB,
        unhandledRejections: after.unhandledRejections,
        ms: Date.now() - t0,
      });
      expect(main.bad).toBe(0);
      expect(main.done).toBe(N);
      expect(c.released).toBe(c.bodies);
      expect(c.doubleReleased).toBe(0);
      expect(c.signalAborted).toBe(c.watched);
      expect(c.abortReasonWrong).toBe(0);
      expect(after.activeRequests).toBe(0);
      expect(after.connections).toBe(0);
      expect(after.fds).toBeLessThanOrEqual(baseFds);
      expect(after.heapUsed - before.heapUsed).toBeLessThan(HEAP_TOLERANCE);
      expect(after.rss - middle.rss).toBeLessThan(RSS_TOLERANCE);
      expect(after.unhandledRejections + after.uncaughtExceptions).toBe(0);
    },
    timeoutFor(40_000, 600_000),
  );
});
