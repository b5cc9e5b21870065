/**
 * A server process for the stress tests: runs the stress application over node:http or FastCGI
 * and answers the parent's IPC questions (open file descriptors, heap after GC, RSS, the
 * application's counters, unhandled rejections). Started by `spawnServer` (child.ts) with
 * `--expose-gc`; configured by the `TSGI_STRESS_CHILD` environment variable (JSON).
 */
import { readdirSync } from 'node:fs';
import type { FastCGIServerOptions } from '@tsgi/fastcgi';
import type { ServeOptions } from '@tsgi/node';
import { createStressApp } from './apps.js';

/** The child's configuration. */
export interface ChildConfig {
  transport: 'node' | 'fastcgi';
  /** Port to listen on (0: any). */
  port?: number;
  /** Adapter options (JSON-serialisable ones). */
  options?: Omit<ServeOptions, 'errors'> | Omit<FastCGIServerOptions, 'errors'>;
  /** Handle SIGTERM with a graceful close of this timeout (FastCGI; node uses `signals`). */
  sigtermTimeout?: number;
}

/** What `stats` returns. */
export interface ChildStats {
  pid: number;
  fds: number;
  heapUsed: number;
  rss: number;
  unhandledRejections: number;
  uncaughtExceptions: number;
  /** Lines written to the server's error sink. */
  errorLines: number;
  /** The last few error lines, for failure messages. */
  lastErrors: string[];
  /** FastCGI only: open connections and running requests. */
  connections?: number;
  activeRequests?: number;
  counters: ReturnType<typeof createStressApp>['counters'];
}

const config = JSON.parse(process.env.TSGI_STRESS_CHILD ?? '{}') as ChildConfig;
const { app, counters } = createStressApp();

let unhandledRejections = 0;
let uncaughtExceptions = 0;
let errorLines = 0;
const lastErrors: string[] = [];
const note = (text: string): void => {
  errorLines++;
  lastErrors.push(text.slice(0, 400));
  if (lastErrors.length > 20) lastErrors.shift();
};
// ERR-07: a server must never let an application fault become one of these. Counted, not fatal,
// so the test can report them instead of losing the process.
process.on('unhandledRejection', (reason) => {
  unhandledRejections++;
  note(`unhandledRejection: ${(reason as Error)?.stack ?? String(reason)}`);
});
process.on('uncaughtException', (err) => {
  uncaughtExceptions++;
  note(`uncaughtException: ${err.stack ?? String(err)}`);
});

const gc = (globalThis as { gc?: () => void }).gc;

async function measure(): Promise<ChildStats> {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setImmediate(r));
    gc?.();
  }
  const mem = process.memoryUsage();
  const stats: ChildStats = {
    pid: process.pid,
    fds: readdirSync('/proc/self/fd').length,
    heapUsed: mem.heapUsed,
    rss: mem.rss,
    unhandledRejections,
    uncaughtExceptions,
    errorLines,
    lastErrors: [...lastErrors],
    counters: structuredClone(counters),
  };
  return stats;
}

let close: (timeout: number) => Promise<void>;
let extra: () => Partial<ChildStats> = () => ({});
let port: number;

if (config.transport === 'fastcgi') {
  const { serveFastCGI } = await import('@tsgi/fastcgi');
  const server = await serveFastCGI(app, {
    port: config.port ?? 0,
    host: '127.0.0.1',
    ...(config.options as FastCGIServerOptions),
    errors: note,
  });
  const a = server.address;
  port = a?.kind === 'tcp' ? a.port : 0;
  close = (timeout) => server.close({ timeout });
  extra = () => ({ connections: server.connections, activeRequests: server.activeRequests });
  if (config.sigtermTimeout !== undefined) {
    const timeout = config.sigtermTimeout;
    process.once('SIGTERM', () => {
      void server.close({ timeout }).then(() => process.exit(0));
    });
  }
} else {
  const { serve } = await import('@tsgi/node');
  const handle = await serve(app, {
    port: config.port ?? 0,
    host: '127.0.0.1',
    ...(config.options as ServeOptions),
    errors: note,
  });
  port = Number(new URL(handle.url).port);
  close = (timeout) => handle.close({ timeout });
}

process.on('message', (msg: { type: string; id?: number; timeout?: number }) => {
  if (msg.type === 'counters') {
    // Cheap: no GC, for tests that only need the application's counters.
    process.send?.({
      type: 'counters',
      id: msg.id,
      stats: { counters: structuredClone(counters) },
    });
  } else if (msg.type === 'stats') {
    void measure().then((stats) =>
      process.send?.({ type: 'stats', id: msg.id, stats: { ...stats, ...extra() } }),
    );
  } else if (msg.type === 'close') {
    void close(msg.timeout ?? 1000).then(() => {
      process.send?.({ type: 'closed', id: msg.id });
      process.disconnect?.();
    });
  }
});
process.send?.({ type: 'ready', port, pid: process.pid });
