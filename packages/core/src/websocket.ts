/**
 * The WebSocket message API (spec 20) once for every adapter: the received-message queue with
 * its bound (WS-12), `send()` backpressure (WS-11), the closing handshake (WS-13), the size limit
 * (WS-14) and the keepalive ping (WS-17). An adapter only moves frames: it implements
 * `WebSocketTransport` over its runtime's socket (the `ws` package on node:http, Bun's
 * `ServerWebSocket`, Deno's `WebSocket`) and reports what arrives to the `WebSocketSession`.
 * Language-level pieces only, plus `setTimeout`, which every runtime has.
 */
import { isChunk } from './chunk.js';
import { ClientDisconnectError, ContractError } from './errors.js';
import type { WebSocketClose, WebSocketConnection, WebSocketMessage } from './types.js';
import { checkCloseArguments } from './websocket-handshake.js';

/** What an adapter gives the session: its runtime's socket, reduced to what RFC 6455 needs. */
export interface WebSocketTransport {
  /** Frames and sends one whole message; calls `done` once the transport is done with the bytes. */
  send(message: WebSocketMessage, done: (error?: unknown) => void): void;
  /** Bytes accepted by `send` and not yet handed to the operating system. */
  readonly bufferedAmount: number;
  /** True when the adapter calls `progress()` as the buffer drains; else the session polls. */
  readonly drainEvents: boolean;
  /** Sends a close frame (RFC 6455 §5.5.1); the adapter reports the end with `ended()`. */
  close(code: number, reason: string): void;
  /** Drops the connection without a closing handshake (keepalive timeout, §7.1.1). */
  terminate(): void;
  /** Sends a ping (§5.5.2); without it the runtime keeps the connection alive itself. */
  readonly ping?: (() => void) | undefined;
  /** Stops reading from the socket; with `resume`, how WS-12 bounds the unread queue. */
  pause?(): void;
  resume?(): void;
}

/** WS-14, WS-11, WS-12, WS-17: the limits, each with its default. */
export interface WebSocketLimits {
  /** Largest message received, in bytes (default 16 MiB, uvicorn's `--ws-max-size`): 1009 past it. */
  maxMessageSize?: number;
  /** `send()` waits while more than this many bytes are buffered (default 1 MiB). */
  highWaterMark?: number;
  /** Interval between keepalive pings in ms (default 20 000, uvicorn's); 0 disables. */
  pingInterval?: number;
  /** How long a ping may wait for its pong in ms (default 20 000); then the connection closes 1011. */
  pingTimeout?: number;
}

export const WEBSOCKET_DEFAULTS: Readonly<Required<WebSocketLimits>> = Object.freeze({
  maxMessageSize: 16 * 1024 * 1024,
  highWaterMark: 1024 * 1024,
  pingInterval: 20_000,
  pingTimeout: 20_000,
});

const _encoder = new TextEncoder();
const _POLL_MS = 5;

/** A message's size in bytes; a string's UTF-8 length is computed only when it could matter. */
function _size(message: WebSocketMessage, limit: number): number {
  if (typeof message !== 'string') return message.byteLength;
  return message.length * 3 <= limit ? message.length : _encoder.encode(message).length;
}

type _Waiter = { resolve: () => void; reject: (error: unknown) => void };

/** One accepted connection: the adapter's side. `connection` is what the application gets. */
export class WebSocketSession {
  readonly connection: WebSocketConnection;
  readonly #transport: WebSocketTransport;
  readonly #limits: Required<WebSocketLimits>;
  readonly #queue: WebSocketMessage[] = [];
  #queued = 0;
  #paused = false;
  readonly #readers: Array<(result: IteratorResult<WebSocketMessage>) => void> = [];
  readonly #drains: _Waiter[] = [];
  #poll: ReturnType<typeof setTimeout> | undefined = undefined;
  #ping: ReturnType<typeof setTimeout> | undefined = undefined;
  #state: 'open' | 'closing' | 'closed' = 'open';
  #end: WebSocketClose | undefined = undefined;
  #settle!: (close: WebSocketClose) => void;
  readonly #closed: Promise<WebSocketClose>;
  /** Called once when the connection has ended (the adapter aborts `tsgi.signal`, WS-07). */
  onEnded: ((close: WebSocketClose) => void) | undefined = undefined;

