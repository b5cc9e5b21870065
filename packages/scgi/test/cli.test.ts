/**
 * `tsgi scgi APP` (packages/cli): options reach the server, `--workers` share one socket with
 * `tsgi.multiprocess` true, a Unix socket, and SIGTERM shuts down gracefully with exit code 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Daemon, freePort, startDaemon, tempDir, waitForPort } from '@tsgi/harness';
import { describe, expect, it } from 'vitest';
import { exchange, request } from './_helpers.js';

const CLI = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const APP = `${fileURLToPath(new URL('../../fastcgi/test/fixtures/app.mjs', import.meta.url))}:app`;

/** `tsgi scgi APP ...args` with its output collected. */
const start = (args: string[]): Daemon =>
  startDaemon(process.execPath, [CLI, 'scgi', APP, ...args]);

describe.skipIf(!existsSync(CLI))('tsgi scgi', () => {
  it('ADP-SCGI-01, ADP-SCGI-05, ADP-SCGI-09: --bind HOST:PORT, --workers 2 (tsgi.multiprocess), --script-name; SIGTERM exits 0', async () => {
    const port = await freePort();
    const p = start(['--bind', `127.0.0.1:${port}`, '--workers', '2', '--script-name', '/mnt']);
    try {
      await waitForPort(port);
      const res = await exchange(
        { port },
        request({ REQUEST_URI: '/mnt/a%20b?q=1', QUERY_STRING: 'q=1' }),
      );
      const seen = JSON.parse(res.cgi().text);
      expect(seen.multiprocess).toBe(true);
      expect(seen.multithread).toBe(false);
      expect(seen.runOnce).toBe(false);
      expect(seen.environ.SCRIPT_NAME).toBe('/mnt');
      expect(seen.environ.PATH_INFO).toBe('/a b');
    } finally {
      p.process.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });

  it('ADP-SCGI-01, ADP-SCGI-03: --bind unix:PATH, --max-header-size; a bad APP is a usage error (exit 2)', async () => {
    const dir = tempDir('tsgi-scgi-cli-');
    const path = `${dir.path}/app.sock`;
    const p = start(['--bind', `unix:${path}`, '--max-header-size', '1k']);
    try {
      await expect
        .poll(() => p.output(), { timeout: 10_000 })
        .toContain(`SCGI listening on unix:${path}`);
      const seen = JSON.parse((await exchange({ path }, request())).cgi().text);
      expect(seen.multiprocess).toBe(false);
      const big = await exchange({ path }, request({ HTTP_X: 'x'.repeat(1100) }));
      expect(big.cgi().status).toBe(400);
    } finally {
      p.process.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
    dir.remove();
    const bad = spawn(process.execPath, [CLI, 'scgi', '/nonexistent/app.js'], { stdio: 'ignore' });
    expect(await new Promise((r) => bad.on('exit', r))).toBe(2);
  });
});
