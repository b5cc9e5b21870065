/**
 * `--workers N`: the node:cluster primary. It forks N workers that share the listening socket,
 * prints the URL once the first one listens, replaces a worker that dies (with a backoff, never
 * during shutdown), and on SIGTERM/SIGINT asks every worker to shut down gracefully; a second
 * signal kills them and exits with 128 + its number (the shared signal rule of
 * @tsgi/server-node). Workers accept connections themselves (SCHED_NONE, SRV-13). SIGHUP is a
 * graceful reload, as gunicorn's: as many new workers as before (each loading the application
 * afresh), and each old one asked to shut down gracefully once a new one listens.
 */
import cluster, { type Address, type Worker } from 'node:cluster';
import { watch as fsWatch } from 'node:fs';
import {
  clearStaleSocket,
  DEFAULT_HOST,
  handleShutdownSignals,
  listenUrl,
} from '@tsgi/server-node';
import { firstLine, UsageError } from './_args.js';
import { logAt, logs } from './_log-level.js';

/** Where the first worker listens, as a URL. */
function _url(address: Address): string {
  if (
    address.addressType === -1 ||
    address.addressType === 'udp4' ||
    address.addressType === 'udp6'
  ) {
    return listenUrl({ kind: 'unix', path: address.address });
  }
  return listenUrl({ kind: 'tcp', host: address.address ?? DEFAULT_HOST, port: address.port });
}

const _MAX_DELAY = 5000;

/**
 * Runs the primary until every worker has exited; resolves to the exit code. With a unix
 * socket `path`, the primary applies the stale-socket rule once before forking, so the workers
 * do not race to replace the file.
 */
export async function superviseWorkers(
  count: number,
  path?: string,
  watch?: string,
  timeoutMs = 0,
): Promise<number> {
  // SRV-13: workers accept connections themselves (SCHED_NONE). With node's default on Linux,
  // round-robin, the primary accepts each connection and passes it to a worker; one passed to
  // a worker that dies before taking it is never closed (the client hangs, the primary keeps
  // its descriptor). The trade-off: the kernel, not the primary, picks the worker, which can
  // load workers unevenly. An explicit NODE_CLUSTER_SCHED_POLICY (`rr`) still wins.
  if (process.env.NODE_CLUSTER_SCHED_POLICY === undefined) {
    cluster.schedulingPolicy = cluster.SCHED_NONE;
  }
  if (path !== undefined) {
    try {
      await clearStaleSocket(path);
    } catch (err) {
      throw new UsageError(`cannot listen on unix:${path}: ${firstLine(err)}`);
    }
  }
  let stop!: () => void;
  let reloadWorkers!: (why: string) => void;
  const done = new Promise<number>((resolve) => {
    let stopping = false;
    let started = false; // some worker has listened: later failures are restarted, not fatal
    let reported = false;
    let exitCode = 0;
    const crashes: number[] = [];
    const timers = new Set<NodeJS.Timeout>();
    /** Workers asked to stop by a reload or --max-requests: their exit is not replaced. */
    const retiring = new Set<Worker>();
    /** Workers that have listened (SIGTTOU stops one only while another listens). */
    const listening = new Set<Worker>();
    /** Workers to stop, each once a new worker listens (issue 23). */
    let outgoing: Worker[] = [];

    const fork = (): void => {
      const worker = cluster.fork();
      worker.on('message', (msg: unknown) => {
        // A worker's usage error (bad APP, bad bind): print it once, not once per worker.
        const text = (msg as { tsgiError?: unknown } | null)?.tsgiError;
        if (typeof text === 'string' && !reported) {
          reported = true;
          process.stderr.write(`tsgi: ${text}\n`);
        }
        // --max-requests: the worker has served its share and shuts down gracefully; a new one
        // takes its place at once, as gunicorn's max_requests.
        // Like a reload of one worker: it stops once its replacement listens, so the shared
        // listening socket always has a worker (node closes it when the last one leaves).
        const served = (msg as { tsgiRecycle?: unknown } | null)?.tsgiRecycle;
        if (typeof served === 'number' && !stopping && !outgoing.includes(worker)) {
          logAt(
            'info',
            `tsgi: worker ${worker.process.pid} served ${served} requests; replacing it\n`,
          );
          outgoing.push(worker);
          fork();
        }
      });
    };
    // A worker that has exited is not living, although cluster.workers lists it until its IPC
    // channel disconnects too: node emits 'exit' first when several workers exit at once, or
    // when a child of the worker holds the channel open. Counting it left the primary waiting
    // forever after the last worker's exit (1 graceful stop of 4 workers in 20 here).
    const living = (): Worker[] =>
      Object.values(cluster.workers ?? {}).filter(
        (w): w is Worker => w !== undefined && !w.isDead(),
      );
    stop = (): void => {
      stopping = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      const workers = living();
      if (workers.length === 0) resolve(exitCode);
      for (const w of workers) w.process.kill('SIGTERM'); // each worker shuts down gracefully
    };

    // SIGHUP, --reload, --max-requests: the workers to retire once their replacements listen.
    const reload = (why: string): void => {
      if (stopping) return;
      outgoing.push(...living().filter((w) => !retiring.has(w) && !outgoing.includes(w)));
      logAt(
        'info',
        `tsgi: ${why}: starting ${count} new workers, then stopping ${outgoing.length} gracefully\n`,
      );
      for (let i = 0; i < count; i++) fork();
    };
    process.on('SIGHUP', () => reload('SIGHUP'));
    // gunicorn's TTIN/TTOU: one worker more, or one fewer (gracefully), never below one.
    process.on('SIGTTIN', () => {
      if (stopping) return;
      count++;
      logAt('info', `tsgi: SIGTTIN: ${count} workers\n`);
      fork();
    });
    process.on('SIGTTOU', () => {
      const staying = living().filter((w) => !retiring.has(w) && !outgoing.includes(w));
      // One not listening yet first. A listening one only while another listens: node closes
      // the shared listening socket when its last worker leaves, refusing connections until
      // the next one listens.
      const victim =
        staying.find((w) => !listening.has(w)) ??
        (staying.filter((w) => listening.has(w)).length > 1 ? staying[0] : undefined);
      if (stopping || count <= 1 || victim === undefined) return;
      count--;
      logAt('info', `tsgi: SIGTTOU: ${count} workers\n`);
      retiring.add(victim);
      victim.process.kill('SIGTERM');
    });
    reloadWorkers = reload;

    cluster.on('listening', (worker, address) => {
      listening.add(worker);
      if (!started) {
        started = true;
        if (logs('info')) process.stdout.write(`Listening on ${_url(address)}\n`);
      }
      if (outgoing.includes(worker)) return;
      const old = outgoing.shift();
      if (old !== undefined) {
        retiring.add(old);
        old.process.kill('SIGTERM'); // its in-flight requests finish first (SRV-09)
      }
    });
    cluster.on('exit', (worker, code, signal) => {
      listening.delete(worker);
      if (retiring.delete(worker)) return; // retired by a reload: not replaced
      outgoing = outgoing.filter((w) => w !== worker);
      if (stopping) {
        if (living().length === 0) resolve(exitCode);
        return;
      }
      if (!started) {
        // The first workers could not start (the app fails to load, the port is taken):
        // a new one would fail the same way.
        exitCode = code || 1;
        stop();
        return;
      }
      const now = Date.now();
      while (crashes.length > 0 && now - crashes[0]! > 30_000) crashes.shift();
      crashes.push(now);
      const delay = Math.min(_MAX_DELAY, 100 * 2 ** (crashes.length - 1));
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      logAt(
        'warning',
        `tsgi: worker ${worker.process.pid} ${how}; starting another in ${delay} ms\n`,
      );
      const timer = setTimeout(() => {
        timers.delete(timer);
        if (!stopping) fork();
      }, delay);
      timers.add(timer);
    });
    for (let i = 0; i < count; i++) fork();
  });
  // --reload: a change under the application's directory is a SIGHUP (debounced: an editor's
  // save is several events). node_modules and dot-directories are not watched.
  if (watch !== undefined) {
    let timer: NodeJS.Timeout | undefined;
    const watcher = fsWatch(watch, { recursive: true }, (_event, file) => {
      const name = String(file ?? '');
      if (/(^|[/\\])(node_modules|\.[^/\\]+)([/\\]|$)/.test(name)) return;
      clearTimeout(timer);
      timer = setTimeout(() => reloadWorkers(`${name} changed`), 150);
    });
    watcher.on('error', () => {});
    done.then(() => watcher.close());
  }
  if (timeoutMs > 0) _heartbeat(timeoutMs, done);
  handleShutdownSignals(
    async () => {
      stop();
      await done;
    },
    {
      // A second signal: stop waiting for in-flight requests.
      force: () => {
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
      },
    },
  );
  return done;
}

