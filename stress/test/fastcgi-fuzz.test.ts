/**
 * FastCGI fuzzing through the pure codec (`decodeRecords`, `ParamsDecoder`: errors are returned,
 * never thrown) and the real connection state machine, in-process: each mutated record
 * stream gets an in-memory socket handed to `FastCGIServer.handle` (exactly what the listener
 * does with an accepted socket), is fed in random pieces, and is ended by the peer. Batches run
 * back to back so a million streams fit in minutes. Checked after every batch: nothing threw
 * out of the socket handlers, no "internal error" was logged, every connection closed and no
 * request is left running (no hang), and a well-formed connection on a real socket to the same
 * server keeps getting answers. Reproduce a case with its index: `fuzzCase(SEED, index)`.
 */

import type { Socket } from 'node:net';
import { type FastCGIServer, serveFastCGI } from '@tsgi/fastcgi';
import { FastCGIClient } from '@tsgi/fastcgi/client';
import { decodeRecords, ParamsDecoder, RecordType } from '@tsgi/fastcgi/codec';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStressApp } from '../src/apps.js';
import { outcome, requestWithin } from '../src/fcgi.js';
import { fuzzCase, MemorySocket, SEED } from '../src/fuzz.js';
import { profile, report, timeoutFor } from '../src/profile.js';

const N = profile.fuzzInProcess;
const BATCH = 500;

describe('FastCGI fuzzing in-process', () => {
  let server: FastCGIServer;
  let good: FastCGIClient;
  const internal: string[] = [];
  let logged = 0;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  const { app, counters } = createStressApp();

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    server = await serveFastCGI(app, {
      port: 0,
      host: '127.0.0.1',
      maxParamsSize: 4096,
      maxBodySize: 1 << 20,
      errors: (text) => {
        logged++;
        if (/internal error|TypeError|RangeError|ReferenceError/.test(text) && internal.length < 20)
          internal.push(text);
      },
    });
    const a = server.address;
    good = await FastCGIClient.connect({ port: a?.kind === 'tcp' ? a.port : 0 });
  });
  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    good?.destroy();
    await server?.close({ timeout: 200 });
  });

  it(
    `ADP-FCGI-19, ADP-FCGI-10, SRV-10, ERR-07: ${N} seeded mutated record streams (seed ${SEED}): no crash, no hang, no internal error; a concurrent good connection unaffected`,
    async () => {
      const t0 = Date.now();
      const crashes: string[] = [];
      const hangs: string[] = [];
      let goodOk = 0;
      let goodBad = 0;
      let bytes = 0;
      let answered = 0;
      let codecRecords = 0;
      for (let start = 0; start < N; start += BATCH) {
        const end = Math.min(N, start + BATCH);
        const lingering: MemorySocket[] = [];
        const sockets: MemorySocket[] = [];
        for (let i = start; i < end; i++) {
          const c = fuzzCase(SEED, i);
          bytes += c.bytes.length;
          // The pure codec first: it returns protocol errors, it never throws (ADP-FCGI-19).
          try {
            const { records } = decodeRecords(c.bytes);
            for (const r of records) {
              if (r.type !== RecordType.PARAMS && r.type !== RecordType.GET_VALUES) continue;
              const d = new ParamsDecoder(() => {}, { maxPairLength: 4096 });
              if (d.push(r.content) === undefined) d.end();
              codecRecords++;
            }
          } catch (err) {
            if (crashes.length < 20)
              crashes.push(`codec, case ${i}: ${(err as Error).stack ?? String(err)}`);
          }
          const sock = new MemorySocket();
          sockets.push(sock);
          try {
            server.handle(sock as unknown as Socket);
            for (const p of c.pieces) {
              if (sock.destroyed) break;
              sock.emit('data', Buffer.from(p.buffer, p.byteOffset, p.length));
            }
            if (c.linger) lingering.push(sock);
            else sock.peerEnd();
          } catch (err) {
            if (crashes.length < 20)
              crashes.push(`case ${i}: ${(err as Error).stack ?? String(err)}`);
          }
        }
        // Let the applications of well-formed requests run and answer, then end the rest.
        await new Promise((r) => setImmediate(r));
        await new Promise((r) => setImmediate(r));
        for (const s of lingering) {
          try {
            s.peerEnd();
          } catch (err) {
            if (crashes.length < 20)
              crashes.push(`linger end: ${(err as Error).stack ?? String(err)}`);
          }
        }
        for (const s of sockets) if (s.written > 0) answered++;
        // No hang: every fuzz connection is gone and no request is left running.
        for (let k = 0; k < 50 && (server.connections > 1 || server.activeRequests > 0); k++) {
          await new Promise((r) => setTimeout(r, k < 10 ? 0 : 10));
        }
        if (server.connections > 1 || server.activeRequests > 0) {
          hangs.push(
            `batch ${start}..${end - 1}: ${server.connections - 1} connections, ${server.activeRequests} requests left`,
          );
          if (hangs.length > 3) break;
        }
        if ((start / BATCH) % 4 === 0 || end === N) {
          const o = outcome(await requestWithin(good, '/hello', 5000));
          if (o.status === 200 && o.text === 'hello\n') goodOk++;
          else goodBad++;
        }
      }
      const ms = Date.now() - t0;
      report('fastcgi-fuzz-inprocess', {
        seed: SEED,
        streams: N,
        bytes,
        paramsRecordsDecoded: codecRecords,
        streamsAnswered: answered,
        appInvocations: counters.requests,
        bodiesReleased: `${counters.released}/${counters.bodies}`,
        crashes: crashes.length,
        hangs: hangs.length,
        internalErrors: internal.length,
        unhandledRejections: unhandled.length,
        goodRequests: goodOk,
        goodFailed: goodBad,
        serverLogLines: logged,
        streamsPerSec: Math.round((N / ms) * 1000),
        ms,
      });
      expect(crashes).toEqual([]);
      expect(hangs).toEqual([]);
      expect(internal).toEqual([]);
      expect(unhandled).toEqual([]);
      expect(goodBad).toBe(0);
      expect(goodOk).toBeGreaterThan(0);
      expect(good.isClosed).toBe(false);
      // Every tracked body (streams, never-ending bodies) was released (BODY-05, BODY-06).
      await expect.poll(() => counters.released, { timeout: 10_000 }).toBe(counters.bodies);
      expect(counters.doubleReleased).toBe(0);
      // The fuzzer reaches the application, not just the record decoder.
      expect(counters.requests).toBeGreaterThan(N / 50);
    },
    timeoutFor(45_000, 900_000),
  );
});
