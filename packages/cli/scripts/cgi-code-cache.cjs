#!/usr/bin/env node
// Build step after bundle-cgi-request.mjs: runs one CGI request (a hello-world APP, its output
// thrown away) through the bundle exactly as bin/tsgi.cjs loads it, then writes V8's code
// cache, which now holds every function that request compiled, to
// dist/_cgi-request.bundle.cache, headed by the bundle's build id (ADP-CGI-16).
'use strict';
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { loadBundle, loaders, CACHE } = require('../bin/tsgi.cjs');

const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cache-'));
const app = join(dir, 'hello.mjs');
writeFileSync(
  app,
  "const body = new TextEncoder().encode('Hello!\\n');\n" +
    "export default (_environ, startResponse) => {\n  startResponse('200 OK', [['content-type', 'text/plain']]);\n  return [body];\n};\n",
);
Object.assign(process.env, require('../../../scripts/cgi-training-environ.cjs'));
const bundle = loadBundle(false);
if (bundle === undefined || bundle.id === '')
  throw new Error('no bundle with a build id: run bundle-cgi-request.mjs first');
bundle.exports.runCgiRequest([app], loaders).then((code) => {
  rmSync(dir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`the training request exited ${code}`);
  writeFileSync(
    CACHE,
    Buffer.concat([Buffer.from(`${bundle.id}\n`, 'latin1'), bundle.script.createCachedData()]),
  );
  process.exit(0);
});