/**
 * `--timeout` (gunicorn's worker timeout): the primary pings every worker a few times per
 * timeout; one whose event loop has not answered for `timeoutMs` is stuck (a busy loop, a
 * synchronous call that never returns) and is killed, then replaced like any dead worker.
 * Workers answer in `answerHeartbeat`.
 */
function _heartbeat(timeoutMs: number, done: Promise<number>): void {
  const seen = new Map<Worker, number>();
  const timer = setInterval(
    () => {
      const now = Date.now();
      for (const w of Object.values(cluster.workers ?? {})) {
        if (w === undefined || w.isDead() || !w.isConnected()) continue;
        const last = seen.get(w) ?? now;
        seen.set(w, last);
        if (now - last > timeoutMs) {
          logAt(
            'warning',
            `tsgi: worker ${w.process.pid} did not answer for ${timeoutMs} ms (--timeout); killing it\n`,
          );
          seen.delete(w);
          w.process.kill('SIGKILL');
          continue;
        }
        w.send({ tsgiPing: now });
      }
    },
    Math.max(50, Math.floor(timeoutMs / 4)),
  );
  cluster.on('message', (w, msg: unknown) => {
    if ((msg as { tsgiPong?: unknown } | null)?.tsgiPong !== undefined) seen.set(w, Date.now());
  });
  cluster.on('exit', (w) => seen.delete(w));
  done.then(() => clearInterval(timer));
}

/** In a worker: answer the primary's `--timeout` pings while the event loop runs. */
export function answerHeartbeat(): void {
  process.on('message', (msg: unknown) => {
    if ((msg as { tsgiPing?: unknown } | null)?.tsgiPing !== undefined)
      process.send?.({ tsgiPong: true });
  });
}
