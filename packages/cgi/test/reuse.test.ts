/**
 * Chunk ownership over CGI (BODY-17, BODY-19): a CGI process whose app refills one buffer for
 * every chunk writes exactly the bytes it yielded, at every chunk size, to a web server reading
 * its stdout at once or slowly (a full pipe makes the sink wait for each write's callback), in
 * NPH mode too, and behind a real web server.
 */
import { spawn } from 'node:child_process';
import { findTool } from '@tsgi/harness';
import {
  REUSE_SIZES,
  type ReuseCase,
  type ReuseMode,
  readSlowly,
  reuseCount,
  reuseHeader,
  reuseVerdict,
} from '@tsgi/harness/reuse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, http, runCgi } from './_helpers.js';
import { type CgiServer, shellWrapper, startCgiServer } from './_servers.js';

const SCRIPT = `${FIXTURES}reuse.mjs`;
const MODES: readonly ReuseMode[] = ['sync', 'async', 'write', 'array'];
const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/reuse', SERVER_PROTOCOL: 'HTTP/1.1' };

/** The body of an NPH response: de-chunked. */
function dechunk(rest: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (let p = 0; ; ) {
    const eol = rest.indexOf('\r\n', p);
    const n = Number.parseInt(rest.toString('latin1', p, eol), 16);
    if (!(n > 0)) return Buffer.concat(parts);
    parts.push(rest.subarray(eol + 2, eol + 2 + n));
    p = eol + 2 + n + 2;
  }
}

describe('BODY-17 / BODY-19 / ADP-CGI-02: a reused buffer, stdout read at once', () => {
  const cases = MODES.flatMap((mode) =>
    REUSE_SIZES.map((size) => ({ mode, size, count: reuseCount(size, 64 * 1024, 8) })),
  );
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const r = await runCgi(SCRIPT, { ...GET, HTTP_X_REUSE: reuseHeader(c) });
    expect(r.code).toBe(0);
    expect(r.head).toMatch(/^Status: 200 OK\r\n/);
    expect(reuseVerdict(r.body, c)).toBe('ok');
  });

  it.each(MODES)('%s body from an nph- script (chunked by the process itself)', async (mode) => {
    for (const size of [4, 4096, 100_000]) {
      const c = { mode, size, count: reuseCount(size, 64 * 1024, 8) };
      const env = { ...GET, SCRIPT_NAME: '/cgi-bin/nph-reuse', HTTP_X_REUSE: reuseHeader(c) };
      const r = await runCgi(SCRIPT, env);
      expect(r.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      const body = mode === 'array' ? r.body : dechunk(r.body); // an Array has a length
      expect(reuseVerdict(body, c)).toBe('ok');
    }
  });
});

describe('BODY-17 / BODY-19 / ADP-CGI-02: a reused buffer, stdout read slowly', () => {
  /** Runs the script, reads nothing for a while, then reads stdout with pauses. */
  function runSlowly(c: ReuseCase): Promise<{ stdout: Buffer; heldBack: boolean; code: number }> {
    const child = spawn(process.execPath, [SCRIPT], {
      env: { PATH: '/usr/bin:/bin', ...GET, HTTP_X_REUSE: reuseHeader(c) },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.stdin.end();
    child.stdout.pause();
    const parts: Buffer[] = [];
    let heldBack = false;
    let sincePause = 0;
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      child.stdout.on('data', (d: Buffer) => {
        parts.push(d);
        sincePause += d.length;
        if (sincePause < 16 * 1024) return; // small writes come as small reads: pause per 16 KiB
        sincePause = 0;
        child.stdout.pause();
        setTimeout(() => child.stdout.resume(), 2);
      });
      setTimeout(() => {
        // A pipe holds 64 KiB: the process still has most of its body to write.
        heldBack = child.exitCode === null;
        child.stdout.resume();
      }, 150);
      child.on('close', (code) =>
        resolve({ stdout: Buffer.concat(parts), heldBack, code: code ?? -1 }),
      );
    });
  }

  const cases = MODES.flatMap((mode) =>
    // More than the pipe's 64 KiB (4-byte chunks: 128 KiB, one write(2) each).
    REUSE_SIZES.map((size) => ({
      mode,
      size,
      count: Math.min(32768, reuseCount(size, 512 * 1024)),
    })),
  );
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const r = await runSlowly(c);
    expect(r.code).toBe(0);
    expect(r.heldBack).toBe(true);
    const cut = r.stdout.indexOf('\r\n\r\n');
    expect(reuseVerdict(r.stdout.subarray(cut + 4), c)).toBe('ok');
  });
});

// lighttpd passes CGI output on as it arrives; it runs the script as the user running the tests.
const lighttpd = findTool('lighttpd');

describe.skipIf(lighttpd === undefined)(
  'BODY-17 / BODY-19: a reused buffer behind lighttpd',
  () => {
    let s: CgiServer;
    beforeAll(async () => {
      s = await startCgiServer('lighttpd');
      s.install('reuse', shellWrapper(`${process.execPath} ${SCRIPT}`));
    });
    afterAll(async () => {
      await s?.server.stop();
    });

    it('every mode, chunks of 4 bytes to 100 000, a fast and a slow client', async () => {
      for (const mode of MODES) {
        for (const size of REUSE_SIZES) {
          const c = { mode, size, count: reuseCount(size, 128 * 1024, 8) };
          const r = await http(s.port, '/cgi-bin/reuse', {
            headers: [['X-Reuse', reuseHeader(c)]],
          });
          expect(r.status, s.server.output()).toBe(200);
          expect(r.complete).toBe(true);
          expect(reuseVerdict(r.body, c)).toBe('ok');
        }
        const c = { mode, size: 100_000, count: 80 }; // 8 MB: more than loopback TCP buffers
        const raw = await readSlowly(
          { port: s.port },
          `GET /cgi-bin/reuse HTTP/1.1\r\nHost: x\r\nX-Reuse: ${reuseHeader(c)}\r\nConnection: close\r\n\r\n`,
        );
        const cut = raw.indexOf('\r\n\r\n');
        const head = raw.subarray(0, cut).toString('latin1');
        expect(head).toMatch(/^HTTP\/1\.1 200/);
        const rest = raw.subarray(cut + 4);
        const body = /transfer-encoding: *chunked/i.test(head) ? dechunk(rest) : rest;
        expect(reuseVerdict(body, c)).toBe('ok');
      }
    });
  },
);
