/** Starts the `tsgi` command (packages/cli) as a child process and finds where it listens. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const _require = createRequire(import.meta.url);

/** `packages/cli/bin/tsgi.cjs`, or undefined when the CLI (or its serve command) is not built. */
export function cliBin(): string | undefined {
  try {
    const dir = dirname(_require.resolve('@tsgi/cli/package.json'));
    const bin = join(dir, 'bin', 'tsgi.cjs');
    return existsSync(bin) && existsSync(join(dir, 'dist', 'commands', 'serve.js'))
      ? bin
      : undefined;
  } catch {
    return undefined;
  }
}

/** The stress app as a module for the CLI. */
export const CLI_APP = fileURLToPath(new URL('../fixtures/cli-app.ts', import.meta.url));

/** A running `tsgi` process. */
export interface CliProcess {
  readonly process: ChildProcess;
  readonly port: number;
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  output(): string;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs `tsgi <args>` and resolves once it printed `Listening on http://HOST:PORT` (20 s limit). */
export function startCli(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<CliProcess> {
  const bin = cliBin();
  if (bin === undefined) return Promise.reject(new Error('the tsgi CLI is not built'));
  const child = spawn(process.execPath, [bin, ...args], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`tsgi did not listen in 20 s:\n${out}`));
    }, 20_000);
    const onData = (d: Buffer): void => {
      out += d.toString();
      const m = /Listening on https?:\/\/[^\s]*:(\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({
          process: child,
          port: Number(m[1]),
          exited,
          output: () => out,
          kill: (signal: NodeJS.Signals = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d: Buffer) => {
      if (out.length < 100_000) out += d.toString();
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`tsgi exited (${code ?? signal}) before listening:\n${out}`));
    });
  });
}
