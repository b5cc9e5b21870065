/**
 * handleShutdownSignals: one signal rule and one set of exit codes for every server process
 * (SRV-09: the first SIGTERM/SIGINT shuts down gracefully; a second one stops waiting).
 */
import { spawn } from 'node:child_process';
import { deferred } from '@tsgi/harness/kit';
import {
  EXIT_FAILURE,
  EXIT_OK,
  exitCodeForSignal,
  handleShutdownSignals,
  serverSignals,
  signalsOption,
} from '@tsgi/server-node';
import { afterEach, describe, expect, it } from 'vitest';

const SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP'] as const;
const uninstallers: Array<() => void> = [];
const before = new Map(SIGNALS.map((s) => [s, process.listeners(s)]));
afterEach(() => {
  for (const u of uninstallers.splice(0)) u();
  // Handlers that saw a signal stay installed (by design): remove what the tests added.
  for (const s of SIGNALS) {
    for (const l of process.listeners(s)) if (!before.get(s)?.includes(l)) process.off(s, l);
  }
});

/** Installs the handlers with a recorded exit; signals are delivered with process.emit. */
function install(shutdown: () => Promise<unknown>, options = {}) {
  const exits: number[] = [];
  const forced: string[] = [];
  const log: string[] = [];
  const uninstall = handleShutdownSignals(shutdown, {
    exit: (code) => exits.push(code),
    force: (signal) => forced.push(signal),
    log: (text) => log.push(text),
    ...options,
  });
  uninstallers.push(uninstall);
  return { exits, forced, log, uninstall };
}

const emit = (signal: NodeJS.Signals): boolean => process.emit(signal, signal);

describe('handleShutdownSignals', () => {
  it('exit codes: 0 after a graceful shutdown, 1 when it fails, 128 + N when forced', () => {
    expect([EXIT_OK, EXIT_FAILURE]).toEqual([0, 1]);
    expect(exitCodeForSignal('SIGINT')).toBe(130);
    expect(exitCodeForSignal('SIGTERM')).toBe(143);
    expect(exitCodeForSignal('SIGHUP')).toBe(129);
  });

  it('SRV-09: the first signal shuts down and exits 0; a second forces and exits 128 + N', async () => {
    const stop = deferred();
    let calls = 0;
    const h = install(() => {
      calls++;
      return stop.promise;
    });
    emit('SIGTERM');
    expect(calls).toBe(1);
    emit('SIGINT');
    expect(calls).toBe(1);
    expect(h.forced).toEqual(['SIGINT']);
    expect(h.exits).toEqual([130]);
    stop.resolve();
    await stop.promise;
    await new Promise((r) => setImmediate(r));
    expect(h.exits).toEqual([130, 0]);
  });

  it('a shutdown that rejects exits 1 and says why', async () => {
    const h = install(() => Promise.reject(new Error('disk on fire')));
    emit('SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect(h.exits).toEqual([1]);
    expect(h.log).toEqual(['shutdown after SIGTERM failed: disk on fire\n']);
  });

  it('a cluster worker handles SIGTERM and ignores SIGINT (its primary coordinates)', async () => {
    let calls = 0;
    const h = install(async () => {
      calls++;
    }, serverSignals(true));
    emit('SIGINT');
    expect(calls).toBe(0);
    emit('SIGTERM');
    await new Promise((r) => setImmediate(r));
    expect([calls, h.exits]).toEqual([1, [0]]);
    // SIGHUP never kills a server (issue 23): ignored by a single process and a worker.
    expect(serverSignals(false)).toEqual({ signals: ['SIGTERM', 'SIGINT'], ignore: ['SIGHUP'] });
  });

  it('uninstall removes the handlers until a signal has arrived', () => {
    const before = process.listenerCount('SIGTERM');
    const h = install(async () => {});
    expect(process.listenerCount('SIGTERM')).toBe(before + 1);
    h.uninstall();
    expect(process.listenerCount('SIGTERM')).toBe(before);
    expect(signalsOption(true)).toEqual(['SIGTERM', 'SIGINT']);
    expect(signalsOption(false)).toEqual([]);
    expect(signalsOption(['SIGHUP'])).toEqual(['SIGHUP']);
  });

  it('in a real process: SIGTERM exits 0 after the shutdown; a second SIGTERM exits 143', async () => {
    const lib = new URL('../dist/index.js', import.meta.url).href;
    const script = (wait: string) => `
      import { handleShutdownSignals } from ${JSON.stringify(lib)};
      handleShutdownSignals(() => {
        console.log('stopping');
        return ${wait};
      });
      setInterval(() => {}, 1000);
      console.log('ready');`;
    const run = async (wait: string, signals: number): Promise<number | null> => {
      const child = spawn(process.execPath, ['--input-type=module', '-e', script(wait)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      const printed = async (text: string): Promise<void> => {
        while (!out.includes(text)) await new Promise((r) => child.stdout.once('data', r));
      };
      child.stdout.on('data', (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      await printed('ready');
      child.kill('SIGTERM');
      if (signals === 2) {
        await printed('stopping'); // the first one was handled: this one is a second signal
        child.kill('SIGTERM');
      }
      return exited;
    };
    expect(await run('Promise.resolve()', 1)).toBe(0);
    expect(await run('new Promise(() => {})', 2)).toBe(143);
  });
});
