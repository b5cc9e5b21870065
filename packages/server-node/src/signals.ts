/**
 * Signals and exit codes, one set for every server process (issue 17: three handlers had three
 * sets of codes). SIGTERM and SIGINT start a graceful shutdown (SRV-09); a second signal stops
 * waiting and exits at once.
 *
 * | exit code | when                                                                      |
 * | --------- | ------------------------------------------------------------------------- |
 * | 0         | a signal's graceful shutdown finished (requests that outlived the timeout were aborted, as SRV-09 says) |
 * | 1         | the shutdown failed (`close()` rejected), or the server failed            |
 * | 2         | a usage error: bad arguments, an APP that cannot be loaded (the CLI)      |
 * | 128 + N   | a second signal N forced the exit: 130 for SIGINT, 143 for SIGTERM        |
 *
 * 128 + N is what a shell reports for a process killed by signal N, so a supervisor sees a
 * forced stop as such.
 * @module
 */
import { constants } from 'node:os';

/** Exit code after a signal's graceful shutdown finished. */
export const EXIT_OK = 0;
/** Exit code when the shutdown (or the server) failed. */
export const EXIT_FAILURE = 1;
/** Exit code for a usage error: bad arguments, an APP that cannot be loaded. */
export const EXIT_USAGE = 2;

/** The signals that start a graceful shutdown by default. */
export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/** 128 + the signal's number: the exit code when a second `signal` forces the exit. */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** Options for {@link handleShutdownSignals}. */
export interface SignalOptions {
  /** Signals that start the shutdown. Default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[] | undefined;
  /** Signals to ignore (a cluster worker leaves SIGINT to its primary). */
  ignore?: readonly NodeJS.Signals[] | undefined;
  /** Runs on the second signal, before the process exits (the cluster primary kills workers). */
  force?: ((signal: NodeJS.Signals) => void) | undefined;
  /** How to exit. Default `process.exit`; tests pass their own. */
  exit?: ((code: number) => void) | undefined;
  /** Where a failed shutdown is reported. Default: stderr. */
  log?: ((text: string) => void) | undefined;
}

/**
 * The signal options for a server process: SIGTERM and SIGINT; in a `node:cluster` worker only
 * SIGTERM, with SIGINT ignored, because a terminal's Ctrl-C reaches every process of the group
 * and the primary coordinates (it sends each worker SIGTERM).
 */
export function serverSignals(clusterWorker: boolean): SignalOptions {
  // SIGHUP (a closed terminal, or `kill -HUP` to the group) never kills a server: the `--workers`
  // primary replaces its workers on it (a graceful reload, as gunicorn's HUP); a worker and a
  // single process ignore it (issue 23: it killed the whole group).
  return clusterWorker
    ? { signals: ['SIGTERM'], ignore: ['SIGINT', 'SIGHUP'] }
    : { signals: SHUTDOWN_SIGNALS, ignore: ['SIGHUP'] };
}

/**
 * Installs the handlers: the first signal calls `shutdown(signal)` and exits 0 when it resolves
 * (1 when it rejects); a second signal calls `force` and exits 128 + its number. Returns a
 * function that removes the handlers, unless a signal has already arrived (a second one must
 * still be handled while the shutdown runs).
 */
export function handleShutdownSignals(
  shutdown: (signal: NodeJS.Signals) => Promise<unknown>,
  options: SignalOptions = {},
): () => void {
  const signals = options.signals ?? SHUTDOWN_SIGNALS;
  const ignore = options.ignore ?? [];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const log = options.log ?? ((text: string) => void process.stderr.write(text));
  let received = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received) {
      options.force?.(signal);
      exit(exitCodeForSignal(signal));
      return;
    }
    received = true;
    let stopping: Promise<unknown>;
    try {
      stopping = shutdown(signal);
    } catch (err) {
      stopping = Promise.reject(err);
    }
    stopping.then(
      () => exit(EXIT_OK),
      (err: unknown) => {
        log(`shutdown after ${signal} failed: ${err instanceof Error ? err.message : err}\n`);
        exit(EXIT_FAILURE);
      },
    );
  };
  const onIgnored = (): void => {};
  for (const signal of signals) process.on(signal, onSignal);
  for (const signal of ignore) process.on(signal, onIgnored);
  return () => {
    if (received) return;
    for (const signal of signals) process.off(signal, onSignal);
    for (const signal of ignore) process.off(signal, onIgnored);
  };
}

/** The `signals` option of `serve` and `serveFastCGI`: `true` is SIGTERM and SIGINT. */
export function signalsOption(
  value: boolean | readonly NodeJS.Signals[] | undefined,
): readonly NodeJS.Signals[] {
  return value === true ? SHUTDOWN_SIGNALS : value === false || value === undefined ? [] : value;
}
