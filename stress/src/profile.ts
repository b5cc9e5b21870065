/**
 * Stress profiles: `short` (the default, part of `pnpm test`, the whole suite under 60 s on a
 * 2-core machine) and `full` (`pnpm test:stress`, a few minutes). Every loop in the suite takes
 * its count from here, so each is bounded, and stops by itself.
 */

/** The profile in force: `TSGI_STRESS_PROFILE=full` or (default) `short`. */
export const profileName: 'short' | 'full' =
  process.env.TSGI_STRESS_PROFILE === 'full' ? 'full' : 'short';

const _short = {
  /** Clients that vanish mid-response, per transport. */
  disconnects: 500,
  /** Concurrent clients during a disconnect storm. */
  disconnectConcurrency: 25,
  /** Repetitions of each app fault. */
  faultRepeats: 15,
  /** Mutated FastCGI record streams pushed through the connection state machine in-process. */
  fuzzInProcess: 20_000,
  /** Mutated FastCGI streams sent over real sockets. */
  fuzzSockets: 200,
  /** Connections opened at once against `maxConns`. */
  connFlood: 60,
  /** Requests in flight when SIGTERM arrives. */
  shutdownInFlight: 50,
  /** Steady-load duration around a backend kill / worker crash, in ms. */
  loadMs: 2000,
  /** Concurrent clients of the steady load. */
  loadConcurrency: 6,
  /** Variables in the huge CGI environment. */
  cgiVariables: 1000,
  /** FastCGI connections stalled inside a record header (ADP-FCGI-24; the audit used 1024). */
  stalledPeers: 64,
  /** STDIN offered for a request that never reads (ADP-FCGI-25; the audit sent 768 MiB). */
  stdinFloodBytes: 64 * 1024 * 1024,
  /** Slowloris connections against `maxConnections` (SRV-06, SRV-08). */
  slowloris: 64,
};

const _full: typeof _short = {
  disconnects: 10_000,
  disconnectConcurrency: 50,
  faultRepeats: 200,
  fuzzInProcess: 1_000_000,
  fuzzSockets: 5_000,
  connFlood: 400,
  shutdownInFlight: 200,
  loadMs: 10_000,
  loadConcurrency: 12,
  cgiVariables: 1000,
  stalledPeers: 1024,
  stdinFloodBytes: 768 * 1024 * 1024,
  slowloris: 1000,
};

/** The counts of the profile in force. */
export const profile: Readonly<typeof _short> = profileName === 'full' ? _full : _short;

/** A per-test timeout (ms) scaled to the profile: `short` for the short profile. */
export function timeoutFor(shortMs: number, fullMs: number): number {
  return profileName === 'full' ? fullMs : shortMs;
}

/**
 * Prints one parseable figures line, `STRESS <name> profile=<p> key=value ...`, for the notes.
 * Values with spaces are JSON-quoted.
 */
export function report(name: string, figures: Record<string, string | number | boolean>): void {
  const parts = [`STRESS ${name}`, `profile=${profileName}`];
  for (const [k, v] of Object.entries(figures)) {
    const s = String(v);
    parts.push(`${k}=${/[\s"]/.test(s) ? JSON.stringify(s) : s}`);
  }
  console.log(parts.join(' '));
}
