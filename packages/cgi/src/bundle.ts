/**
 * `@tsgi/cgi/bundle`: builds an application, `@tsgi/cgi` and `@tsgi/core` into one executable
 * ES module for a cgi-bin directory. One file parses and links faster than the ~15 modules of
 * the packages (each import costs a resolution, a read and a compile), which is most of what
 * TSGI adds to a CGI request's start-up; see the README's start-up table.
 *
 * Needs the optional peer dependency `esbuild`. Not imported by `@tsgi/cgi` itself.
 * @module
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options for `bundleCGI`. */
export interface BundleOptions {
  /** The application module: its default export, or a named export `app`. */
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

/**
 * Bundles `app` into a single executable CGI script. The script imports
 * `@tsgi/cgi/strip-proxy` first, so the application's top-level code never sees
 * `HTTP_PROXY`, then runs `runCGI` on the application.
 */
export async function bundleCGI(options: BundleOptions): Promise<BundleResult> {
  let esbuild: _Esbuild;
  try {
    esbuild = (await import('esbuild' as string)) as _Esbuild;
  } catch {
    throw new Error(
      'bundleCGI needs esbuild: install it next to @tsgi/cgi (npm install -D esbuild)',
    );
  }
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
    options.exportName === undefined
      ? `const app = typeof mod.default === 'function' ? mod.default : mod.app;`
      : `const app = mod[${JSON.stringify(options.exportName)}];`,
    `if (typeof app !== 'function') throw new TypeError(${JSON.stringify(`${app} exports no application (${options.exportName ?? 'default export or "app"'})`)});`,
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
