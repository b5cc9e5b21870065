/**
 * `tsgi cgi APP` under a web server: the one request of this process. Each CGI request is a new
 * Node process, so start-up is the whole cost (ADP-CGI-16). The build bundles this file with
 * `@tsgi/cgi` and `@tsgi/core` into the CommonJS `dist/_cgi-request.bundle.cjs`, one file
 * instead of about twenty, and `bin/tsgi.cjs` runs that bundle from V8's code cache without the
 * rest of the CLI (bench: `tsgi cgi` 1.66 -> about 1.02 of a bare node script).
 *
 * A JavaScript file path is imported here, or required when it is `.cjs` (so a CommonJS APP
 * starts without Node's ESM loader, as a bare CommonJS script does); anything else
 * (TypeScript through tsx, a package specifier, a path that is not found) goes through the full
 * `loadApp`, so the behaviour and the error messages are those of every other command.
 */

// In the CommonJS bundle these are plain requires of modules Node's loader has already loaded.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCGI, stripHttpProxy } from '@tsgi/cgi';
import type { Application } from '@tsgi/core';
import {
  AppLoadError,
  loadFailure,
  pickApplication,
  splitAppSpec,
} from '@tsgi/server-node/app-export';
import { firstLine, printDebugStack } from './_args.js';

const _PLAIN_JS = /\.(?:m?js|cjs)$/;

/**
 * How APP is loaded. `bin/tsgi.cjs` passes its own: it runs the bundle from V8's code cache,
 * and a script compiled from cached data cannot call import() itself on Node 20 (the host
 * options import() needs are not restored: ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING).
 */
export interface AppLoaders {
  /** import() of an absolute file: URL. */
  import(url: string): Promise<unknown>;
  /** require() of an absolute path (a CommonJS APP), where there is one. */
  require?: ((path: string) => unknown) | undefined;
  /** The full loader (`loadApp` of dist/_app.js): TypeScript, package specifiers, errors. */
  loadApp(spec: string): Promise<Application>;
}

const _LOADERS: AppLoaders = {
  import: (url) => import(url),
  // Only in the CommonJS bundle; the ES module build (no bundle) has no `require`.
  require: typeof require === 'function' ? require : undefined,
  async loadApp(spec) {
    // A computed specifier, so the bundler leaves the full loader (and tsx) out of the bundle.
    const full = './_app.js';
    const { loadApp, warnTypeScriptUnderCgi } = (await import(full)) as typeof import('./_app.js');
    warnTypeScriptUnderCgi(spec);
    return loadApp(spec);
  },
};

/** Handles the request; resolves to the process exit status (see `runCGI`). */
export async function runCgiRequest(
  argv: readonly string[],
  loaders: AppLoaders = _LOADERS,
): Promise<number> {
  // ADP-CGI-04: before any application code is loaded.
  stripHttpProxy();
  // ADP-CGI-12: APP is the first argument; nothing after it is read (Apache turns a query
  // without `=` into arguments).
  const spec = argv[0];
  if (spec === undefined || spec.startsWith('-')) {
    process.stderr.write('tsgi: cgi: the first argument must be APP (see tsgi cgi --help)\n');
    return 2;
  }
  let app: Application;
  try {
    app = await _load(spec, loaders);
  } catch (err) {
    if (err instanceof AppLoadError) printDebugStack(err.cause ?? err);
    // Answer the request with a 500 (and log why) rather than leave the server with no output.
    await runCGI(() => {
      throw err;
    });
    return Number(process.exitCode ?? 0);
  }
  await runCGI(app);
  return Number(process.exitCode ?? 0);
}

async function _load(spec: string, loaders: AppLoaders): Promise<Application> {
  const { module, exportName } = splitAppSpec(spec);
  if (_PLAIN_JS.test(module) && process.platform !== 'win32' && !module.startsWith('file:')) {
    const file = resolve(module);
    if (module.endsWith('.cjs') && loaders.require !== undefined) {
      try {
        const exported = loaders.require(file);
        // What import() of a CommonJS module gives: module.exports as default, named exports.
        return pickApplication({ ...(exported as object), default: exported }, module, exportName);
      } catch (err) {
        // Not found: loadApp below says so as every command does. A module that threw is not
        // run a second time.
        if (firstLine(err) !== `Cannot find module '${file}'`) throw loadFailure(module, err);
      }
    }
    let ns: Record<string, unknown> | undefined;
    try {
      ns = (await loaders.import(pathToFileURL(file).href)) as Record<string, unknown>;
    } catch {
      // Not found, a directory, or a module that throws: loadApp below imports it again (a
      // module that threw is not run twice) and reports the failure as every command does.
    }
    if (ns !== undefined) return pickApplication(ns, module, exportName);
  }
  return loaders.loadApp(spec);
}
