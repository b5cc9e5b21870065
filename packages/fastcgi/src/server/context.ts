/** What every connection and request of one server shares: its configuration and counters. */
import type { Application, CgiEnvironOptions, RunOptions } from '@tsgi/core';

/** One server's configuration and server-wide counters, read by its connections and requests. */
export interface ServerContext {
  readonly app: Application;
  readonly runOptions: RunOptions;
  readonly cgiOptions: CgiEnvironOptions;
  readonly environ: Readonly<Record<string, unknown>> | undefined;
  readonly maxParamsSize: number;
  readonly maxBodySize: number;
  readonly maxConns: number;
  readonly maxReqs: number;
  readonly multiplex: boolean;
  readonly multiprocess: boolean;
  /** Requests running on all connections (for FCGI_MAX_REQS). */
  activeRequests: number;
  /** The server is closing: refuse new requests, close connections once idle. */
  draining: boolean;
  log(text: string): void;
}
