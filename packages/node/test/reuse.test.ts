/**
 * Chunk ownership on node:http (BODY-17, BODY-19, ADP-NODE-12): apps that refill one buffer for
 * every chunk get exactly the bytes they yielded to the client, at every chunk size, with a
 * client that reads at once and with one that reads slowly (so node queues and backpressure
 * engages), and an Array body's bytes survive its completion hook overwriting them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  REUSE_MODES,
  REUSE_SIZES,
  type ReuseCase,
  type ReuseProgress,
  readSlowly,
  reuseCases,
  reuseCount,
  reuseHeader,
  reuseRouter,
  reuseVerdict,
  SlowPeerSocket,
} from '@tsgi/harness/reuse';
import { createRequestListener } from '@tsgi/node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { closeAll, parseResponses, request, start } from './_helpers.js';

afterEach(closeAll);

function get(c: ReuseCase, close = true): string {
  return `GET /${c.mode}/${c.size} HTTP/1.1\r\nHost: x\r\nX-Reuse: ${reuseHeader(c)}\r\n${close ? 'Connection: close\r\n' : ''}\r\n`;
}

/** The one response in `raw`, checked complete. */
function body(raw: Buffer): Buffer {
  const [res] = parseResponses(raw, ['GET']);
  expect(res?.status).toBe(200);
  expect(res?.complete).toBe(true);
  return res!.body;
}

describe('BODY-17 / BODY-19 / ADP-NODE-12: a reused buffer, a client reading at once', () => {
  const cases = reuseCases(64 * 1024, { min: 16 });
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const server = await start(reuseRouter());
    const res = await request(server.port, '/', { headers: { 'x-reuse': reuseHeader(c) } });
    expect(res.status).toBe(200);
    expect(reuseVerdict(res.body, c)).toBe('ok');
    // BODY-10: an Array body is framed by its length, streamed ones chunked.
    expect(res.header('content-length')).toBe(
      c.mode === 'array' ? String(c.size * c.count) : undefined,
    );
  });

  it.each(['sync', 'async', 'write'] as const)(
    "%s body with the app's own content-length (no chunked framing)",
    async (mode) => {
      const server = await start(reuseRouter());
      for (const size of [1000, 65536]) {
        const c = { mode, size, count: 20, length: true };
        const res = await request(server.port, '/', { headers: { 'x-reuse': reuseHeader(c) } });
        expect(res.header('transfer-encoding')).toBeUndefined();
        expect(reuseVerdict(res.body, c)).toBe('ok');
      }
    },
  );
});

