/**
 * How a fetch handler under `fromFetch` says "I accepted the WebSocket" (spec 20): fetch has no
 * `101` Response (the constructor refuses status 101), so the handler returns the stand-in this
 * module makes, and `fromFetch` then keeps the TSGI call open until the session ends (WS-15: the
 * connection lives as long as the call) instead of sending a response (WS-06).
 */
import type { WebSocketConnection } from '@tsgi/core';

const _sessions = new WeakMap<Response, Promise<unknown>>();

/**
 * The Response a fetch handler returns after `environ['tsgix.websocket'].accept()`. `done`
 * settles when the handler's work on the connection is over (default: the connection closed);
 * when it rejects, the server closes with 1011 and logs the error (WS-15).
 */
export function webSocketResponse(
  connection: WebSocketConnection,
  done: Promise<unknown> = connection.closed,
): Response {
  const stand = new Response(null, { status: 200 });
  _sessions.set(stand, done);
  return stand;
}

/** The session behind a stand-in Response, or undefined for an ordinary one. */
export function takenOver(response: Response): Promise<unknown> | undefined {
  return _sessions.get(response);
}
