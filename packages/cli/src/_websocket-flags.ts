/**
 * `tsgi serve`'s WebSocket flags (spec 20, ADP-NODE-20), named as uvicorn's so its users find
 * them: `--ws auto|none`, `--ws-max-size`, `--ws-ping-interval`, `--ws-ping-timeout`. Their own
 * file, so the serve command only spreads the flags and applies the result.
 */
import type { ServeOptions } from '@tsgi/node';
import { parseSize, UsageError } from './_args.js';

export const WS_FLAGS = {
  ws: { type: 'string' },
  'ws-max-size': { type: 'string' },
  'ws-ping-interval': { type: 'string' },
  'ws-ping-timeout': { type: 'string' },
} as const;

/** Lines for the usage's "Limits and timeouts" group. */
export const WS_FLAGS_HELP = `      --ws auto|none         offer WebSockets to the application (default auto) or not
      --ws-max-size SIZE     largest message received (default 16m); larger closes 1009
      --ws-ping-interval S   seconds between keepalive pings (default 20; 0: none)
      --ws-ping-timeout S    seconds a ping waits for its pong (default 20), then 1011`;

type _Values = { [K in keyof typeof WS_FLAGS]?: string | undefined };

function _seconds(flag: string, text: string): number {
  if (!/^[0-9]+(\.[0-9]+)?$/.test(text) || Number(text) > 86_400) {
    throw new UsageError(`${flag} must be a number of seconds up to 86400, got '${text}'`);
  }
  return Math.round(Number(text) * 1000);
}

/** The `websocket` option of `serve()` the flags ask for; undefined for the defaults. */
export function websocketOptions(values: _Values): ServeOptions['websocket'] | undefined {
  const mode = values.ws ?? 'auto';
  if (mode !== 'auto' && mode !== 'none') {
    throw new UsageError(`--ws must be auto or none, got '${mode}'`);
  }
  const limits: Exclude<ServeOptions['websocket'], false | undefined> = {};
  if (values['ws-max-size'] !== undefined) {
    limits.maxMessageSize = parseSize('--ws-max-size', values['ws-max-size']);
  }
  if (values['ws-ping-interval'] !== undefined) {
    limits.pingInterval = _seconds('--ws-ping-interval', values['ws-ping-interval']);
  }
  if (values['ws-ping-timeout'] !== undefined) {
    limits.pingTimeout = _seconds('--ws-ping-timeout', values['ws-ping-timeout']);
  }
  if (mode === 'none') {
    const given = Object.keys(WS_FLAGS).filter((f) => f !== 'ws' && values[f as keyof _Values]);
    if (given.length > 0) {
      const flags = given.map((f) => `--${f}`).join(', ');
      throw new UsageError(`--ws none with ${flags}: no WebSocket for the limits to apply to`);
    }
    return false;
  }
  return Object.keys(limits).length > 0 ? limits : undefined;
}
