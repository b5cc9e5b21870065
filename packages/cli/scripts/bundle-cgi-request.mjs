#!/usr/bin/env node
/**
 * Build step after `tsc -b`: bundles dist/_cgi-request.js with @tsgi/cgi and @tsgi/core into
 * dist/_cgi-request.bundle.js, the one module `tsgi cgi APP` loads per CGI request
 * (ADP-CGI-16). Node built-ins stay imports; the full APP loader stays a separate module.
 */
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const outfile = `${dist}_cgi-request.bundle.js`;
await build({
  entryPoints: [`${dist}_cgi-request.js`],
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
