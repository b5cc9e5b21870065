/**
 * `tsgix.websocket` through `toFetch` (spec 20, ADP-FETCH-11..13), once for every fetch
 * runtime that can upgrade: the handshake check and the key (core), the takeover of the
 * request's sink, and a transport that holds what the application sends until the runtime's
 * socket opens (Bun calls `open` after the handler returned; Deno's socket is CONNECTING until
 * its 101 is out). The runtime's own part, `server.upgrade()` on Bun and
 * `Deno.upgradeWebSocket()` on Deno, is a `WebSocketUpgrader` in @tsgi/serve.
 */
import {
  ContractError,
  type Environ,
  type RequestAbort,
  type ResponseHeaders,
  WEBSOCKET_NOT_REQUESTED,
  type WebSocketAcceptOptions,
  type WebSocketConnection,
  type WebSocketLimits,
  type WebSocketMessage,
  WebSocketSession,
  type WebSocketTransport,
  websocketHandshake,
  websocketUpgrade,
} from '@tsgi/core';
import type { FetchSink } from './response-sink.js';

/** What the runtime's socket events report, once accepted. */
export interface WebSocketLink {
  /** The socket is open: what the application sent meanwhile goes out now. */
  open(transport: WebSocketTransport): void;
  message(data: WebSocketMessage): void;
  pong(): void;
  /** The runtime's send buffer drained (Bun's `drain`). */
  progress(): void;
  ended(code: number, reason: string): void;
}

/** The runtime's upgrade, supplied by the adapter that knows the runtime (@tsgi/serve). */
export interface WebSocketUpgrader {
  readonly limits?: WebSocketLimits;
  /** True when the runtime's transport can send pings (core's keepalive, WS-17). */
  readonly pings: boolean;
  /**
   * Performs the upgrade of `request` with the application's choice; returns the handler's
   * answer (Deno's 101 `Response`; `undefined` on Bun, where the handler returns nothing).
   * Throws when the runtime refuses.
   */
  upgrade(
    request: Request,
    info: unknown,
    choice: { protocol: string | undefined; headers: ResponseHeaders; compress: boolean },
    link: WebSocketLink,
  ): Response | undefined;
  /** Open connections, for the shutdown's 1001 (WS-16). */
  readonly open: Set<WebSocketSession>;
}

/**
 * WS-02, WS-04: adds the key to a request's environ; returns core's own answer for a malformed
 * handshake (WS-04), which the application never sees.
 */
export function offerWebSocket(
  upgrader: WebSocketUpgrader,
  environ: Environ,
  request: Request,
  info: unknown,
  sink: FetchSink,
  abort: RequestAbort,
) {
  const handshake = websocketHandshake(environ);
  if (handshake.kind === 'refuse') return handshake.response;
  environ['tsgix.websocket'] =
    handshake.kind === 'none'
      ? WEBSOCKET_NOT_REQUESTED
      : websocketUpgrade(handshake, (options) =>
          _accept(upgrader, request, info, sink, abort, options),
        );
  return undefined;
}

function _accept(
  upgrader: WebSocketUpgrader,
  request: Request,
  info: unknown,
  sink: FetchSink,
  abort: RequestAbort,
  options: WebSocketAcceptOptions,
): WebSocketConnection {
  if (sink.response !== undefined) throw new ContractError('WS-05', 'accept() after the response');
  const pending = new _PendingTransport(upgrader.pings);
  const session = new WebSocketSession(pending, options.protocol ?? '', '', upgrader.limits);
  const link: WebSocketLink = {
    open: (transport) => pending.attach(transport),
    message: (data) => session.message(data),
    pong: () => session.pong(),
    progress: () => session.progress(),
    ended: (code, reason) => session.ended(code, reason),
  };
  const answer = upgrader.upgrade(
    request,
    info,
    {
      protocol: options.protocol,
      headers: options.headers ?? [],
      compress: options.compress === true,
    },
    link,
  );
  upgrader.open.add(session);
  session.onEnded = () => {
    upgrader.open.delete(session);
    abort.abort(); // WS-07
  };
  sink.upgrade(session, answer);
  return session.connection;
}

/** Queues sends and a close until the runtime's socket is open, then is that socket. */
class _PendingTransport implements WebSocketTransport {
  #target: WebSocketTransport | undefined = undefined;
  #queue: Array<[WebSocketMessage, (error?: unknown) => void]> = [];
  #queued = 0;
  #close: [number, string] | undefined = undefined;
  readonly ping: (() => void) | undefined;

  constructor(pings: boolean) {
    this.ping = pings ? () => this.#target?.ping?.() : undefined;
  }

  get drainEvents(): boolean {
    return this.#target?.drainEvents ?? false;
  }

  get bufferedAmount(): number {
    return this.#target?.bufferedAmount ?? this.#queued;
  }

  send(message: WebSocketMessage, done: (error?: unknown) => void): void {
    if (this.#target !== undefined) {
      this.#target.send(message, done);
      return;
    }
    this.#queue.push([message, done]);
    this.#queued += typeof message === 'string' ? message.length : message.byteLength;
  }

  close(code: number, reason: string): void {
    if (this.#target !== undefined) this.#target.close(code, reason);
    else this.#close ??= [code, reason];
  }

  terminate(): void {
    if (this.#target !== undefined) this.#target.terminate();
    else this.#close ??= [1011, ''];
  }

  attach(target: WebSocketTransport): void {
    this.#target = target;
    for (const [message, done] of this.#queue.splice(0)) target.send(message, done);
    this.#queued = 0;
    if (this.#close !== undefined) target.close(...this.#close);
  }
}
