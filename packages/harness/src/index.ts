/**
 * Private test harness: temp dirs, free loopback ports, and real web-server daemons started in
 * the foreground with generated configs. Never listens on anything but 127.0.0.1 / ::1.
 *
 * A test that needs a tool calls `requireTool`: under `CI=true` a missing tool fails the test;
 * on a developer machine the test is skipped and the reason is printed.
 * @module
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** True under CI (`CI=true`): missing tools are failures, not skips. */
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Where to look for a tool: PATH plus the sbin dirs Debian puts daemons in. */
const _SEARCH = [
  ...(process.env.PATH ?? '').split(delimiter),
  '/usr/sbin',
  '/sbin',
  '/usr/local/sbin',
];

/** Absolute path of an executable, or undefined. */
export function findTool(name: string): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  for (const dir of _SEARCH) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Resolves a tool needed by a test file. Returns its path, or `undefined` after printing why
 * the tests will be skipped. Under CI it throws instead: CI must install what tests need.
 */
export function requireTool(name: string, why: string): string | undefined {
  const found = findTool(name);
  if (found) return found;
  const msg = `${name} not found (${why}); install it (scripts/ensure-system-deps.mjs does)`;
  if (inCI) throw new Error(`CI: ${msg}`);
  console.warn(`SKIP: ${msg}`);
  return undefined;
}

/** A fresh temp dir under the OS temp dir; `remove()` deletes it. */
export function tempDir(prefix = 'tsgi-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A currently free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on host:port, or rejects after `timeoutMs`. */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ port, host }, () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A started daemon: its process, collected output, and a stop function. */
export interface Daemon {
  process: ChildProcess;
  /** stdout and stderr so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Spawns a long-running process, capturing its output; `stop()` sends SIGTERM then SIGKILL. */
export function startDaemon(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Daemon {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
export * from './apache.js';
export * from './busybox.js';
export * from './lighttpd.js';
export * from './nginx.js';
export * from './webserver.js';
