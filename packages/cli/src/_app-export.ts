/**
 * The parts of loading APP that need no file system: splitting `module:exportName` and picking
 * the application out of a module namespace. Shared by `loadApp` and the CGI request path
 * (`_cgi-request.ts`), which must not load the rest of the CLI.
 */
import type { Application } from '@tsgi/core';
import { firstLine, UsageError } from './_args.js';

const _IDENT = /^[A-Za-z_$][\w$]*$/;

/** APP split into the module part and the export name. */
export function splitAppSpec(spec: string): { module: string; exportName: string | undefined } {
  const colon = spec.lastIndexOf(':');
  // `C:\app.js` and `file:///x.js` have colons too; only a trailing identifier names an export.
  if (colon > 0 && _IDENT.test(spec.slice(colon + 1)) && !spec.slice(0, colon).endsWith('file')) {
    return { module: spec.slice(0, colon), exportName: spec.slice(colon + 1) };
  }
  return { module: spec, exportName: undefined };
}

/** The application `exportName` (default: the default export) of `ns`, or a `UsageError`. */
export function pickApplication(
  ns: Record<string, unknown>,
  module: string,
  exportName: string | undefined,
): Application {
  const name = exportName ?? 'default';
  let value = ns[name];
  // A CommonJS module (or TypeScript compiled to it) puts `export default` under `.default`.
  if (
    name === 'default' &&
    value !== null &&
    typeof value === 'object' &&
    typeof (value as { default?: unknown }).default === 'function'
  ) {
    value = (value as { default: unknown }).default;
  }
  if (value === undefined) {
    const hint = name === 'default' ? `; name the export, e.g. ${module}:app` : '';
    throw new UsageError(`${module} has no export '${name}'${hint}`);
  }
  if (typeof value !== 'function') {
    const got = value === null ? 'null' : typeof value;
    throw new UsageError(
      `${module}: export '${name}' is not a function (got ${got}); an application is (environ, startResponse) => body`,
    );
  }
  return value as Application;
}

/** The `UsageError` for a module that failed to load (or threw while it ran). */
export function loadFailure(module: string, err: unknown): UsageError {
  if (process.env.TSGI_DEBUG) console.error(err);
  const name = err instanceof Error ? err.name : 'Error';
  return new UsageError(`cannot load ${module}: ${name}: ${firstLine(err)}`);
}
