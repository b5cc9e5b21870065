/**
 * `@tsgi/cgi/bundle`: builds an application, `@tsgi/cgi` and `@tsgi/core` into one executable
 * ES module for a cgi-bin directory (`bundleCGI`), or into a V8 start-up snapshot
 * (`snapshotCGI`). One file parses and links faster than the ~15 modules of the packages (each
 * import costs a resolution, a read and a compile); a snapshot starts with all of it already
 * loaded. See the README's start-up table.
 *
 * Needs the optional peer dependency `esbuild`. Not imported by `@tsgi/cgi` itself.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for `bundleCGI`. */
export interface BundleOptions {
  /** The application module: its default export, else its export `app` (the shared rule). */
  app: string;
  /** The export holding the application, instead of the default export or `app`. */
  exportName?: string | undefined;
  /**
   * Where to write the bundle (made executable): a name without an extension (the usual
   * cgi-bin name; Node 20.19+ recognises the ES module syntax) or ending in `.mjs`. Other
   * extensions are refused: Node picks the module format by extension and would not run an
   * ES module named `app.cgi`.
   */
  outfile: string;
  /** The first line. Default `#!/usr/bin/env node`. */
  shebang?: string | undefined;
  /** Minify the output. Default false (readable stack traces in the server's error log). */
  minify?: boolean | undefined;
  /** Packages to leave as imports rather than bundle (native addons, for example). */
  external?: readonly string[] | undefined;
}

/** What `bundleCGI` wrote. */
export interface BundleResult {
  outfile: string;
  bytes: number;
}

interface _Esbuild {
  build(options: Record<string, unknown>): Promise<{ outputFiles?: Array<{ text: string }> }>;
}

// esbuild's stand-in for `require` in an ES module bundle, present when a CommonJS dependency
// was bundled; such a bundle needs a real `require` in scope.
const _NEEDS_REQUIRE = 'typeof require !== "undefined"';
const _REQUIRE_SHIM =
  "import { createRequire as __tsgiCreateRequire } from 'node:module';\n" +
  'const require = __tsgiCreateRequire(import.meta.url);\n';

async function _esbuild(caller: string): Promise<_Esbuild> {
  try {
    return (await import('esbuild' as string)) as _Esbuild;
  } catch {
    throw new Error(
      `${caller} needs esbuild: install it next to @tsgi/cgi (npm install -D esbuild)`,
    );
  }
}

/**
 * The statements picking the application out of the module namespace `mod`: the export rule
 * every TSGI loader shares (`@tsgi/server-node/app-export`, bundled in: it has no imports).
 */
function _pickApp(app: string, exportName: string | undefined): string {
  const rule = createRequire(import.meta.url).resolve('@tsgi/server-node/app-export');
  return [
    `import { pickApplication } from ${JSON.stringify(rule)};`,
    `const app = pickApplication(mod, ${JSON.stringify(app)}, ${JSON.stringify(exportName)});`,
  ].join('\n');
}

/**
 * Bundles `app` into a single executable CGI script. The script imports
 * `@tsgi/cgi/strip-proxy` first, so the application's top-level code never sees
 * `HTTP_PROXY`, then runs `runCGI` on the application.
 */
