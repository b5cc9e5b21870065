/**
 * `upgradeWebSocket` for Hono apps served through `fromFetch` (spec 20): Hono's own helper
 * shape (`hono/ws`'s `defineWebSocketHelper`), driven by `environ['tsgix.websocket']`, so
 * `app.get('/ws', upgradeWebSocket((c) => ({ onMessage(event, ws) { ws.send(...) } })))` works on
 * every TSGI server that offers the key (node:http, Bun, Deno). Where the key is absent (CGI,
 * FastCGI, SCGI, workerd) or the request is no handshake, the route falls through to `next()`,
 * as Hono's other adapters do.
 *
 * Hono's events are push-based and its `ws.send()` returns nothing: a handler cannot wait for
 * the peer, so the session's backpressure (WS-11) does not reach it; sends are queued in order.
 * A TSGI-native application (`for await` and `await send()`) has it.
 * @module
 */
import type { WebSocketConnection, WebSocketMessage } from '@tsgi/core';
import { defineWebSocketHelper, WSContext, type WSReadyState } from 'hono/ws';
import type { FetchContext } from './context.js';
import { webSocketResponse } from './websocket-response.js';

/** Options of the helper: which of the offered subprotocols to choose, and compression. */
export interface HonoWebSocketOptions {
  /** Picks the subprotocol from the offered ones (default: none). */
  protocol?: (offered: readonly string[]) => string | undefined;
  /** permessage-deflate where the server can (WS-05). Default false. */
  compress?: boolean;
}

function _event(type: string, fields: object): Event {
  return Object.assign(new Event(type), fields);
}

/** Hono's binary messages are ArrayBuffers (its `binaryType` is `arraybuffer`). */
function _data(message: WebSocketMessage): string | ArrayBuffer {
  if (typeof message === 'string') return message;
  return message.buffer.slice(
    message.byteOffset,
    message.byteOffset + message.byteLength,
  ) as ArrayBuffer;
}

function _bytes(source: string | ArrayBuffer | Uint8Array<ArrayBuffer>): WebSocketMessage {
  return typeof source === 'string' || source instanceof Uint8Array
    ? source
    : new Uint8Array(source);
}

/** Hono's `upgradeWebSocket` on TSGI: `c.env` is `fromFetch`'s `FetchContext`. */
export const upgradeWebSocket = defineWebSocketHelper<WebSocketConnection, HonoWebSocketOptions>(
  async (c, events, options) => {
    const environ = (c.env as FetchContext | undefined)?.environ;
    const upgrade = environ?.['tsgix.websocket'];
    if (upgrade?.requested !== true) return;
    const protocol = options?.protocol?.(upgrade.protocols);
    const socket = upgrade.accept({
      ...(protocol !== undefined ? { protocol } : {}),
      compress: options?.compress === true,
    });
    let state: WSReadyState = 1;
    const ws = new WSContext<WebSocketConnection>({
      raw: socket,
      url: c.req.url,
      protocol: socket.protocol,
      get readyState() {
        return state;
      },
      send(source) {
        // No backpressure in Hono's API; a send after the close is dropped as in browsers.
        socket.send(_bytes(source)).catch(() => {});
      },
      close(code, reason) {
        state = 2;
        void socket.close(code, reason);
      },
    });
    const session = (async () => {
      await events.onOpen?.(new Event('open'), ws);
      for await (const message of socket) {
        await events.onMessage?.(new MessageEvent('message', { data: _data(message) }), ws);
      }
      const end = await socket.closed;
      state = 3;
      await events.onClose?.(_event('close', { ...end, wasClean: end.code !== 1006 }) as never, ws);
    })();
    // An exception in a handler goes to onError, then closes 1011 (WS-15) through the TSGI call.
    const done = session.catch(async (error: unknown) => {
      await events.onError?.(_event('error', { error }), ws);
      throw error;
    });
    return webSocketResponse(socket, done);
  },
);