  constructor(
    transport: WebSocketTransport,
    protocol: string,
    extensions: string,
    limits: WebSocketLimits = {},
  ) {
    this.#transport = transport;
    this.#limits = { ...WEBSOCKET_DEFAULTS, ...limits };
    this.#closed = new Promise((resolve) => {
      this.#settle = resolve;
    });
    this.connection = _connection(this, protocol, extensions);
    this.#schedulePing();
  }

  get closed(): Promise<WebSocketClose> {
    return this.#closed;
  }

  get bufferedAmount(): number {
    return this.#state === 'closed' ? 0 : this.#transport.bufferedAmount;
  }

  // ---- from the adapter ----

  /** A whole message arrived (the runtime has reassembled fragments and checked UTF-8, WS-10). */
  message(data: WebSocketMessage): void {
    if (this.#state === 'closed') return;
    const size = _size(data, this.#limits.maxMessageSize);
    if (size > this.#limits.maxMessageSize) {
      this.#closeWith(1009, 'message too big'); // WS-14, RFC 6455 §7.4.1
      return;
    }
    const reader = this.#readers.shift();
    if (reader !== undefined) {
      reader({ value: data, done: false });
      return;
    }
    this.#queue.push(data);
    this.#queued += size;
    // WS-12: past the high-water mark stop reading; a runtime that cannot pause is closed 1008
    // once the unread messages exceed what one more largest message would need.
    if (this.#queued > this.#limits.highWaterMark && !this.#paused) {
      if (this.#transport.pause !== undefined) {
        this.#paused = true;
        this.#transport.pause();
      } else if (this.#queued > this.#limits.maxMessageSize + this.#limits.highWaterMark) {
        this.#closeWith(1008, 'receive queue full');
      }
    }
  }

  /** A pong arrived: the peer is alive (WS-17). */
  pong(): void {
    if (this.#ping !== undefined) clearTimeout(this.#ping);
    this.#ping = undefined;
    this.#schedulePing();
  }

  /** The transport's buffer shrank: resolve the `send()` calls waiting for it (WS-11). */
  progress(): void {
    if (this.#transport.bufferedAmount > this.#limits.highWaterMark) return;
    for (const w of this.#drains.splice(0)) w.resolve();
  }

  /** The connection is closed (close frames exchanged, or lost: 1006). Idempotent. */
  ended(code: number, reason: string): void {
    if (this.#state === 'closed') return;
    this.#state = 'closed';
    const close: WebSocketClose = Object.freeze({ code, reason });
    this.#end = close;
    if (this.#ping !== undefined) clearTimeout(this.#ping);
    if (this.#poll !== undefined) clearTimeout(this.#poll);
    for (const r of this.#readers.splice(0)) r({ value: undefined, done: true });
    for (const w of this.#drains.splice(0)) w.reject(new ClientDisconnectError('WebSocket closed'));
    this.#settle(close);
    this.onEnded?.(close);
  }

  /** WS-15: the application has returned (1000) or thrown (1011): close what is still open. */
  finish(error: unknown): void {
    if (this.#state === 'open') this.#closeWith(error === undefined ? 1000 : 1011, '');
  }

  /** Drops the connection without a closing handshake (shutdown out of time): 1006. */
  terminate(): void {
    if (this.#state === 'closed') return;
    this.#transport.terminate();
    this.ended(1006, '');
  }

  /** WS-16: the server is shutting down: 1001 Going Away. */
  goingAway(): void {
    if (this.#state === 'open') this.#closeWith(1001, 'server shutting down');
  }

  // ---- from the application ----

  send(message: WebSocketMessage): Promise<void> {
    if (typeof message !== 'string' && !isChunk(message)) {
      return Promise.reject(new ContractError('WS-10', 'send() takes a string or a Uint8Array'));
    }
    if (this.#state === 'closed')
      return Promise.reject(new ClientDisconnectError('WebSocket closed'));
    if (this.#state === 'closing') {
      return Promise.reject(new ContractError('WS-13', 'send() after close()'));
    }
    return new Promise((resolve, reject) => {
      this.#transport.send(message, (error) => {
        if (error !== undefined && error !== null) {
          reject(new ClientDisconnectError('WebSocket closed'));
        } else if (this.#state === 'closed' || this.bufferedAmount <= this.#limits.highWaterMark) {
          resolve();
        } else {
          this.#drains.push({ resolve, reject });
          if (!this.#transport.drainEvents) this.#startPoll();
        }
      });
    });
  }

  close(code = 1000, reason = ''): Promise<WebSocketClose> {
    checkCloseArguments(code, reason);
    if (this.#state === 'open') this.#closeWith(code, reason);
    return this.#closed;
  }

  next(): Promise<IteratorResult<WebSocketMessage>> {
    const value = this.#queue.shift();
    if (value !== undefined) {
      this.#queued -= _size(value, this.#limits.maxMessageSize);
      if (this.#paused && this.#queued <= this.#limits.highWaterMark / 2) {
        this.#paused = false;
        this.#transport.resume?.();
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.#state === 'closed') return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.#readers.push(resolve));
  }

  get end(): WebSocketClose | undefined {
    return this.#end;
  }

  #closeWith(code: number, reason: string): void {
    this.#state = 'closing';
    this.#transport.close(code, reason);
  }

  #startPoll(): void {
    if (this.#poll !== undefined) return;
    this.#poll = setTimeout(() => {
      this.#poll = undefined;
      this.progress();
      if (this.#drains.length > 0 && this.#state !== 'closed') this.#startPoll();
    }, _POLL_MS);
  }

  /** WS-17: a ping every `pingInterval`; no pong within `pingTimeout` closes 1011 and drops. */
  #schedulePing(): void {
    const { pingInterval, pingTimeout } = this.#limits;
    if (this.#transport.ping === undefined || pingInterval <= 0 || this.#state === 'closed') return;
    this.#ping = setTimeout(() => {
      if (this.#state === 'closed') return;
      // Paused (WS-12), the transport reads nothing, a pong included: the peer is not idle, the
      // application is; check again later rather than time a pong that cannot be read.
      if (this.#paused) return this.#schedulePing();
      this.#transport.ping!();
      this.#ping = setTimeout(() => {
        this.#ping = undefined;
        this.#closeWith(1011, 'keepalive ping timeout');
        this.#transport.terminate();
      }, pingTimeout);
    }, pingInterval);
  }
}

/** The application's view: the session's public methods, nothing of the adapter's side. */
function _connection(
  session: WebSocketSession,
  protocol: string,
  extensions: string,
): WebSocketConnection {
  const iterator: AsyncIterator<WebSocketMessage> = {
    next: () => session.next(),
    // Leaving a `for await` loop does not close the connection (WS-09); returning does (WS-15).
    return: () => Promise.resolve({ value: undefined, done: true }),
  };
  return Object.freeze({
    protocol,
    extensions,
    get bufferedAmount() {
      return session.bufferedAmount;
    },
    get closed() {
      return session.closed;
    },
    send: (message: WebSocketMessage) => session.send(message),
    close: (code?: number, reason?: string) => session.close(code, reason),
    [Symbol.asyncIterator]: () => iterator,
  });
}
