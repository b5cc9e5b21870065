/**
 * `tsgi cgi APP` under a web server: the one request of this process. Each CGI request is a new
 * Node process, so start-up is the whole cost (ADP-CGI-16): `bin/tsgi.js` imports this file
 * directly, without the rest of the CLI, and the build bundles it with `@tsgi/cgi` and
 * `@tsgi/core` into `dist/_cgi-request.bundle.js`, one module instead of about twenty
 * (bench: `tsgi cgi` 1.66 -> about 1.05 of a bare node script).
 *
 * A JavaScript file path is imported here; anything else (TypeScript through tsx, a package
 * specifier, a path that fails to import) goes through the full `loadApp`, so the behaviour
 * and the error messages are those of every other command.
 */

// Both are loaded by Node's own module loader before any user code: importing them is free.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runCGI, stripHttpProxy } from '@tsgi/cgi';
import type { Application } from '@tsgi/core';
import { pickApplication, splitAppSpec } from './_app-export.js';

const _PLAIN_JS = /\.(?:m?js|cjs)$/;

/** Handles the request; resolves to the process exit status (see `runCGI`). */
export async function runCgiRequest(argv: readonly string[]): Promise<number> {
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
    app = await _load(spec);
  } catch (err) {
    // Answer the request with a 500 (and log why) rather than leave the server with no output.
    await runCGI(() => {
      throw err;
    });
    return Number(process.exitCode ?? 0);
  }
  await runCGI(app);
  return Number(process.exitCode ?? 0);
}

async function _load(spec: string): Promise<Application> {
  const { module, exportName } = splitAppSpec(spec);
  if (_PLAIN_JS.test(module) && process.platform !== 'win32' && !module.startsWith('file:')) {
    let ns: Record<string, unknown> | undefined;
    try {
      ns = (await import(pathToFileURL(resolve(module)).href)) as Record<string, unknown>;
    } catch {
      // Not found, a directory, or a module that throws: loadApp below imports it again (a
      // module that threw is not run twice) and reports the failure as every command does.
    }
    if (ns !== undefined) return pickApplication(ns, module, exportName);
  }
  // A computed specifier, so the bundler leaves the full loader (and tsx) out of the bundle.
  const full = './_app.js';
  const { loadApp } = (await import(full)) as typeof import('./_app.js');
  return loadApp(spec);
}
