/**
 * SRV-08: at most `maxConnections` open connections. node's own `server.maxConnections` closes a
 * connection over the limit without a word, which the client sees as a reset; here it gets
 * core's `503 Service Unavailable` with `Retry-After` and `Connection: close` (the response every
 * adapter sends for its own refusals) and an access-log line. Whatever the client sends is read
 * and dropped until it closes, or for one second, so the answer is not lost to a reset.
 */
import type { Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { refusalResponse } from '@tsgi/core';

const _LINGER_MS = 1000;

/** The bytes of the refusal, built once. */
function _refusalBytes(): Buffer {
  const own = refusalResponse('503 Service Unavailable');
  let head = `HTTP/1.1 ${own.status}\r\n`;
  for (const [name, value] of own.headers) head += `${name}: ${value}\r\n`;
  head += 'retry-after: 1\r\nconnection: close\r\n\r\n';
  return Buffer.concat([Buffer.from(head, 'latin1'), own.body]);
}

/**
 * Puts a gate in front of `server`'s own 'connection' listeners: past `max` open connections a
 * new one is refused (`onRefused` is told, for the log) and node:http never sees it. Over TLS
 * the refusal is a close: plain bytes would not reach a client still in its handshake.
 */
export function limitConnections(
  server: HttpServer | HttpsServer,
  max: number,
  perAddress: number,
  tls: boolean,
  onRefused: (socket: Socket, status: number, bytes: number) => void,
): Set<Socket> {
  const own = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const refusal = _refusalBytes();
  const bodyLength = refusalResponse('503 Service Unavailable').body.length;
  const sockets = new Set<Socket>();
  // Open connections per peer address, kept only with a per-address limit (one local client
  // must not take every slot, issue 22).
  const byAddress = perAddress < max ? new Map<string, number>() : undefined;
  server.on('connection', (socket: Socket) => {
    const address = byAddress === undefined ? undefined : (socket.remoteAddress ?? '');
    const fromAddress = address === undefined ? 0 : (byAddress!.get(address) ?? 0);
    if (sockets.size >= max || fromAddress >= perAddress) {
      socket.on('error', () => {});
      if (tls) {
        onRefused(socket, 0, 0);
        socket.destroy();
        return;
      }
      onRefused(socket, 503, bodyLength);
      socket.end(refusal);
      socket.resume(); // read and drop the request, so closing does not reset the connection
      socket.setTimeout(_LINGER_MS, () => socket.destroy());
      return;
    }
    sockets.add(socket);
    if (address !== undefined) byAddress!.set(address, fromAddress + 1);
    socket.once('close', () => {
      sockets.delete(socket);
      if (address === undefined) return;
      const n = byAddress!.get(address)! - 1;
      if (n === 0) byAddress!.delete(address);
      else byAddress!.set(address, n);
    });
    for (const listener of own) listener.call(server, socket);
  });
  return sockets;
}

/** Set on a socket once a request arrived on it (the listener does, `markServed`). */
const kServed = Symbol('tsgi.served');
/** Set on a socket given a grace period by `closeIdle`. */
const kGrace = Symbol('tsgi.grace');
/** Set on a socket node handed over on 'upgrade': its WebSocket closes it (WS-16), not closeIdle. */
const kUpgraded = Symbol('tsgi.upgraded');
type _Tracked = Socket & {
  [kServed]?: true;
  [kGrace]?: true;
  [kUpgraded]?: true;
  _httpMessage?: object | null;
};

/** The listener calls this for each request: the socket is no longer a fresh one. */
export function markServed(socket: Socket | null): void {
  if (socket !== null) (socket as _Tracked)[kServed] = true;
}

/** The upgrade listener calls this: the socket left node:http (ADP-NODE-23). */
export function markUpgraded(socket: Socket): void {
  (socket as _Tracked)[kUpgraded] = true;
  (socket as _Tracked)[kServed] = true;
}

/** How long a connection accepted but without a request yet may still send one when closing. */
const _GRACE_MS = 1000;

/**
 * SRV-09: closes the connections with no request in flight, as node's `closeIdleConnections`,
 * except one that has not sent a request yet: it may have been accepted an instant before the
 * server stopped accepting, its request on the way (node resets it: a worker recycled by
 * `--max-requests` lost requests so). It gets `_GRACE_MS` to send it, and the response closes it
 * (responses carry `Connection: close` while closing). Returns how many wait in grace;
 * `onGraceOver` runs as each one ends.
 */
export function closeIdle(sockets: Set<Socket>, onGraceOver: () => void): number {
  let waiting = 0;
  for (const socket of sockets as Set<_Tracked>) {
    if (socket._httpMessage != null) continue; // a response in progress; it closes after
    if (socket[kUpgraded] === true) continue; // an upgrade's: its own shutdown (_websocket.ts)
    if (socket[kServed] === true) {
      socket.destroy();
      continue;
    }
    waiting++;
    if (socket[kGrace] === true) continue;
    socket[kGrace] = true;
    const timer = setTimeout(() => {
      if (socket._httpMessage == null) socket.destroy();
    }, _GRACE_MS);
    socket.once('close', () => {
      clearTimeout(timer);
      onGraceOver();
    });
  }
  return waiting;
}

/** Connections still in their grace period (see `closeIdle`). */
export function inGrace(sockets: Set<Socket>): number {
  let n = 0;
  for (const socket of sockets as Set<_Tracked>) {
    if (socket[kGrace] === true && socket[kServed] !== true) n++;
  }
  return n;
}
