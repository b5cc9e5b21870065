/**
 * The one rule for finding the application in a module (issue 17: it was `default` or `app` in
 * the CGI runner and bundler, `default` only in the CLI):
 *
 * 1. `module:name` names the export; it must be a function.
 * 2. Without a name: the `default` export when it is a function, else an export named `app`
 *    when it is a function.
 * 3. Otherwise an {@link AppLoadError} that lists what the module does export.
 *
 * A CommonJS module's `module.exports` is its default export and its properties count as named
 * exports, so `exports.app = ...` and TypeScript's compiled `exports.default = ...` are found.
 *
 * No runtime imports: the CGI bundles inline this file, and a CGI request pays for every module
 * it loads (ADP-CGI-16).
 * @module
 */
import type { Application } from '@tsgi/core';

/** A module that cannot be found, fails to load, or holds no application under the rule. */
export class AppLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppLoadError';
  }
}

/** The names tried, in order, when APP names no export. */
export const APP_EXPORTS = ['default', 'app'] as const;

/** APP split into its module part and the export it names (`undefined`: the rule decides). */
export interface AppSpec {
  module: string;
  exportName: string | undefined;
}

const _IDENT = /^[A-Za-z_$][\w$]*$/;

/**
 * Splits `module:exportName`. Only a trailing JavaScript identifier after the last colon names
 * an export, so `C:\app.js`, `file:///srv/app.js` and `unix:...`-like paths stay whole.
 */
export function splitAppSpec(spec: string): AppSpec {
  const colon = spec.lastIndexOf(':');
  if (colon > 0 && _IDENT.test(spec.slice(colon + 1)) && !spec.slice(0, colon).endsWith('file')) {
    return { module: spec.slice(0, colon), exportName: spec.slice(colon + 1) };
  }
  return { module: spec, exportName: undefined };
}

/** `ns[name]`, looking into a CommonJS `module.exports` (the default export) as well. */
function _exported(ns: Readonly<Record<string, unknown>>, name: string): unknown {
  const value = ns[name];
  const cjs = ns.default;
  if (name === 'default') {
    // TypeScript compiled to CommonJS: `exports.default = app` arrives as default.default.
    const inner = _isObject(value) ? (value as { default?: unknown }).default : undefined;
    return typeof value !== 'function' && typeof inner === 'function' ? inner : value;
  }
  if (value === undefined && _isObject(cjs)) return (cjs as Record<string, unknown>)[name];
  return value;
}

function _isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function _kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** `default (object), named (function)`: what a module exports, for error messages. */
export function describeExports(ns: Readonly<Record<string, unknown>>): string {
  const names = Object.keys(ns);
  if (names.length === 0) return 'nothing';
  const shown = names.slice(0, 20).map((n) => `${n} (${_kind(ns[n])})`);
  return names.length > 20 ? `${shown.join(', ')}, ...` : shown.join(', ');
}

/**
 * The application in module namespace `ns` under the export rule; `module` names the module in
 * error messages. Throws {@link AppLoadError}.
 */
export function pickApplication(
  ns: Readonly<Record<string, unknown>>,
  module: string,
  exportName?: string | undefined,
): Application {
  if (exportName !== undefined) {
    const value = _exported(ns, exportName);
    if (value === undefined) {
      throw new AppLoadError(
        `${module} has no export '${exportName}'; it exports ${describeExports(ns)}`,
      );
    }
    if (typeof value !== 'function') {
      throw new AppLoadError(
        `${module}: export '${exportName}' is not a function (got ${_kind(value)}); an application is (environ, startResponse) => body`,
      );
    }
    return value as Application;
  }
  for (const name of APP_EXPORTS) {
    const value = _exported(ns, name);
    if (typeof value === 'function') return value as Application;
  }
  if (fetchHandlerOf(ns, undefined) !== undefined) {
    throw new AppLoadError(
      `${module}: its default export is a fetch handler ({ fetch }), not a TSGI application; wrap it with fromFetch from @tsgi/fetch, or serve it with the tsgi command, which does`,
    );
  }
  throw new AppLoadError(
    `${module} exports no application: neither its default export nor an export named 'app' is a function; it exports ${describeExports(ns)} (name one with ${module}:<export>)`,
  );
}

/** A node `(req, res)` request listener: what Express, Connect and `koa.callback()` are. */
export type NodeRequestListener = (req: unknown, res: unknown) => unknown;

/**
 * The node request listener the export stands for, when it is a node framework's app rather
 * than a TSGI application: an Express or Connect app (a function with `handle` and `use`), or a
 * Koa app (an object with `callback()` and `use`), whose listener is `app.callback()`. Both look
 * like a two-argument function to the export rule, so they are recognised first.
 */
export function nodeHandlerOf(
  ns: Readonly<Record<string, unknown>>,
  exportName: string | undefined,
): NodeRequestListener | undefined {
  const value =
    _exported(ns, exportName ?? 'default') ??
    (exportName === undefined ? _exported(ns, 'app') : undefined);
  if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
    return undefined;
  const v = value as { handle?: unknown; use?: unknown; callback?: unknown };
  if (typeof v.use !== 'function') return undefined;
  if (typeof value === 'function' && typeof v.handle === 'function')
    return value as NodeRequestListener; // Express, Connect
  if (typeof v.callback === 'function')
    return (v.callback as () => NodeRequestListener).call(value); // Koa
  return undefined;
}

/** `{ fetch(request) }`: an application in the fetch style (Workers, Bun, Hono). */
export interface FetchHandler {
  fetch(request: Request, ...rest: unknown[]): Response | Promise<Response>;
}

/**
 * The fetch handler `module:name` names, or the default export, when it is an object with a
 * `fetch` method (`export default { fetch }`, `export default app` of Hono), else undefined.
 */
export function fetchHandlerOf(
  ns: Readonly<Record<string, unknown>>,
  exportName: string | undefined,
): FetchHandler | undefined {
  const value = _exported(ns, exportName ?? 'default');
  if (value === null || (typeof value !== 'object' && typeof value !== 'function'))
    return undefined;
  const fetch = (value as { fetch?: unknown }).fetch;
  if (typeof fetch !== 'function') return undefined;
  return value as FetchHandler;
}

/** The first line of an error's message, for one-line diagnostics. */
function _firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  const nl = text.indexOf('\n');
  return (nl < 0 ? text : text.slice(0, nl)).trim();
}

/**
 * The {@link AppLoadError} for a module that failed to load or threw while it ran. `where`
 * (`file:line:column`) is appended when the caller found it (a syntax error's location, which
 * Node.js keeps out of an imported module's error). A TypeScript compiler's "Transform failed
 * with 1 error:" is replaced by the error it announces, which names file, line and column.
 */
export function loadFailure(module: string, err: unknown, where?: string): AppLoadError {
  if (err instanceof AppLoadError) return err;
  const name = err instanceof Error ? err.name : 'Error';
  let text = _firstLine(err);
  if (/ failed with \d+ errors?:$/.test(text)) {
    const next = (err as Error).message.split('\n')[1]?.trim();
    if (next) text = next.replace(': ERROR: ', ': ');
  }
  const at = where === undefined ? '' : ` (${where})`;
  return new AppLoadError(`cannot load ${module}: ${name}: ${text}${at}`, { cause: err });
}
