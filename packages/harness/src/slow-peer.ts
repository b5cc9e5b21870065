/**
 * Slow readers for backpressure tests: a raw-socket client that reads with pauses
 * (`readSlowly`), and a simulated connection whose peer reads slowly (`SlowPeerSocket`), which
 * shows exactly which bytes a server let go of too early. Exported by `@tsgi/harness/reuse`.
 * @module
 */
import { connect } from 'node:net';
import { Duplex } from 'node:stream';

/** Where `readSlowly` connects: TCP on 127.0.0.1, or a Unix socket. */
export type SlowAddress = { port: number } | { path: string };

/** Options for `readSlowly`. */
export interface SlowReadOptions {
  /** Nothing is read for this long after the request is sent (default 100 ms). */
  holdMs?: number;
  /** Called once the hold is over, before the first read (e.g. to check the app was held back). */
  onHeld?: () => void;
  /** Pause between two reads (default 2 ms); each read takes what one 'data' event brings. */
  pauseMs?: number;
}

/**
 * A slow client on a raw socket: sends `request`, reads nothing for a while, then reads with
 * pauses, so the server's socket buffers fill and its backpressure engages. Resolves with every
 * byte received once the server has closed the connection (send `Connection: close`).
 */
export function readSlowly(
  address: SlowAddress,
  request: string | Uint8Array,
  options: SlowReadOptions = {},
): Promise<Buffer> {
  const socket = 'path' in address ? connect(address.path) : connect(address.port, '127.0.0.1');
  socket.pause();
  const parts: Buffer[] = [];
  const pauseMs = options.pauseMs ?? 2;
  return new Promise((resolve, reject) => {
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      parts.push(d);
      socket.pause();
      setTimeout(() => socket.resume(), pauseMs);
    });
    socket.on('close', () => resolve(Buffer.concat(parts)));
    socket.once('connect', () => {
      socket.write(typeof request === 'string' ? Buffer.from(request, 'latin1') : request);
      setTimeout(() => {
        options.onHeld?.();
        socket.resume();
      }, options.holdMs ?? 100);
    });
  });
}

/** Options for `SlowPeerSocket`. */
export interface SlowPeerOptions {
  /** Bytes the "kernel" buffers between the server and the peer (default 64 KiB). */
  capacity?: number;
  /** Bytes the peer reads every millisecond (default 16 KiB). */
  rate?: number;
}

/**
 * A connected socket whose peer reads slowly, made of a Duplex so a test can hand it to a server
 * directly (`http.Server`'s 'connection' event, `FastCGIServer.handle`) and know exactly what
 * happens to each write: the "kernel" holds `capacity` bytes and the peer takes `rate` bytes a
 * millisecond. A write copies what fits at once and keeps the rest by reference until there is
 * room, as libuv does when a socket is full, so bytes a server hands back to the application
 * before its write has completed arrive overwritten. `received()` is what the peer got.
 */
export class SlowPeerSocket extends Duplex {
  readonly #capacity: number;
  readonly #rate: number;
  readonly #out: Buffer[] = [];
  #buffered = 0;
  #waiting: { bufs: Uint8Array[]; next: number; cb: () => void } | null = null;
  readonly #timer: NodeJS.Timeout;
  /** Settles once the server has ended or destroyed its side and every write completed. */
  readonly done: Promise<void>;

  constructor(options: SlowPeerOptions = {}) {
    super();
    this.#capacity = options.capacity ?? 64 * 1024;
    this.#rate = options.rate ?? 16 * 1024;
    this.#timer = setInterval(() => {
      this.#buffered = Math.max(0, this.#buffered - this.#rate);
      const w = this.#waiting;
      this.#waiting = null;
      if (w !== null) this.#take(w.bufs, w.next, w.cb);
    }, 1);
    this.done = new Promise((resolve) => {
      const end = (): void => {
        clearInterval(this.#timer);
        resolve();
      };
      this.once('finish', end);
      this.once('close', end);
    });
  }

  /** Bytes from the peer (a request), for the server to read. */
  send(bytes: Uint8Array | string): void {
    this.push(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  /** Everything the peer has received so far. */
  received(): Buffer {
    return Buffer.concat(this.#out);
  }

  /** Takes `bufs` from index `next` on while there is room; the rest waits for the peer. */
  #take(bufs: Uint8Array[], next: number, cb: () => void): void {
    for (; next < bufs.length; next++) {
      const room = this.#capacity - this.#buffered;
      if (room <= 0) {
        this.#waiting = { bufs, next, cb };
        return;
      }
      const b = bufs[next]!;
      const n = Math.min(room, b.length);
      this.#out.push(Buffer.from(b.subarray(0, n))); // the kernel copies what it takes
      this.#buffered += n;
      if (n < b.length) {
        bufs[next] = b.subarray(n);
        next--; // the rest of this one, once there is room
      }
    }
    cb();
  }

  override _write(chunk: Uint8Array, _encoding: BufferEncoding, cb: () => void): void {
    this.#take([chunk], 0, cb);
  }

  override _writev(chunks: Array<{ chunk: Uint8Array }>, cb: () => void): void {
    this.#take(
      chunks.map((c) => c.chunk),
      0,
      cb,
    );
  }

  override _read(): void {}

  override _destroy(err: Error | null, cb: (err: Error | null) => void): void {
    clearInterval(this.#timer);
    cb(err);
  }

  // What servers call on a net.Socket.
  destroySoon(): void {
    this.end();
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}
