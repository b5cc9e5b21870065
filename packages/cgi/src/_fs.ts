/**
 * `node:fs` for this package, through `process.getBuiltinModule` (Node 20.16+): the CommonJS
 * `fs` object Node has already loaded. `import ... from 'node:fs'` in an ES module instead
 * builds a facade over every export of fs, which loads node:stream: about 0.4 ms of a 25 ms
 * CGI process (ADP-CGI-16).
 */
export const _fs = process.getBuiltinModule('node:fs');
