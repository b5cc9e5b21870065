/**
 * The configuration file of the server commands (issue 23; gunicorn's `gunicorn.conf.py`,
 * php-fpm's pool files): JSON whose keys are the long flags without `--`, plus `app` for APP,
 * at the top level or under the command's name. `--config FILE` names it; without it
 * `tsgi.config.json` in the working directory is read when it exists. Flags on the command line
 * win: the file's settings go before them, and the last value of a flag is the one kept.
 *
 * ```json
 * { "app": "src/app.ts", "bind": "127.0.0.1:8000", "workers": 4, "access-log": true,
 *   "fastcgi": { "bind": "unix:/run/app.sock", "socket-mode": "660" } }
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from './_args.js';

/** The commands a configuration file applies to. */
const _SERVER_COMMANDS = new Set(['serve', 'fastcgi', 'scgi']);

/** The file's default name, looked for in the working directory. */
export const CONFIG_FILE = 'tsgi.config.json';

/**
 * `argv` with the configuration file's settings in front, as flags; `--config FILE` removed.
 * Other commands' arguments are returned as they are.
 */
export function withConfig(
  command: string,
  argv: readonly string[],
  cwd = process.cwd(),
): string[] {
  if (!_SERVER_COMMANDS.has(command)) return [...argv];
  const args = [...argv];
  let file: string | undefined;
  const at = args.findIndex((a) => a === '--config' || a.startsWith('--config='));
  if (at >= 0) {
    const arg = args[at]!;
    file = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[at + 1];
    if (file === undefined || file === '')
      throw new UsageError(`${command}: --config needs a file`);
    args.splice(at, arg.includes('=') ? 1 : 2);
  } else if (existsSync(resolve(cwd, CONFIG_FILE))) {
    file = CONFIG_FILE;
  }
  if (file === undefined) return args;
  const settings = _read(resolve(cwd, file), file);
  const section = settings[command];
  const merged: Record<string, unknown> = { ...settings };
  for (const name of _SERVER_COMMANDS) delete merged[name];
  if (section !== undefined) {
    if (typeof section !== 'object' || section === null || Array.isArray(section))
      throw new UsageError(`${file}: "${command}" must be an object of settings`);
    Object.assign(merged, section);
  }
  const front: string[] = [];
  let app: string | undefined;
  for (const [key, value] of Object.entries(merged)) {
    if (key === 'app') {
      if (typeof value !== 'string') throw new UsageError(`${file}: "app" must be a string`);
      app = value;
    } else if (value === true) front.push(`--${key}`);
    else if (value === false || value === null) continue;
    else if (typeof value === 'string' || typeof value === 'number')
      front.push(`--${key}`, String(value));
    else throw new UsageError(`${file}: "${key}" must be a string, a number or a boolean`);
  }
  // APP from the file only when the command line gives none (its first non-flag word).
  const hasApp = args.some((a, i) => !a.startsWith('-') && (i === 0 || !_takesValue(args[i - 1]!)));
  if (app !== undefined && !hasApp) front.unshift(app);
  return [...front, ...args];
}

/** A flag followed by its value (`--bind ADDR`), as opposed to a boolean flag. */
function _takesValue(flag: string): boolean {
  return flag.startsWith('-') && !flag.includes('=') && !_BOOLEAN.has(flag);
}

const _BOOLEAN = new Set([
  '--access-log',
  '--expose-errors',
  '--reload',
  '--no-multiplex',
  '-h',
  '--help',
]);

function _read(path: string, name: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${name}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${name}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new UsageError(`${name}: must be a JSON object of settings`);
  return value as Record<string, unknown>;
}
