/**
 * `tsgi <command> [args]`: dispatches to `./commands/<command>.js`, imported on demand.
 * Usage mistakes print one line, `tsgi: <message>`, and exit with code 2.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from './_args.js';
import { withConfig } from './_config.js';
import { COMMANDS, type CommandModule, type CommandName, isCommand } from './commands/index.js';

function _version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Imports a command module, or `undefined` if it is not part of this build. */
export async function loadCommand(name: CommandName): Promise<CommandModule | undefined> {
  const url = new URL(`./commands/${name}.js`, import.meta.url);
  try {
    return (await import(url.href)) as CommandModule;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { url?: string };
    // Only the command module itself missing means "not available"; a module it imports that
    // is missing is a real error.
    if (
      e.code === 'ERR_MODULE_NOT_FOUND' &&
      (e.url === url.href || e.message.includes(fileURLToPath(url)))
    ) {
      return undefined;
    }
    throw err;
  }
}

async function _usage(): Promise<string> {
  const lines = [
    'Usage: tsgi <command> [options]',
    '',
    'Serve a TSGI application (a function (environ, startResponse) => body).',
    '',
    'Commands:',
  ];
  for (const name of COMMANDS) {
    const mod = await loadCommand(name).catch(() => undefined);
    lines.push(
      `  ${name.padEnd(9)}${mod === undefined ? '(not available in this build)' : mod.summary}`,
    );
  }
  lines.push(
    '',
    'Options:',
    '  -h, --help     show this help',
    '  -V, --version  print the version',
    '',
    "Run 'tsgi <command> --help' for a command's options.",
    '',
  );
  return lines.join('\n');
}

/** Runs the CLI and resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined) {
      process.stderr.write(await _usage());
      return 2;
    }
    if (command === '--help' || command === '-h' || command === 'help') {
      const topic = rest[0];
      if (topic !== undefined && isCommand(topic)) return await _commandHelp(topic);
      process.stdout.write(await _usage());
      return 0;
    }
    if (command === '--version' || command === '-V') {
      process.stdout.write(`tsgi ${_version()}\n`);
      return 0;
    }
    if (!isCommand(command)) {
      throw new UsageError(
        `unknown command '${command}' (commands: ${COMMANDS.join(', ')}; see 'tsgi --help')`,
      );
    }
    // Only right after the command: later arguments are the command's (a CGI request's query
    // can become arguments, ADP-CGI-12); commands accept --help elsewhere themselves.
    if (rest[0] === '--help' || rest[0] === '-h') return await _commandHelp(command);
    const mod = await loadCommand(command);
    if (mod === undefined) throw new UsageError(`command '${command}' is not available`);
    const code = await mod.run(withConfig(command, rest));
    return typeof code === 'number' ? code : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`tsgi: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(
      `tsgi: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

async function _commandHelp(name: CommandName): Promise<number> {
  const mod = await loadCommand(name);
  if (mod === undefined) throw new UsageError(`command '${name}' is not available`);
  process.stdout.write(mod.usage.endsWith('\n') ? mod.usage : `${mod.usage}\n`);
  return 0;
}
