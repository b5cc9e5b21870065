/**
 * `@tsgi/node`: serve a TSGI application with `node:http` or `node:https` (ADP-NODE-01..06).
 *
 * ```ts
 * import { serve } from '@tsgi/node';
 * const server = await serve(app, { port: 8000 });
 * console.log(`Listening on ${server.url}`);
 * ```
 *
 * Or mount it on a server you already have:
 * ```ts
 * const listener = createRequestListener(app);
 * http.createServer().on('request', listener).on('checkContinue', listener).listen(8000);
 * ```
 * @module
 */
export { createRequestListener, VERSION } from './_listener.js';
export { serve } from './_serve.js';
export type { CloseOptions, ListenerOptions, ServeOptions, ServerHandle } from './options.js';
