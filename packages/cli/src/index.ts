/**
 * `@tsgi/cli`: the `tsgi` command. The helpers are exported for the command modules and for
 * programs that want to load an application the way `tsgi` does.
 * @module
 */
export { loadApp, resolveAppModule, splitAppSpec } from './_app.js';
export {
  type Bind,
  DEFAULT_BIND,
  firstLine,
  parseBind,
  parseCommandArgs,
  parseInteger,
  parseSize,
  UsageError,
} from './_args.js';
export { CONFIG_FILE, withConfig } from './_config.js';
export { COMMANDS, type CommandModule, type CommandName, isCommand } from './commands/index.js';
export { main } from './main.js';
