#!/usr/bin/env node
/**
 * Build step after `tsc -b`: bundles dist/index.js with @tsgi/core into dist/index.bundle.js,
 * the file `import ... from '@tsgi/cgi'` loads (package.json "exports"). A CGI script pays its
 * imports on every request, and one file instead of about fifteen ES modules (each resolved,
 * read and compiled) takes `runCGIModule` from about 1.4 to 1.1 of a bare node script
 * (ADP-CGI-16; bench/startup.mjs). Node built-ins stay imports; the types stay dist/*.d.ts.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outfile = `${dist}index.bundle.js`;
await build({
  entryPoints: [`${dist}index.js`],
  outfile,
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Not minified: stack traces in the web server's error log stay readable.
  legalComments: 'none',
  logLevel: 'warning',
});
console.log(`bundled ${outfile} (${statSync(outfile).size} bytes)`);
