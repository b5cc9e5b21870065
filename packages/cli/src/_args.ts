/**
 * Argument helpers shared by every `tsgi` command: one error class for usage mistakes
 * (exit code 2, one line on stderr), a strict `node:util` parseArgs wrapper, and parsers for
 * `--bind` and numeric options.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { isDigits } from '@tsgi/core';
import type { UnixSocketOptions } from '@tsgi/server-node';

/** The `options` of a `parseArgs` config. */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

type _Config<O extends OptionsConfig> = {
  args: string[];
  options: O;
  allowPositionals: true;
  strict: true;
};

/** A mistake in how tsgi was invoked. `main` prints `tsgi: <message>` and exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The first line of an error's message, for one-line diagnostics. */
export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).trim();
}

/** With `TSGI_DEBUG` set, prints the whole error (the stack of an APP that failed to load). */
export function printDebugStack(err: unknown): void {
  if (process.env.TSGI_DEBUG) console.error(err);
}

/**
 * `parseArgs` in strict mode with positionals allowed; unknown options and missing values
 * become `UsageError`s prefixed with the command name.
 */
export function parseCommandArgs<const O extends OptionsConfig>(
  command: string,
  argv: readonly string[],
  options: O,
): ReturnType<typeof parseArgs<_Config<O>>> {
  try {
    return parseArgs<_Config<O>>({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new UsageError(`${command}: ${_explain(err, options)} (see 'tsgi ${command} --help')`);
  }
}

/** What users of gunicorn, uvicorn or php-fpm type, and the tsgi flag that does it. */
const _FAMILIAR: Readonly<Record<string, string>> = {
  '--port': '--bind 127.0.0.1:PORT',
  '-p': '--bind 127.0.0.1:PORT',
  '--host': '--bind HOST:PORT',
  '--listen': '--bind',
  '--socket': '--bind unix:PATH',
  '--uds': '--bind unix:PATH',
  '--threads': '--workers',
  '--concurrency': '--workers',
  '--graceful-timeout': '--shutdown-timeout',
  '--limit-max-requests': '--max-conns',
  '--timeout-keep-alive': '--keep-alive',
};

/**
 * node's parseArgs messages, reworded for a terminal: an unknown option names the closest flag
 * this command has (or the one gunicorn/uvicorn users mean); a value that starts with `-` is said
 * to be missing, not "ambiguous".
 */
function _explain(err: unknown, options: OptionsConfig): string {
  const e = err as { code?: string; message?: string };
  const quoted = /'(-[^']*)'/.exec(e.message ?? '')?.[1];
  if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && quoted !== undefined) {
    const name = quoted.split('=')[0]!;
    const hint =
      _FAMILIAR[name] ??
      _closest(
        name,
        Object.keys(options).map((k) => `--${k}`),
      );
    return `unknown option ${name}${hint === undefined ? '' : `; did you mean ${hint}?`}`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /ambiguous/.test(e.message ?? '')) {
    const flag = /'(?:-\w, )?(--[\w-]+)/.exec(e.message ?? '')?.[1] ?? 'an option';
    return `${flag} needs a value, and a value cannot start with '-' (write ${flag}=VALUE to pass one that does)`;
  }
  if (e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /'(?:-\w, )?(--[\w-]+)/.exec(e.message ?? '')?.[1];
    if (flag !== undefined) return `${flag} needs a value`;
  }
  return firstLine(err);
}

/** The flag within edit distance 2 of `name`, if exactly one is closest. */
function _closest(name: string, flags: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const flag of flags) {
    const d = _distance(name, flag);
    if (d < bestDistance) [best, bestDistance] = [flag, d];
  }
  return best;
}

function _distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(
        row[j]! + 1,
        next[j - 1]! + 1,
        row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    row = next;
  }
  return row[b.length]!;
}

/** Where to listen: a TCP host and port, or a unix socket path. */
export type Bind = { readonly host: string; readonly port: number } | { readonly path: string };

/** The default bind address: loopback only. Binding elsewhere is the user's explicit choice. */
export const DEFAULT_BIND = '127.0.0.1:8000';

/**
 * Parses `HOST:PORT`, `[IPV6]:PORT`, `:PORT` (127.0.0.1), `PORT`, `HOST` (port 8000) or
 * `unix:PATH`. Throws `UsageError` on anything else.
 */
export function parseBind(text: string): Bind {
  if (text.startsWith('unix:')) {
    const path = text.slice(5);
    if (path === '') throw new UsageError(`--bind ${text}: missing socket path after 'unix:'`);
    return { path };
  }
  let host: string;
  let portText: string;
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end < 0) throw new UsageError(`--bind ${text}: missing ']' after the IPv6 address`);
    host = text.slice(1, end);
    const rest = text.slice(end + 1);
    if (rest === '') portText = '8000';
    else if (rest.startsWith(':')) portText = rest.slice(1);
    else throw new UsageError(`--bind ${text}: expected ':PORT' after ']'`);
  } else {
    const colon = text.indexOf(':');
    if (colon !== text.lastIndexOf(':')) {
      throw new UsageError(`--bind ${text}: put an IPv6 address in brackets, e.g. [::1]:8000`);
    }
    if (colon < 0) {
      if (isDigits(text)) [host, portText] = ['127.0.0.1', text];
      else [host, portText] = [text, '8000'];
    } else {
      host = text.slice(0, colon) || '127.0.0.1';
      portText = text.slice(colon + 1);
    }
  }
  if (host === '') throw new UsageError(`--bind ${text}: missing host`);
  return { host, port: parseInteger(`--bind ${text}: port`, portText, 0, 65535) };
}

