/**
 * The `tsgi` commands, listed in one place. Each lives in `./<name>.js` and is imported only
 * when invoked, so `tsgi cgi` never loads node:http. A command module exports:
 *
 * ```ts
 * export const summary: string;   // one line for `tsgi --help`
 * export const usage: string;     // the full text for `tsgi <command> --help`
 * export function run(argv: string[]): Promise<number | void>;  // resolves to the exit code
 * ```
 * Throw `UsageError` (from `../_args.js`) for a usage mistake: exit code 2, one line.
 */
export const COMMANDS = ['serve', 'fastcgi', 'scgi', 'cgi', 'build'] as const;

/** A command name. */
export type CommandName = (typeof COMMANDS)[number];

/** What a command module exports. */
export interface CommandModule {
  readonly summary: string;
  readonly usage: string;
  run(argv: string[]): Promise<number | void>;
}

/** True when `name` is a known command. */
export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}
