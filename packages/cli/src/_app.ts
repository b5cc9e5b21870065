/**
 * `loadApp`: turns the APP argument of every `tsgi` command into an `Application`.
 *
 * APP is a module path (`app.js`, `./src/app.mjs`, `examples/hello/app.ts`) or a package
 * specifier resolved from the working directory (`@scope/pkg/sub`), optionally followed by
 * `:exportName` (default: the default export). TypeScript files (`.ts`, `.mts`, `.cts`) are
 * loaded through tsx; JavaScript apps never load it.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Application } from '@tsgi/core';
import { firstLine, UsageError } from './_args.js';

const _TS = /\.[cm]?ts$/;
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

/** The absolute file APP's module part names, or a `UsageError`. */
export function resolveAppModule(spec: string, cwd: string): string {
  if (spec === '') throw new UsageError('APP is empty');
  if (spec.startsWith('file:')) return fileURLToPath(spec);
  const explicit =
    isAbsolute(spec) || spec.startsWith('./') || spec.startsWith('../') || spec === '.';
  const asPath = resolve(cwd, spec);
  if (explicit || existsSync(asPath)) {
    if (!existsSync(asPath))
      throw new UsageError(`cannot find application module ${spec} (no file ${asPath})`);
    if (!statSync(asPath).isDirectory()) return asPath;
  }
  try {
    // CommonJS resolution from cwd handles paths to directories, bare packages and subpaths
    // whose exports have a "default" or "require" condition (ESM-only exports: see loadApp).
    return createRequire(join(cwd, 'noop.js')).resolve(explicit ? asPath : spec);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return spec; // let the ESM resolver try
    throw new UsageError(`cannot find application module ${spec} (from ${cwd})`);
  }
}

/**
 * Loads APP and returns the application function. Every failure is a `UsageError` with a
 * one-line message naming the problem; set `TSGI_DEBUG=1` to see the full stack on stderr.
 */
export async function loadApp(spec: string, cwd: string = process.cwd()): Promise<Application> {
  const { module, exportName } = splitAppSpec(spec);
  const target = resolveAppModule(module, cwd);
  let ns: Record<string, unknown>;
  try {
    if (!isAbsolute(target)) {
      // A package whose exports only match ESM conditions: resolve it as `import` would, from cwd.
      const { tsImport } = await import('tsx/esm/api');
      ns = await tsImport(target, pathToFileURL(join(cwd, 'noop.js')).href);
    } else if (_TS.test(target)) {
      const { tsImport } = await import('tsx/esm/api');
      ns = await tsImport(pathToFileURL(target).href, import.meta.url);
    } else {
      ns = await import(pathToFileURL(target).href);
    }
  } catch (err) {
    if (process.env.TSGI_DEBUG) console.error(err);
    const name = err instanceof Error ? err.name : 'Error';
    throw new UsageError(`cannot load ${module}: ${name}: ${firstLine(err)}`);
  }
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
