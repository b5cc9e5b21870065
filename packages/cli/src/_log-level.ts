/**
 * `--log-level` (gunicorn's levels): which of tsgi's own messages are written. `info`: start-up
 * lines and worker changes (reloads, recycling, TTIN/TTOU); `warning`: workers that died or were
 * killed; `error`: the server's error log (the engine's lines and what the application writes to
 * `tsgi.errors`); `critical`: nothing but failures to start, which are always written. `debug`
 * is `info` plus the full stack of an APP that fails to load (as `TSGI_DEBUG`). Default `info`.
 */
import { UsageError } from './_args.js';

/** The levels, least severe first. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

let _threshold = 1; // info

/** Sets the level from `--log-level` (a usage error for anything else). */
export function setLogLevel(value: string | undefined): void {
  if (value === undefined) return;
  const i = LOG_LEVELS.indexOf(value as LogLevel);
  if (i < 0)
    throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  _threshold = i;
  if (value === 'debug') process.env.TSGI_DEBUG ??= '1';
}

/** Whether messages of `level` are written. */
export function logs(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= _threshold;
}

/** Writes `text` (a whole line) to standard error when `level` is written. */
export function logAt(level: LogLevel, text: string): void {
  if (logs(level)) process.stderr.write(text);
}