describe('BODY-17 / BODY-19 / ADP-NODE-12 / ADP-NODE-02: a reused buffer, a slow reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-node-reuse-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const progress: ReuseProgress = { produced: 0 };
  let sockets = 0;
  /** A server on a Unix socket of its own: its buffers hold about 200 KiB, loopback TCP's MiBs. */
  async function unix(): Promise<string> {
    const path = join(dir, `${++sockets}.sock`);
    await start(reuseRouter(progress), { path });
    return path;
  }

  // Half a MiB (a whole MiB for 4-byte chunks, whose copies leave a tick's worth at a time in
  // one write) outgrows the socket's buffers and ADP-NODE-02's 128 KiB bound, so node queues
  // and waits for 'drain'.
  const cases = reuseCases(512 * 1024, { max: 65536 }).map((c) =>
    c.size === 4 ? { ...c, count: 262144 } : c,
  );
  it.each(cases)('$mode body, chunks of $size bytes, over a Unix socket', async (c) => {
    let held = -1;
    const raw = await readSlowly({ path: await unix() }, get(c), {
      onHeld: () => {
        held = progress.produced;
      },
    });
    expect(reuseVerdict(body(raw), c)).toBe('ok');
    // The client held the app back: it had not produced everything while nothing was read.
    if (c.mode !== 'array') expect(held).toBeLessThan(c.count);
  });

  it.each(REUSE_MODES)('%s body of 8 MB in 100 000-byte chunks, over TCP', async (mode) => {
    const c = { mode, size: 100000, count: 80 };
    const tcp = await start(reuseRouter(progress));
    let held = -1;
    const raw = await readSlowly({ port: tcp.port }, get(c), {
      onHeld: () => {
        held = progress.produced;
      },
    });
    expect(reuseVerdict(body(raw), c)).toBe('ok');
    if (mode !== 'array') expect(held).toBeLessThan(c.count);
  });

  it('a response pipelined behind a slow one: node queues it before it has a socket', async () => {
    // The second response is written while the first still owns the connection, so node keeps
    // its chunks in the response's own queue (outputData) until the first has finished.
    const first = { mode: 'sync' as const, size: 65536, count: 16 };
    const cases = REUSE_MODES.map((mode) => ({ mode, size: 4096, count: 32 }));
    const raw = await readSlowly(
      { path: await unix() },
      get(first, false) + cases.map((c, i) => get(c, i === cases.length - 1)).join(''),
    );
    const all = parseResponses(
      raw,
      [first, ...cases].map(() => 'GET'),
    );
    expect(all.map((r) => r.complete)).toEqual([true, ...cases.map(() => true)]);
    expect(reuseVerdict(all[0]!.body, first)).toBe('ok');
    for (const [i, c] of cases.entries()) expect(reuseVerdict(all[i + 1]!.body, c)).toBe('ok');
  });
});

describe('BODY-17 / BODY-19 / ADP-NODE-12: a socket that takes part of a write and the rest later', () => {
  // A simulated connection (SlowPeerSocket): a write copies what fits into its 50 000-byte
  // "kernel" at once and keeps the rest by reference, as libuv does with a full socket. A copy
  // is safe as soon as it is made; a chunk written where it is only once the write completed.
  const server = createServer(createRequestListener(reuseRouter(), { errors: () => {} }));
  it.each(REUSE_MODES)(
    '%s body, every chunk size (and either side of the copy limit)',
    async (mode) => {
      for (const size of [...REUSE_SIZES, 32 * 1024, 32 * 1024 + 1]) {
        const c = { mode, size, count: reuseCount(size, 128 * 1024, 16) };
        const peer = new SlowPeerSocket({ capacity: 50_000, rate: 30_000 });
        server.emit('connection', peer);
        peer.send(get(c));
        await peer.done; // Connection: close
        peer.destroy();
        expect(reuseVerdict(body(peer.received()), c)).toBe('ok');
      }
    },
  );
});

describe("BODY-19 / ADP-NODE-12: tsgi.input echoed as the body (the server's own chunks, uncopied)", () => {
  const echo: Parameters<typeof start>[0] = (environ, startResponse) => {
    startResponse('200 OK', [['content-type', 'application/octet-stream']]);
    return environ['tsgi.input'];
  };
  const payload = Buffer.alloc(3 * 1024 * 1024 + 17);
  for (let i = 0; i < payload.length; i++) payload[i] = (i * 31 + (i >> 12)) & 0xff;

  it('a client reading at once gets exactly the bytes it sent (3 MiB)', async () => {
    const server = await start(echo);
    const res = await request(server.port, '/', { method: 'POST', body: payload });
    expect(res.status).toBe(200);
    expect(Buffer.compare(res.body, payload)).toBe(0);
  });

  it('a client reading slowly gets exactly the bytes it sent (1 MiB, backpressure engaged)', async () => {
    const server = await start(echo);
    const body = payload.subarray(0, 1024 * 1024);
    const head = `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const raw = await readSlowly(
      { port: server.port },
      Buffer.concat([Buffer.from(head, 'latin1'), body]),
      { holdMs: 150, pauseMs: 0 },
    );
    const [res] = parseResponses(raw, ['POST']);
    expect(res?.status).toBe(200);
    expect(res?.complete).toBe(true);
    expect(Buffer.compare(res!.body, body)).toBe(0);
  });
});
