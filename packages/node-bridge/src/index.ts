/**
 * `@tsgi/node-bridge`: node's `(req, res)` world and TSGI, both ways.
 *
 * - `fromNodeHandler(handler)`: an Express app, `koa.callback()` or Fastify's routing function
 *   as a TSGI application, so it runs on node:http, FastCGI, SCGI and CGI unmodified.
 * - `toNodeHandler(app)`: a TSGI application as a `(req, res)` handler, to mount inside them.
 * @module
 */

export type { ScriptNameMode } from './_request.js';
export {
  type FromNodeHandlerOptions,
  fromNodeHandler,
  type NodeHandler,
} from './from-node-handler.js';
export { type TsgiNodeHandler, toNodeHandler } from './to-node-handler.js';
