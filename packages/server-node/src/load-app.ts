/**
 * `loadApp`: turns an APP argument into an `Application`. APP is a module path (`app.js`,
 * `./src/app.mjs`, `examples/hello/app.ts`), a `file:` URL or a package specifier resolved from
 * the working directory (`@scope/pkg/sub`), optionally followed by `:exportName`; the export is
 * picked by the one rule of `app-export.ts`. Every failure is an `AppLoadError` with a one-line
 * message naming the problem.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Application } from '@tsgi/core';
import {
  AppLoadError,
  type FetchHandler,
  fetchHandlerOf,
  loadFailure,
  type NodeRequestListener,
  nodeHandlerOf,
  pickApplication,
  splitAppSpec,
} from './app-export.js';

/** Options for {@link loadApp}. */
export interface LoadAppOptions {
  /** Where relative paths and package specifiers are resolved from. Default `process.cwd()`. */
  cwd?: string | undefined;
  /**
   * Imports what a plain `import()` cannot: a TypeScript file (`.ts`, `.mts`, `.cts`), and a
   * package whose `exports` match only the `import` condition, resolved from `parentURL`. The
   * `tsgi` command passes tsx's `tsImport`. Without it, TypeScript files go to `import()` (a
   * Node.js with type stripping runs them) and such packages are an `AppLoadError`.
   */
  importModule?: ((specifier: string, parentURL: string) => Promise<unknown>) | undefined;
  /**
   * Serves a module whose export is a fetch handler, an object with a `fetch(request)` method
   * (`export default { fetch }`, the Workers, Bun and Hono shape), where no TSGI application is
   * found: this turns it into one (the `tsgi` command passes `@tsgi/fetch`'s `fromFetch`).
   * Without it such a module is an `AppLoadError` that says how to serve it.
   */
  fromFetchHandler?: ((handler: FetchHandler) => Application | Promise<Application>) | undefined;
  /**
   * Serves a module whose export is a node framework's app (Express, Connect, Koa), recognised
   * before the export rule (an Express app is a function too): this turns its `(req, res)`
   * listener into a TSGI application (the `tsgi` command passes `@tsgi/node-bridge`'s
   * `fromNodeHandler`). Without it such a module is taken as the export rule says.
   */
  fromNodeHandler?:
    | ((listener: NodeRequestListener) => Application | Promise<Application>)
    | undefined;
}

const _TS = /\.[cm]?ts$/;

/**
 * `file:line:column` of the syntax error in a JavaScript file, or undefined. Node.js reports a
 * syntax error in an imported module without its location (issue 23: "missing ) after argument
 * list" and nothing else, even with TSGI_DEBUG); its syntax check prints it, with a caret under
 * the column. Only on the failure path, so the extra process costs nothing when the app loads.
 */
export function syntaxErrorLocation(file: string): string | undefined {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.bun !== undefined || versions.deno !== undefined || !/\.[cm]?js$/.test(file))
    return undefined;
  // As the file's own module type says, then as ES module (an .js file without "type": "module"
  // that uses import/export is checked as CommonJS first and passes).
  for (const args of [['--check'], ['--experimental-default-type=module', '--check']]) {
    const r = spawnSync(process.execPath, [...args, file], { encoding: 'utf8', timeout: 10_000 });
    const m = /^(.+):(\d+)\n.*\n( *)\^/m.exec(r.stderr ?? '');
    if (r.status !== 0 && m !== null) return `${m[1]}:${m[2]}:${m[3]!.length + 1}`;
  }
  return undefined;
}

/** The absolute file the module part of APP names (or an ESM-only package specifier as is). */
export function resolveAppModule(spec: string, cwd: string = process.cwd()): string {
  if (spec === '') throw new AppLoadError('APP is empty');
  if (spec.startsWith('file:')) return fileURLToPath(spec);
  const explicit =
    isAbsolute(spec) || spec.startsWith('./') || spec.startsWith('../') || spec === '.';
  const asPath = resolve(cwd, spec);
  if (explicit || existsSync(asPath)) {
    if (!existsSync(asPath))
      throw new AppLoadError(`cannot find application module ${spec} (no file ${asPath})`);
    if (!statSync(asPath).isDirectory()) return asPath;
  }
  try {
    // CommonJS resolution from cwd handles paths to directories, bare packages and subpaths
    // whose exports have a "default" or "require" condition (ESM-only exports: see loadApp).
    return createRequire(join(cwd, 'noop.js')).resolve(explicit ? asPath : spec);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return spec; // let the ESM resolver try
    throw new AppLoadError(`cannot find application module ${spec} (from ${cwd})`);
  }
}

/** Loads APP and returns its application under the export rule. */
export async function loadApp(spec: string, options: LoadAppOptions = {}): Promise<Application> {
  const cwd = options.cwd ?? process.cwd();
  const { module, exportName } = splitAppSpec(spec);
  const target = resolveAppModule(module, cwd);
  const importModule = options.importModule;
  let ns: Record<string, unknown>;
  try {
    if (!isAbsolute(target)) {
      // A package whose exports only match ESM conditions: resolve it as `import` would, from cwd.
      if (importModule === undefined) {
        throw new AppLoadError(
          `cannot load ${module}: its package exports it for import only; give its file path`,
        );
      }
      ns = (await importModule(target, pathToFileURL(join(cwd, 'noop.js')).href)) as typeof ns;
    } else if (_TS.test(target) && importModule !== undefined) {
      ns = (await importModule(pathToFileURL(target).href, import.meta.url)) as typeof ns;
    } else {
      ns = await import(pathToFileURL(target).href);
    }
  } catch (err) {
    const where =
      err instanceof SyntaxError && isAbsolute(target) ? syntaxErrorLocation(target) : undefined;
    throw loadFailure(module, err, where);
  }
  const listener = options.fromNodeHandler && nodeHandlerOf(ns, exportName);
  if (listener) return options.fromNodeHandler!(listener);
  try {
    return pickApplication(ns, module, exportName);
  } catch (err) {
    const handler = fetchHandlerOf(ns, exportName);
    if (handler === undefined || options.fromFetchHandler === undefined) throw err;
    return options.fromFetchHandler(handler);
  }
}

export type { FetchHandler };