export async function bundleCGI(options: BundleOptions): Promise<BundleResult> {
  const esbuild = await _esbuild('bundleCGI');
  const here = dirname(fileURLToPath(import.meta.url));
  const app = resolve(options.app);
  const outfile = resolve(options.outfile);
  const ext = extname(outfile);
  if (ext !== '' && ext !== '.mjs') {
    throw new Error(
      `bundleCGI: ${outfile}: name the bundle without an extension or with .mjs; Node would not run an ES module named *${ext}`,
    );
  }
  const contents = [
    `import ${JSON.stringify(resolve(here, 'strip-proxy.js'))};`,
    `import * as mod from ${JSON.stringify(app)};`,
    `import { runCGI } from ${JSON.stringify(resolve(here, 'index.js'))};`,
    _pickApp(app, options.exportName),
    'await runCGI(app);',
    '',
  ].join('\n');
  const result = await esbuild.build({
    stdin: { contents, resolveDir: dirname(app), sourcefile: 'tsgi-cgi-entry.mjs', loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile,
    write: false,
    minify: options.minify === true,
    external: [...(options.external ?? [])],
    logLevel: 'error',
  });
  const code = result.outputFiles?.[0]?.text ?? '';
  // The shim costs an import of node:module, so it is added only when a bundled dependency
  // is CommonJS.
  const text = `${options.shebang ?? '#!/usr/bin/env node'}\n${code.includes(_NEEDS_REQUIRE) ? _REQUIRE_SHIM : ''}${code}`;
  writeFileSync(outfile, text);
  chmodSync(outfile, 0o755);
  return { outfile, bytes: Buffer.byteLength(text) };
}

/** Options for `snapshotCGI`. */
export interface SnapshotOptions {
  /** The application module: its default export, or a named export `app`. */
  app: string;
  /** The export holding the application, instead of the default export or `app`. */
  exportName?: string | undefined;
  /** Where to write the snapshot blob, e.g. `/srv/tsgi/app.blob`. */
  outfile: string;
  /** Packages to leave as `require` calls rather than bundle. */
  external?: readonly string[] | undefined;
}

/** What `snapshotCGI` wrote, and the Node binary that must run it. */
export interface SnapshotResult {
  outfile: string;
  bytes: number;
  /** `process.execPath`: a blob starts only in the Node binary that built it. */
  node: string;
}

/**
 * Builds a V8 start-up snapshot (`node --build-snapshot`) holding `app`, `@tsgi/cgi` and
 * `@tsgi/core`, already loaded; `node --snapshot-blob FILE` then handles one CGI request by
 * calling `runCGI(app)`, with nothing to load or compile first. The fastest start there is
 * (README: about 0.97 to 0.99 of a bare Node script), with two caveats. The application's
 * module-level code runs once, **at build time**: what it reads from `process.env` or
 * initialises then is frozen into the blob (`runCGI` still removes `HTTP_PROXY` before each
 * request). And the blob starts only in the Node binary that built it; rebuild it when Node
 * changes. The application is bundled as CommonJS, so it cannot use top-level `await`.
 */
export async function snapshotCGI(options: SnapshotOptions): Promise<SnapshotResult> {
  const esbuild = await _esbuild('snapshotCGI');
  const here = dirname(fileURLToPath(import.meta.url));
  const app = resolve(options.app);
  const outfile = resolve(options.outfile);
  const contents = [
    `import * as mod from ${JSON.stringify(app)};`,
    `import { runCGI } from ${JSON.stringify(resolve(here, 'index.js'))};`,
    "import { startupSnapshot } from 'node:v8';",
    _pickApp(app, options.exportName),
    // The request starts here, in the process that deserialised the snapshot.
    'startupSnapshot.setDeserializeMainFunction(() => { runCGI(app); });',
    '',
  ].join('\n');
  const result = await esbuild.build({
    stdin: {
      contents,
      resolveDir: dirname(app),
      sourcefile: 'tsgi-cgi-snapshot.mjs',
      loader: 'js',
    },
    bundle: true,
    // node --build-snapshot runs one CommonJS script.
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    write: false,
    external: [...(options.external ?? [])],
    logLevel: 'error',
  });
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-snapshot-'));
  try {
    const entry = join(dir, 'entry.cjs');
    writeFileSync(entry, result.outputFiles?.[0]?.text ?? '');
    // ENV-27: the build's own HTTP_PROXY must not reach the application's module code either.
    const env = { ...process.env };
    delete env.HTTP_PROXY;
    const built = spawnSync(
      process.execPath,
      ['--snapshot-blob', outfile, '--build-snapshot', entry],
      {
        env,
        encoding: 'utf8',
      },
    );
    if (built.status !== 0) {
      throw new Error(
        `node --build-snapshot failed: ${(built.stderr || built.error?.message || '').trim()}`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { outfile, bytes: statSync(outfile).size, node: process.execPath };
}
