/** What every connection and request of one server shares: its configuration and counters. */
import type { Application, CgiEnvironOptions, ConfigKeys, RunOptions } from '@tsgi/core';
import type { InFlightRequest, PendingRuns } from '@tsgi/server-node';

/** A request as the shutdown log names it (BODY-24): server-node's, with its request ID. */
export interface RequestInFlight extends InFlightRequest {
  readonly id: number;
}

/** One server's configuration and server-wide counters, read by its connections and requests. */
export interface ServerContext {
  readonly app: Application;
  readonly runOptions: RunOptions;
  readonly cgiOptions: CgiEnvironOptions;
  /** SRV-03 configuration keys, checked at setup by core's `checkConfigKeys` (SRV-11). */
  readonly environ: ConfigKeys | undefined;
  readonly maxParamsSize: number;
  /** IN-08, SRV-05: undefined for no limit. */
  readonly maxBodySize: number | undefined;
  readonly maxConns: number;
  /** ADP-FCGI-24, ms. */
  readonly readTimeout: number;
  /** ADP-FCGI-24, ms. */
  readonly idleTimeout: number;
  /** ADP-FCGI-25, bytes. */
  readonly maxBufferedInput: number;
  readonly maxReqs: number;
  readonly multiplex: boolean;
  readonly multiprocess: boolean;
  /** Requests whose completion hook (or application) has not settled (SRV-09, BODY-24). */
  readonly runs: PendingRuns<RequestInFlight>;
  /** Requests running on all connections (for FCGI_MAX_REQS). */
  activeRequests: number;
  /** The server is closing: refuse new requests, close connections once idle. */
  draining: boolean;
  log(text: string): void;
}
