/**
 * A raw TCP connection for the suite: requests go out byte for byte as the case wrote them, and
 * every byte that comes back is seen, including bytes a client library would hide (interim 100
 * responses, body bytes after a HEAD, a response cut short).
 */
import { connect, type Socket } from 'node:net';
import { type RawResponse, ResponseParser } from './http-parser.js';

/** Thrown when a response does not arrive in time. */
export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`no ${what} within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** Options for reading one response. */
export interface ReadOptions {
  /** The request was HEAD: the response has no body whatever its headers say. */
  head?: boolean;
  /** Give up after this many ms (default 5000). */
  timeout?: number;
  /** Count body bytes without keeping them (for big bodies). */
  keepBody?: boolean;
  /**
   * A connection closed before any response byte yields status 0, incomplete, instead of an
   * error: for aborted responses, where nothing at all is one way to be detectably incomplete.
   */
  orNothing?: boolean;
}

/** The response read from a connection that closed without one: status 0, incomplete. */
export function noResponse(reason = '(connection closed before any response)'): RawResponse {
  return {
    version: '',
    status: 0,
    reason,
    headers: [],
    body: new Uint8Array(0),
    framing: 'none',
    complete: false,
    chunkSizes: [],
    trailers: [],
    interim: [],
    header: () => undefined,
    headerAll: () => [],
    text: () => '',
  };
}

/** What `orNothing` reads return when the connection closed without a byte. */
const _NOTHING: RawResponse = noResponse();

/** One client connection. */
export class Connection {
  readonly socket: Socket;
  #pending: Buffer[] = [];
  #received = 0;
  #closed = false;
  #wake: (() => void) | undefined;
  readonly closed: Promise<void>;
  /** Applied to every response read (the suite's kit takes inline observations off them). */
  filter: ((res: RawResponse) => RawResponse) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.#pending.push(d);
      this.#received += d.length;
      this.#notify();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', () => {
        this.#closed = true;
        this.#notify();
        resolve();
      });
    });
    socket.on('error', () => {});
  }

  /** Opens a connection to the host and port of `url`. */
  static open(url: URL, timeout = 5000): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: Number(url.port),
      });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new TimeoutError('connection', timeout));
      }, timeout);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        resolve(new Connection(socket));
      });
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
  }

  /** True once the peer closed (or the socket was destroyed). */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Total bytes received on this connection. */
  get received(): number {
    return this.#received;
  }

  /** Sends bytes; a string is sent as a byte string (one octet per code unit). */
  send(data: string | Uint8Array): void {
    this.socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Half-closes: the server sees end of stream, the response can still arrive. */
  end(): void {
    this.socket.end();
  }

  /** Closes at once, as a client that goes away does. */
  destroy(): void {
    this.socket.destroy();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }

  /** Waits for unread data or close, up to `deadline`; false on timeout. */
  #wait(deadline: number): Promise<boolean> {
    if (this.#pending.length > 0 || this.#closed) return Promise.resolve(true);
    return this.#next(deadline);
  }

  /** Waits for the next data or close event, up to `deadline`; false on timeout. */
  #next(deadline: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(true);
    const ms = deadline - Date.now();
    if (ms <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.#wake = undefined;
        resolve(false);
      }, ms);
      this.#wake = () => {
        clearTimeout(t);
        resolve(true);
      };
    });
  }

  /** Bytes not yet consumed by a read, returned and consumed. */
  drain(): Buffer {
    const out = Buffer.concat(this.#pending);
    this.#pending = [];
    return out;
  }

  /** Puts bytes back in front (what a parser left over). */
  #unshift(bytes: Buffer): void {
    if (bytes.length > 0) this.#pending.unshift(bytes);
  }

  /** Waits until the unread bytes satisfy `test`; false when `ms` pass first or on close. */
  async waitUntil(test: (unread: Buffer) => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      const unread = Buffer.concat(this.#pending);
      this.#pending = unread.length > 0 ? [unread] : [];
      if (test(unread)) return true;
      if (this.#closed || !(await this.#next(deadline))) return false;
    }
  }

  /**
   * Waits until at least `n` bytes are available unread or the connection closes; resolves
   * false when `ms` pass first. Reads nothing.
   */
  async waitForBytes(n: number, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    for (;;) {
      const have = this.#pending.reduce((a, b) => a + b.length, 0);
      if (have >= n) return true;
      if (this.#closed) return false;
      if (!(await this.#next(deadline))) return false;
    }
  }

  #filtered(res: RawResponse): RawResponse {
    return this.filter === undefined ? res : this.filter(res);
  }

  /**
   * Reads one response. Resolves with `complete: false` when the connection closes before the
   * body's framing is satisfied; rejects with `TimeoutError` when nothing (more) arrives in time.
   */
  async readResponse(options: ReadOptions = {}): Promise<RawResponse> {
    const ms = options.timeout ?? 5000;
    const deadline = Date.now() + ms;
    const parser = new ResponseParser(options);
    for (;;) {
      const data = this.drain();
      if (data.length > 0 && parser.push(data)) {
        this.#unshift(parser.rest);
        return this.#filtered(parser.result());
      }
      if (this.#closed && this.#pending.length === 0) {
        const res = parser.finish();
        if (res !== undefined) return this.#filtered(res);
        if (options.orNothing === true) return _NOTHING;
        throw new Error('connection closed before a response');
      }
      if (!(await this.#wait(deadline)))
        throw new TimeoutError(parser.headed ? 'complete response body' : 'response', ms);
    }
  }
}
