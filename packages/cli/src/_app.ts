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
import { loadFailure, pickApplication, splitAppSpec } from './_app-export.js';
import { UsageError } from './_args.js';

export { splitAppSpec };

const _TS = /\.[cm]?ts$/;

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
    throw loadFailure(module, err);
  }
  return pickApplication(ns, module, exportName);
}
