/** What every connection of one SCGI server shares: its configuration and counters. */
import type { Application, CgiEnvironOptions, ConfigKeys, RunOptions } from '@tsgi/core';
import type { InFlightRequest, PendingRuns } from '@tsgi/server-node';

/** One server's configuration, read by its connections. */
export interface ServerContext {
  readonly app: Application;
  readonly runOptions: RunOptions;
  readonly cgiOptions: CgiEnvironOptions;
  /** SRV-03 configuration keys, checked at setup by core's `checkConfigKeys` (SRV-11). */
  readonly environ: ConfigKeys | undefined;
  readonly maxHeaderSize: number;
  /** IN-08, SRV-05: undefined for no limit. */
  readonly maxBodySize: number | undefined;
  readonly readTimeout: number;
  readonly multiprocess: boolean;
  /** Requests whose completion hook (or application) has not settled (SRV-09, BODY-24). */
  readonly runs: PendingRuns<InFlightRequest>;
  log(text: string): void;
  /** The connection has closed: the server forgets it. */
  connectionClosed(conn: object): void;
}
