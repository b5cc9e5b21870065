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
  tls: boolean,
  onRefused: (socket: Socket, status: number, bytes: number) => void,
): void {
  const own = server.listeners('connection') as Array<(socket: Socket) => void>;
  server.removeAllListeners('connection');
  const refusal = _refusalBytes();
  const bodyLength = refusalResponse('503 Service Unavailable').body.length;
  let open = 0;
  const closed = (): void => {
    open--;
  };
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
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
    open++;
    socket.once('close', closed);
    for (const listener of own) listener.call(server, socket);
  });
}
