/**
 * `@tsgi/fastcgi`: a FastCGI 1.0 responder for TSGI applications (spec profile ADP-FCGI), its pure
 * record codec (also `@tsgi/fastcgi/codec`), and a FastCGI client for tests and tools (also
 * `@tsgi/fastcgi/client`).
 *
 * ```ts
 * import { serveFastCGI } from '@tsgi/fastcgi';
 * await serveFastCGI(app, { port: 9000 }); // or { path: '/run/app.sock' }, or fd 0 when spawned
 * ```
 * @module
 */

// The client stays exported here too, as before it had an entry of its own.
export * from './client/index.js';
export * from './codec/index.js';
export { APP_STATUS_INCOMPLETE, APP_STATUS_OK } from './server/response-sink.js';
export {
  type CloseOptions,
  createFastCGIServer,
  type FastCGIAddress,
  FastCGIServer,
  type FastCGIServerOptions,
  FCGI_LISTENSOCK_FILENO,
  isListenSocketInherited,
  serveFastCGI,
} from './server/server.js';
