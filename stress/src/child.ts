/**
 * Starts a stress server in its own process (`server-child.ts`, run through tsx with
 * `--expose-gc`) so its descriptors, heap and unhandled rejections are measured apart from the
 * test's clients, and so it can be killed, crashed and restarted.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildConfig, ChildStats } from './server-child.js';

export type { ChildConfig, ChildStats };

/** The stress package's directory (tsx is resolved from here). */
export const STRESS_DIR = fileURLToPath(new URL('..', import.meta.url));
const _CHILD = fileURLToPath(new URL('./server-child.ts', import.meta.url));

/** A running server child. */
export interface ServerChild {
  readonly process: ChildProcess;
  readonly pid: number;
  readonly port: number;
  /** Measures the child after three GCs. */
  stats(): Promise<ChildStats>;
  /** The application's counters only (no GC, cheap). */
  counters(): Promise<ChildStats['counters']>;
  /** Asks for a graceful close and waits for the process to exit. */
  close(timeout?: number): Promise<void>;
  /** Resolves with the exit code or signal when the process ends. */
  readonly exited: Promise<number | string>;
  /** stdout and stderr so far. */
  output(): string;
  /** Kills it (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

/** Starts a server child and resolves once it listens. Rejects after 20 s. */
export function spawnServer(config: ChildConfig): Promise<ServerChild> {
  const child = fork(_CHILD, [], {
    cwd: STRESS_DIR,
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, TSGI_STRESS_CHILD: JSON.stringify(config) },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    if (out.length < 200_000) out += d.toString();
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  let nextId = 1;
  const waiters = new Map<number, (m: { stats?: ChildStats }) => void>();
  child.on('message', (m: { type: string; id?: number; stats?: ChildStats }) => {
    if (m.id !== undefined) {
      const w = waiters.get(m.id);
      waiters.delete(m.id);
      w?.(m);
    }
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server child did not start in 20 s:\n${out}`));
    }, 20_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server child exited (${code}) before it was ready:\n${out}`));
    });
    child.once('message', (m: { type: string; port: number; pid: number }) => {
      if (m.type !== 'ready') return;
      clearTimeout(timer);
      const ask = <T>(type: string, extra: Record<string, unknown> = {}): Promise<T> =>
        new Promise((res, rej) => {
          if (!child.connected) {
            rej(new Error(`server child ${child.pid} is gone:\n${out.slice(-4000)}`));
            return;
          }
          const id = nextId++;
          const t = setTimeout(() => {
            waiters.delete(id);
            rej(new Error(`server child did not answer ${type} in 15 s`));
          }, 15_000);
          waiters.set(id, (msg) => {
            clearTimeout(t);
            res(msg as T);
          });
          child.send({ type, id, ...extra });
        });
      resolve({
        process: child,
        pid: m.pid,
        port: m.port,
        exited,
        output: () => out,
        async stats() {
          return (await ask<{ stats: ChildStats }>('stats')).stats;
        },
        async counters() {
          return (await ask<{ stats: ChildStats }>('counters')).stats.counters;
        },
        async close(timeout = 1000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const killer = setTimeout(() => child.kill('SIGKILL'), timeout + 10_000);
          try {
            await ask('close', { timeout });
          } catch {
            child.kill('SIGKILL');
          }
          await exited;
          clearTimeout(killer);
        },
        async kill(signal: NodeJS.Signals = 'SIGKILL') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
  });
}

/** Polls `fn` every `interval` ms until it returns true or `timeout` ms pass; returns the last result. */
export async function waitFor(
  fn: () => boolean | Promise<boolean>,
  timeout = 10_000,
  interval = 50,
): Promise<boolean> {
  const deadline = Date.now() + timeout;
  for (;;) {
    if (await fn()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, interval));
  }
}
