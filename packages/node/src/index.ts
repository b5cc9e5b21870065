/**
 * `@tsgi/node`: serve a TSGI application with `node:http`, `node:https` or `node:http2`
 * (ADP-NODE-01..19).
 *
 * ```ts
 * import { serve } from '@tsgi/node';
 * const server = await serve(app, { port: 8000 });
 * console.log(`Listening on ${server.url}`);
 * // HTTPS with HTTP/2 and HTTP/1.1 on one port (ALPN):
 * await serve(app, { port: 8443, tls: { key, cert } });
 * ```
 *
 * Or mount it on a server you already have:
 * ```ts
 * const listener = createRequestListener(app);
 * http.createServer().on('request', listener).on('checkContinue', listener).listen(8000);
 * // or on node:http2 (HTTP/2 streams, and HTTP/1.1 by ALPN):
 * // http2.createSecureServer({ key, cert, allowHTTP1: true }).on('request', listener)...
 * ```
 * @module
 */
export { createRequestListener, VERSION } from './_listener.js';
export { serve } from './_serve.js';
export type { CloseOptions, ListenerOptions, ServeOptions, ServerHandle } from './options.js';
