/**
 * The runtimes' own half of `tsgix.websocket` (spec 20, ADP-FETCH-12): `server.upgrade()` and
 * the `websocket` handlers on Bun, `Deno.upgradeWebSocket()` on Deno, each reduced to core's
 * `WebSocketTransport`. Everything else (the handshake check, the message queue, backpressure,
 * closing, the keepalive) is shared: @tsgi/fetch's websocket.ts and core's `WebSocketSession`.
 */
import {
  WEBSOCKET_DEFAULTS,
  type WebSocketLimits,
  type WebSocketSession,
  type WebSocketTransport,
} from '@tsgi/core';
import type { WebSocketLink, WebSocketUpgrader } from '@tsgi/fetch';

/** Bun's `ServerWebSocket`, as far as used here. */
interface _BunSocket {
  data: { link: WebSocketLink };
  send(data: string | Uint8Array): number;
  getBufferedAmount(): number;
  close(code?: number, reason?: string): void;
  terminate(): void;
  ping(): void;
}

/** Bun's `websocket` handlers for `Bun.serve`, and the upgrader that uses them. */
export function bunWebSockets(limits: WebSocketLimits) {
  const all = { ...WEBSOCKET_DEFAULTS, ...limits };
  const upgrader: WebSocketUpgrader = {
    limits: all,
    pings: true,
    open: new Set<WebSocketSession>(),
    upgrade(request, info, choice, link) {
      const headers: Record<string, string> = {};
      for (const [name, value] of choice.headers) headers[name] = value;
      if (choice.protocol !== undefined) headers['sec-websocket-protocol'] = choice.protocol;
      // permessage-deflate is a server-wide switch on Bun, not a per-connection one: off (WS-05).
      const server = info as { upgrade(r: Request, o: object): boolean };
      if (!server.upgrade(request, { headers, data: { link } })) {
        throw new Error('Bun refused the WebSocket upgrade');
      }
      return undefined;
    },
  };
  const handlers = {
    maxPayloadLength: all.maxMessageSize, // WS-14: Bun closes 1009 past it
    perMessageDeflate: false,
    sendPings: false, // core's keepalive pings (WS-17)
    idleTimeout: 0,
    open(ws: _BunSocket) {
      ws.data.link.open({
        send(message, done) {
          // Bun copies the bytes into its buffer; -1 is "buffered over the limit", 0 "dropped".
          done(ws.send(message) === 0 ? new Error('dropped') : undefined);
        },
        get bufferedAmount() {
          return ws.getBufferedAmount();
        },
        drainEvents: true,
        close: (code, reason) => ws.close(code, reason),
        terminate: () => ws.terminate(),
        ping: () => ws.ping(),
      } satisfies WebSocketTransport);
    },
    message(ws: _BunSocket, message: string | Uint8Array) {
      ws.data.link.message(
        typeof message === 'string'
          ? message
          : new Uint8Array(message.buffer, message.byteOffset, message.byteLength),
      );
    },
    drain: (ws: _BunSocket) => ws.data.link.progress(),
    pong: (ws: _BunSocket) => ws.data.link.pong(),
    close: (ws: _BunSocket, code: number, reason: string) => ws.data.link.ended(code, reason),
  };
  return { upgrader, handlers };
}

/** Deno's server-side `WebSocket`, as far as used here. */
interface _DenoSocket {
  binaryType: string;
  bufferedAmount: number;
  send(data: string | Uint8Array): void;
  close(code?: number, reason?: string): void;
  onopen: (() => void) | null;
  onmessage: ((event: { data: string | ArrayBuffer }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: (() => void) | null;
}

type _Upgrade = (
  request: Request,
  options: { protocol?: string; idleTimeout?: number },
) => { socket: _DenoSocket; response: Response };

/** The upgrader on Deno. */
export function denoWebSockets(
  limits: WebSocketLimits,
  upgradeWebSocket: _Upgrade,
): WebSocketUpgrader {
  const all = { ...WEBSOCKET_DEFAULTS, ...limits };
  return {
    limits: all,
    // Deno has no ping in its API; it pings itself and closes a peer silent for idleTimeout (WS-17).
    pings: false,
    open: new Set<WebSocketSession>(),
    upgrade(request, _info, choice, link) {
      const { socket, response } = upgradeWebSocket(request, {
        idleTimeout: Math.ceil(all.pingTimeout / 1000),
      });
      // Deno's own `protocol` option splits the offer on ", " only and throws on `x,chat` (the
      // `ws` client's form), so the chosen protocol (checked against core's parse, WS-05) is
      // set on the 101 here, as the extra fields are.
      if (choice.protocol !== undefined)
        response.headers.set('sec-websocket-protocol', choice.protocol);
      for (const [name, value] of choice.headers) response.headers.append(name, value);
      socket.binaryType = 'arraybuffer';
      socket.onopen = () =>
        link.open({
          send(message, done) {
            try {
              socket.send(message); // Deno copies the bytes into the frame
              done();
            } catch (err) {
              done(err);
            }
          },
          get bufferedAmount() {
            return socket.bufferedAmount;
          },
          drainEvents: false, // no event: the session polls bufferedAmount
          close: (code, reason) => socket.close(code, reason),
          terminate: () => socket.close(1011),
        });
      socket.onmessage = (event) =>
        link.message(typeof event.data === 'string' ? event.data : new Uint8Array(event.data));
      socket.onclose = (event) => link.ended(event.code, event.reason);
      socket.onerror = () => {}; // the close event follows with the code
      return response;
    },
  };
}

/** WS-16: the server is stopping: 1001 to every open connection. */
export function goingAway(upgrader: WebSocketUpgrader): void {
  for (const session of upgrader.open) session.goingAway();
}
