/**
 * The server under seeded random and mutated input (ADP-SCGI-04, SRV-10): every connection gets
 * an answer or a close within the read timeout, never a crash or a hang, and a well-formed
 * request on another connection, running the whole time, is unaffected. Seeded, so every run
 * sends the same bytes.
 */
import { utf8 } from '@tsgi/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exchange, request, startServer, type TestServer } from './_helpers.js';

/** mulberry32: a small seeded PRNG. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid request with one of its bytes replaced, cut short, or random bytes altogether. */
function hostile(next: () => number): Uint8Array {
  const good = request({ REQUEST_METHOD: 'POST', HTTP_X: 'y' }, utf8('hello world'));
  const kind = Math.floor(next() * 3);
  if (kind === 0) {
    const out = Uint8Array.from(good);
    out[Math.floor(next() * out.length)] = Math.floor(next() * 256);
    return out;
  }
  if (kind === 1) return good.subarray(0, Math.floor(next() * good.length));
  return Uint8Array.from({ length: 1 + Math.floor(next() * 200) }, () => Math.floor(next() * 256));
}

describe('ADP-SCGI-04, SRV-10: seeded fuzzing of the server', () => {
  let srv: TestServer;
  const echo = async (
    environ: Record<string, unknown>,
    startResponse: (s: '200 OK', h: [string, string][]) => void,
  ) => {
    let n = 0;
    for await (const c of environ['tsgi.input'] as AsyncIterable<Uint8Array>) n += c.length;
    startResponse('200 OK', [['content-type', 'text/plain']]);
    return [utf8(`got ${n}`)];
  };

  beforeAll(async () => {
    srv = await startServer(echo as never, { readTimeout: 300, maxHeaderSize: 4096 });
  });
  afterAll(() => srv.close());

  it('ADP-SCGI-04: 300 hostile connections (mutated, cut short, random) each end in a 400, 408, a response (500 for a cut body) or a close; a slow good request beside them is served', async () => {
    const next = rng(21);
    // The good request trickles in for the whole run.
    const good = exchange(srv.target, request({ REQUEST_METHOD: 'POST' }, utf8('x'.repeat(4000))), {
      split: 64,
    });
    for (let batch = 0; batch < 10; batch++) {
      const runs = [];
      for (let i = 0; i < 30; i++)
        runs.push(exchange(srv.target, hostile(next), { halfClose: next() < 0.5 }));
      for (const r of await Promise.all(runs)) {
        if (r.bytes.length === 0) continue; // closed (or reset) without an answer
        // 500: a body cut short reaches the app as InputTruncatedError (IN-04), which it lets escape.
        expect([200, 400, 408, 500]).toContain(r.cgi().status);
      }
    }
    expect((await good).cgi().text).toBe('got 4000');
    await expect.poll(() => srv.server.connections, { timeout: 5000 }).toBe(0);
  });
});
