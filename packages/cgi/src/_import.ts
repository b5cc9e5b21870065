/**
 * How `runCGIModule` imports the application. The package's entry (dist/index.bundle.js, see
 * scripts/bundle-index.mjs) runs this code as CommonJS compiled by `node:vm` from V8's code
 * cache, where `import()` has no loader to call; the entry, an ES module, passes its own.
 */
let _import = (url: string): Promise<Record<string, unknown>> =>
  import(url) as Promise<Record<string, unknown>>;

/** Imports `url` as the application module. */
export function importApp(url: string): Promise<Record<string, unknown>> {
  return _import(url);
}

/** Internal (the bundled entry): the `import()` of the ES module that loaded this code. */
export function setImporter(importer: (url: string) => Promise<Record<string, unknown>>): void {
  _import = importer;
}
