/**
 * Chunk ownership over CGI (BODY-17, BODY-19): a CGI process whose app refills one buffer for
 * every chunk writes exactly the bytes it yielded, at every chunk size, to a web server reading
 * its stdout at once or slowly (a full pipe makes the sink wait for each write's callback), in
 * NPH mode too, and behind a real web server.
 */
import { spawn } from 'node:child_process';
import { findTool } from '@tsgi/harness';
import { parseResponse } from '@tsgi/harness/http';
import {
  REUSE_MODES,
  type ReuseCase,
  reuseCases,
  reuseCount,
  reuseHeader,
  reuseThroughFrontEnd,
  reuseVerdict,
} from '@tsgi/harness/reuse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES, runCgi } from './_helpers.js';
import { type CgiServer, shellWrapper, startCgiServer } from './_servers.js';

const SCRIPT = `${FIXTURES}reuse.mjs`;
const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/reuse', SERVER_PROTOCOL: 'HTTP/1.1' };

describe('BODY-17 / BODY-19 / ADP-CGI-02: a reused buffer, stdout read at once', () => {
  const cases = reuseCases(64 * 1024, { min: 8 });
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const r = await runCgi(SCRIPT, { ...GET, HTTP_X_REUSE: reuseHeader(c) });
    expect(r.code).toBe(0);
    expect(r.head).toMatch(/^Status: 200 OK\r\n/);
    expect(reuseVerdict(r.body, c)).toBe('ok');
  });

  it.each(REUSE_MODES)(
    '%s body from an nph- script (chunked by the process itself)',
    async (mode) => {
      for (const size of [4, 4096, 100_000]) {
        const c = { mode, size, count: reuseCount(size, 64 * 1024, 8) };
        const env = { ...GET, SCRIPT_NAME: '/cgi-bin/nph-reuse', HTTP_X_REUSE: reuseHeader(c) };
        const r = await runCgi(SCRIPT, env);
        expect(r.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
        // The process frames the response itself: a length for an Array, else chunked.
        expect(reuseVerdict(parseResponse(r.stdout).body, c)).toBe('ok');
      }
    },
  );
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

  // More than the pipe's 64 KiB (4-byte chunks: 128 KiB, one write(2) each).
  const cases = reuseCases(512 * 1024, { max: 32768 });
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
      const wrong = await reuseThroughFrontEnd(s.port, { fast: '/cgi-bin/reuse' });
      expect(wrong, s.server.output()).toEqual([]);
    });
  },
);
