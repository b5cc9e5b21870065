/**
 * `@tsgi/fetch`: the bridge between TSGI applications and fetch handlers
 * (`(request: Request) => Response`). `fromFetch` runs Hono, itty-router, h3 or any Workers-style
 * handler under a TSGI server; `toFetch` runs a TSGI application inside any fetch server.
 * Nothing here touches `Request`/`Response` at import time: in Node they load undici on first use.
 * @module
 */

export type { FetchContext, SocketAddress } from './context.js';
export { type FetchHandler, type FromFetchOptions, fromFetch } from './from-fetch.js';
export { reasonPhrase } from './reasons.js';
export { requestOrigin, requestPath, requestUrl } from './request.js';
export {
  type RemoteAddress,
  type ToFetchOptions,
  type TsgiFetchHandler,
  toFetch,
} from './to-fetch.js';
export type { WebSocketLink, WebSocketUpgrader } from './websocket.js';
export { webSocketResponse } from './websocket-response.js';
