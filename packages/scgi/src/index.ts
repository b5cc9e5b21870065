/**
 * `@tsgi/scgi`: an SCGI server for TSGI applications (spec profile ADP-SCGI; python.ca/scgi
 * protocol.txt) behind nginx `scgi_pass`, Apache `mod_proxy_scgi` and lighttpd `mod_scgi`, and
 * its pure request codec (also `@tsgi/scgi/codec`).
 *
 * ```ts
 * import { serveSCGI } from '@tsgi/scgi';
 * await serveSCGI(app, { port: 4000 }); // or { path: '/run/app.sock' }, or fd 0
 * ```
 * @module
 */
export * from './codec/index.js';
export {
  type CloseOptions,
  createSCGIServer,
  type SCGIAddress,
  SCGIServer,
  type SCGIServerOptions,
  serveSCGI,
} from './server/server.js';
