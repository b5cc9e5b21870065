/**
 * `loadApp`: turns the APP argument of every `tsgi` command into an `Application`, through the
 * shared loader of `@tsgi/server-node` (one export rule for the CLI, the CGI runner and the
 * bundler: the default export, else `app`, or the export `APP:name` names). The CLI adds two
 * things: TypeScript files (`.ts`, `.mts`, `.cts`) and import-only packages load through tsx on
 * Node.js (JavaScript apps never load it) and natively on Bun and Deno, and a failure is a
 * `UsageError` (exit code 2, one line).
 */
import type { Application } from '@tsgi/core';
import { AppLoadError, splitAppSpec } from '@tsgi/server-node/app-export';
import {
  type FetchHandler,
  loadApp as loadAppModule,
  resolveAppModule as resolveModule,
} from '@tsgi/server-node/load-app';
import { printDebugStack, UsageError } from './_args.js';

export { splitAppSpec };

/** The `UsageError` for an `AppLoadError`; anything else is rethrown as is. */
function _usage(err: unknown): unknown {
  if (!(err instanceof AppLoadError)) return err;
  printDebugStack(err.cause ?? err);
  return new UsageError(err.message);
}

/**
 * Bun and Deno run TypeScript themselves, and tsx's loader hooks are Node's: on Bun they fail
 * with "Cannot find package 'tsx:'" (issue 18). There the runtime's own import() loads the file.
 */
const _NATIVE_TS =
  typeof (process.versions as Record<string, string | undefined>).bun === 'string' ||
  typeof (process.versions as Record<string, string | undefined>).deno === 'string';

async function _tsImport(specifier: string, parentURL: string): Promise<unknown> {
  if (_NATIVE_TS) return import(specifier);
  const { tsImport } = await import('tsx/esm/api');
  return tsImport(specifier, parentURL);
}

/** The absolute file APP's module part names, or a `UsageError`. */
export function resolveAppModule(spec: string, cwd: string): string {
  try {
    return resolveModule(spec, cwd);
  } catch (err) {
    throw _usage(err);
  }
}

/**
 * Loads APP and returns the application function. Every failure is a `UsageError` with a
 * one-line message naming the problem; set `TSGI_DEBUG=1` to see the full stack on stderr.
 */
export async function loadApp(
  spec: string,
  cwd: string = process.cwd(),
  onAdapted?: (how: string) => void,
): Promise<Application> {
  try {
    return await loadAppModule(spec, {
      cwd,
      importModule: _tsImport,
      fromFetchHandler: (handler) => {
        onAdapted?.('a fetch handler, served through fromFetch');
        return _fromFetch(handler);
      },
      fromNodeHandler: async (listener) => {
        onAdapted?.('a node (req, res) app, served through fromNodeHandler');
        const { fromNodeHandler } = await import('@tsgi/node-bridge');
        return fromNodeHandler(listener as Parameters<typeof fromNodeHandler>[0]);
      },
    });
  } catch (err) {
    throw _usage(err);
  }
}

/**
 * An Express, Connect or Koa app as the export (issue 19): served through `fromNodeHandler`
 * (`@tsgi/node-bridge`, imported only then). `export default { fetch }` (Workers, Bun, Hono):
 * served through `fromFetch`, one command for
 * TSGI and fetch applications alike (issue 23). The script name is stripped from the URL the
 * handler sees, so its routes match under `--script-name` as they do at the root; `@tsgi/fetch` is
 * imported only here, so a TSGI application never loads it.
 */
async function _fromFetch(handler: FetchHandler): Promise<Application> {
  const { fromFetch } = await import('@tsgi/fetch');
  return fromFetch((request, context) => handler.fetch(request, context), {
    stripScriptName: true,
  });
}

/** How often the CGI hint below is written at most, per APP (each request is a process). */
const _HINT_EVERY_MS = 3_600_000;

/**
 * `tsgi cgi app.ts` compiles the TypeScript on every request (~150 ms against ~33 ms for a `.js`
 * app, issue 23): say so in the web server's error log, once an hour per APP (a marker file in
 * the temporary directory remembers when), with the command that fixes it.
 */
export function warnTypeScriptUnderCgi(spec: string): void {
  const { module } = splitAppSpec(spec);
  if (!/\.[cm]?ts$/.test(module) || _NATIVE_TS) return;
  try {
    const { createHash } = process.getBuiltinModule('node:crypto');
    const { statSync, writeFileSync } = process.getBuiltinModule('node:fs');
    const { tmpdir } = process.getBuiltinModule('node:os');
    const marker = `${tmpdir()}/tsgi-cgi-ts-${createHash('sha1').update(module).digest('hex').slice(0, 16)}`;
    let last = 0;
    try {
      last = statSync(marker).mtimeMs;
    } catch {}
    if (Date.now() - last < _HINT_EVERY_MS) return;
    writeFileSync(marker, '');
  } catch {
    return; // no place for the marker: stay quiet rather than write on every request
  }
  process.stderr.write(
    `tsgi cgi: ${module} is TypeScript, compiled on every request; build it once for speed: tsgi build ${module} -o app.mjs (or tsgi cgi --bundle ${module} -o FILE)\n`,
  );
}