/** Parses a decimal integer within [min, max], or throws `UsageError` naming `what`. */
export function parseInteger(what: string, text: string, min: number, max: number): number {
  if (!isDigits(text)) throw new UsageError(`${what} must be a whole number, got '${text}'`);
  const n = Number(text);
  if (n < min || n > max)
    throw new UsageError(`${what} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Parses a byte size: `1048576`, `512k`, `10m`, `1g` (binary multiples). */
export function parseSize(what: string, text: string): number {
  const m = /^([0-9]+)([kmg]?)b?$/i.exec(text);
  if (m === null)
    throw new UsageError(`${what} must be a size like 1048576, 512k or 10m, got '${text}'`);
  const unit = m[2]!.toLowerCase();
  return (
    Number(m[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1)
  );
}

/** The help lines of the flags every server command shares (`serve`, `fastcgi`, `scgi`). */
export const SERVER_FLAGS_HELP = `      --config FILE          settings from a JSON file, flags without '--' as keys, and
                             "app" (default: ./tsgi.config.json when it exists)
      --shutdown-timeout MS  on SIGTERM/SIGINT, time for in-flight requests (default 10000)
      --expose-errors        put stack traces in 500 responses (development only)
      --socket-mode MODE     with unix:PATH, the socket file's mode (e.g. 660, so that the
                             web server's group can connect)
      --socket-owner USER    with unix:PATH, the socket file's owner (name or uid; root only)
      --socket-group GROUP   with unix:PATH, the socket file's group (name or gid)
      --log-level LEVEL      debug, info (default), warning, error or critical: which of
                             tsgi's own messages are written (error: only the error log)
  -h, --help                 show this help

Exit status: 0 after a graceful shutdown on SIGTERM/SIGINT, 1 on failure, 2 on a usage
error, 128+N when a second signal N forced the exit (130 for SIGINT, 143 for SIGTERM).`;

/** The flags every server command (`serve`, `fastcgi`) takes, for `parseCommandArgs`. */
export const SERVER_FLAGS = {
  bind: { type: 'string', short: 'b' },
  workers: { type: 'string', short: 'w' },
  'script-name': { type: 'string' },
  'max-body-size': { type: 'string' },
  'shutdown-timeout': { type: 'string' },
  'expose-errors': { type: 'boolean' },
  'socket-mode': { type: 'string' },
  'socket-owner': { type: 'string' },
  'socket-group': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies OptionsConfig;

/** What the shared flags of a server command say, checked. */
export interface ServerArgs {
  /** The APP argument. */
  spec: string;
  workers: number;
  scriptName?: string;
  maxBodySize?: number;
  shutdownTimeout?: number;
  exposeErrors?: true;
  /** `--log-level`, checked by `setLogLevel` (_log-level.ts). */
  logLevel?: string;
  /** `--socket-mode`, `--socket-owner`, `--socket-group`: for a `unix:PATH` bind. */
  socket: UnixSocketOptions;
}

/**
 * Checks the positional APP and the shared flags of a server command; throws `UsageError` with
 * a one-line message naming the problem.
 */
export function parseServerArgs(
  command: string,
  values: { [K in keyof typeof SERVER_FLAGS]?: string | boolean | undefined },
  positionals: readonly string[],
): ServerArgs {
  if (positionals.length === 0)
    throw new UsageError(`${command}: missing APP (see 'tsgi ${command} --help')`);
  if (positionals.length > 1)
    throw new UsageError(`${command}: unexpected argument '${positionals[1]}'`);
  const out: ServerArgs = {
    spec: positionals[0]!,
    workers:
      values.workers === undefined ? 1 : parseInteger('--workers', String(values.workers), 1, 256),
    socket: {},
  };
  const scriptName = values['script-name'];
  if (typeof scriptName === 'string') {
    if (!scriptName.startsWith('/'))
      throw new UsageError(`--script-name must start with '/', got '${scriptName}'`);
    out.scriptName = scriptName;
  }
  const maxBody = values['max-body-size'];
  if (typeof maxBody === 'string') out.maxBodySize = parseSize('--max-body-size', maxBody);
  const timeout = values['shutdown-timeout'];
  if (typeof timeout === 'string')
    out.shutdownTimeout = parseInteger('--shutdown-timeout', timeout, 0, 86_400_000);
  if (values['expose-errors'] === true) out.exposeErrors = true;
  const level = values['log-level'];
  if (typeof level === 'string') out.logLevel = level;
  // Checked by listen() before it binds (a bad one is a usage error: "cannot listen on ...").
  const mode = values['socket-mode'];
  if (typeof mode === 'string') out.socket.socketMode = mode;
  const owner = values['socket-owner'];
  if (typeof owner === 'string') out.socket.socketOwner = owner;
  const group = values['socket-group'];
  if (typeof group === 'string') out.socket.socketGroup = group;
  const bind = values.bind;
  if (Object.keys(out.socket).length > 0 && !(typeof bind === 'string' && bind.startsWith('unix:')))
    throw new UsageError('--socket-mode, --socket-owner and --socket-group need --bind unix:PATH');
  return out;
}
