#!/usr/bin/env node
/**
 * Build step after `tsc -b`: bundles dist/_cgi-request.js with @tsgi/cgi and @tsgi/core into
 * dist/_cgi-request.bundle.cjs, the one file `tsgi cgi APP` loads per CGI request
 * (ADP-CGI-16). CommonJS, so bin/tsgi.cjs requires it synchronously and its `node:fs` is a
 * plain require (an ES module's `import 'node:fs'` builds a facade over every export of fs, and
 * that loads node:stream). Dynamic import() stays import(): the APP and the full APP loader.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { appendFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outfile = `${dist}_cgi-request.bundle.cjs`;
await build({
  entryPoints: [`${dist}_cgi-request.js`],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // @tsgi/cgi's own modules: its package entry (dist/index.bundle.js) is a loader for a bundle
  // of its own, which cannot be bundled again (it reads a file next to itself).
  alias: {
    '@tsgi/cgi': join(
      dirname(createRequire(import.meta.url).resolve('@tsgi/cgi/package.json')),
      'dist/index.js',
    ),
  },
  // Not minified: stack traces in the web server's error log stay readable.
  legalComments: 'none',
  logLevel: 'warning',
});
// The build id ties the code cache to this very bundle (see loadBundle in bin/tsgi.cjs).
appendFileSync(outfile, `//# tsgi-build ${randomUUID()}\n`);
console.log(`bundled ${outfile} (${statSync(outfile).size} bytes)`);
// The code cache, from one request run through the bundle; its output goes nowhere.
const cache = fileURLToPath(new URL('./cgi-code-cache.cjs', import.meta.url));
const made = spawnSync(process.execPath, [cache], { stdio: ['ignore', 'ignore', 'inherit'] });
if (made.status !== 0) throw new Error(`${cache} exited ${made.status}`);
console.log(
  `code cache ${dist}_cgi-request.bundle.cache (${statSync(`${dist}_cgi-request.bundle.cache`).size} bytes)`,
);
