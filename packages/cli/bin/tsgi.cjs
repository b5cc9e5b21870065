#!/usr/bin/env node
// CommonJS on purpose (ADP-CGI-16): `tsgi cgi APP` under a web server runs once per request, and
// a CommonJS main that loads a CommonJS request path starts without Node's ESM loader (about
// 3 ms of a 25 ms process on Node 20); only the APP's own import() needs it. So under a web
// server this file skips the CLI and runs dist/_cgi-request.bundle.cjs (one file: the request
// path with @tsgi/cgi and @tsgi/core, see src/_cgi-request.ts). Everything else goes to the ESM
// CLI in dist/main.js.
'use strict';
const { readFileSync } = require('node:fs');

const BUNDLE = `${__dirname}/../dist/_cgi-request.bundle.cjs`;
const CACHE = `${__dirname}/../dist/_cgi-request.bundle.cache`;
const BUILD_MARK = '//# tsgi-build ';

/**
 * Runs the bundle as CommonJS, from V8's code cache when the build left one for this very
 * bundle: what v8-compile-cache does for CommonJS, and Node 22's module.enableCompileCache()
 * does built in. Compiling the 47 KB bundle and the functions one request runs is about 1.5 ms
 * of a 25 ms process. The cache file starts with the build id the bundle ends with, so a cache
 * from another build is never used; V8 itself rejects one from another Node or V8 version
 * (then the bundle is compiled as usual). `useCache: false` compiles afresh (the build's run
 * that makes the cache). Returns undefined when there is no bundle (a tsc-only build).
 */
function loadBundle(useCache = true, bundle = BUNDLE, cacheFile = CACHE) {
  let source;
  try {
    source = readFileSync(bundle, 'utf8');
  } catch (err) {
    if (err?.code === 'ENOENT') return undefined;
    throw err;
  }
  const at = source.lastIndexOf(BUILD_MARK);
  const id = at < 0 ? '' : source.slice(at + BUILD_MARK.length).trim();
  let cachedData;
  if (useCache && id !== '') {
    try {
      const cache = readFileSync(cacheFile);
      if (cache.toString('latin1', 0, id.length + 1) === `${id}\n`) {
        cachedData = cache.subarray(id.length + 1);
      }
    } catch {
      // no cache: compile as usual
    }
  }
  const vm = require('node:vm');
  const script = new vm.Script(require('node:module').wrap(source), {
    filename: bundle,
    cachedData,
  });
  const mod = { exports: {} };
  // The bundle requires only Node built-ins and absolute paths, so this file's require serves.
  const dir = bundle.slice(0, bundle.lastIndexOf('/'));
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, bundle, dir);
  return { exports: mod.exports, script, id };
}

/** What the bundle cannot do itself when compiled from cached data: import() (see AppLoaders). */
const loaders = {
  import: (url) => import(url),
  require,
  loadApp: (spec) =>
    import('../dist/_app.js').then((m) => {
      m.warnTypeScriptUnderCgi(spec); // a .ts APP pays tsx on every request: say so (issue 23)
      return m.loadApp(spec);
    }),
};

if (require.main !== module) {
  module.exports = { loadBundle, loaders, CACHE };
} else {
  const argv = process.argv.slice(2);
  const exit = (code) => process.exit(code);
  if (argv[0] === 'cgi' && process.env.REQUEST_METHOD && argv[1] !== '--help' && argv[1] !== '-h') {
    const bundle = loadBundle();
    const run =
      bundle !== undefined
        ? bundle.exports.runCgiRequest(argv.slice(1), loaders)
        : // A build without the bundle (tsc alone): the same code, as separate ES modules.
          import('../dist/_cgi-request.js').then((m) => m.runCgiRequest(argv.slice(1)));
    run.then(exit);
  } else {
    import('../dist/main.js').then(({ main }) => main(argv)).then(exit);
  }
}
