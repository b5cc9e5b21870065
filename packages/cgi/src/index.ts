/**
 * `@tsgi/cgi`: run a TSGI application as an RFC 3875 CGI program, one request per process.
 *
 * The entry is kept small on purpose: each request starts a new Node process, so this module
 * loads only `@tsgi/core`'s runtime (no zod, no undici, no `node:http`).
 * @module
 */

export { readCgiVariables, stripHttpProxy } from './env.js';
export { bodyFraming } from './input.js';
export { type CgiSinkOptions, formatHead } from './output.js';
export {
  type CgiOptions,
  EXIT_ABORTED,
  EXIT_INTERNAL,
  EXIT_NOT_CGI,
  isNphScript,
  runCGI,
  runCGIModule,
} from './run.js';
