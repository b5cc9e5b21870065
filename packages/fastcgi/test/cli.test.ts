/**
 * `tsgi fastcgi APP` (packages/cli): options reach the server, `--workers` share one socket with
 * `tsgi.multiprocess` true, and SIGTERM shuts down gracefully with exit code 0.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FastCGIClient } from '@tsgi/fastcgi/client';
import { type Daemon, freePort, startDaemon, tempDir, waitForPort } from '@tsgi/harness';
import { describe, expect, it } from 'vitest';
import { cgi, cgiParams } from './_helpers.js';

const CLI = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const APP = `${fileURLToPath(new URL('./fixtures/app.mjs', import.meta.url))}:app`;

/** `tsgi fastcgi APP ...args` with its output collected. */
const start = (args: string[]): Daemon =>
  startDaemon(process.execPath, [CLI, 'fastcgi', APP, ...args]);

describe.skipIf(!existsSync(CLI))('tsgi fastcgi', () => {
  it('ADP-FCGI-17, ADP-FCGI-21, ADP-FCGI-04: --bind HOST:PORT, --workers 2 (tsgi.multiprocess), --script-name; SIGTERM exits 0', async () => {
    const port = await freePort();
    const p = start(['--bind', `127.0.0.1:${port}`, '--workers', '2', '--script-name', '/mnt']);
    try {
      await waitForPort(port);
      const c = await FastCGIClient.connect({ port });
      const res = await c.request({
        params: cgiParams({ REQUEST_URI: '/mnt/a%20b?q=1', QUERY_STRING: 'q=1' }),
      });
      const seen = JSON.parse(cgi(res).text);
      expect(seen.multiprocess).toBe(true);
      expect(seen.multithread).toBe(false);
      expect(seen.runOnce).toBe(false);
      expect(seen.environ.SCRIPT_NAME).toBe('/mnt');
      expect(seen.environ.PATH_INFO).toBe('/a b');
      c.destroy();
    } finally {
      p.process.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
  });

  it('ADP-FCGI-17: --bind unix:PATH serves a Unix socket; a bad APP is a usage error (exit 2)', async () => {
    const dir = tempDir('tsgi-fcgi-cli-');
    const path = `${dir.path}/app.sock`;
    const p = start(['--bind', `unix:${path}`]);
    try {
      await expect
        .poll(() => p.output(), { timeout: 10_000 })
        .toContain(`FastCGI listening on unix:${path}`);
      const c = await FastCGIClient.connect({ path });
      const seen = JSON.parse(cgi(await c.request({ params: cgiParams() })).text);
      expect(seen.multiprocess).toBe(false);
      c.destroy();
    } finally {
      p.process.kill('SIGTERM');
    }
    expect(await p.exited).toBe(0);
    dir.remove();
    const bad = spawn(process.execPath, [CLI, 'fastcgi', '/nonexistent/app.js'], {
      stdio: 'ignore',
    });
    expect(await new Promise((r) => bad.on('exit', r))).toBe(2);
  });

  it('an address in use is one line and exit 2, not a listener error as well (issue 23)', async () => {
    const port = await freePort();
    const first = start(['--bind', `127.0.0.1:${port}`]);
    try {
      await waitForPort(port);
      const second = start(['--bind', `127.0.0.1:${port}`]);
      expect(await second.exited).toBe(2);
      expect(second.output()).toBe(
        `tsgi: cannot listen on 127.0.0.1:${port}: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
      );
    } finally {
      first.process.kill('SIGTERM');
      await first.exited;
    }
  });
});
