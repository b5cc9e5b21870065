/**
 * The one socket a bridged exchange has: `req.socket` and `res.socket` of `fromNodeHandler`.
 * Its readable side is unused (the request body comes from `tsgi.input`, see `_request.ts`) but
 * must exist: `on-finished`, which body parsers consult, reads `req.socket.readable`. Its writable
 * side is where node's own `ServerResponse` writes the body bytes. A chunk is lent: its write
 * callback, which is what node's `write(chunk, cb)` and `'drain'` wait on, runs only once the TSGI
 * server is done with its bytes, so a framework that reuses its buffer after the callback never
 * changes bytes still in flight (BODY-19), and a slow client holds the framework back (BODY-02).
 * Until the exchange knows how the response goes out, the chunk waits here (`takeAll` for a
 * response written whole, `stream` for one written piece by piece).
 */
import { Duplex } from 'node:stream';
import type { Environ, Write } from '@tsgi/core';

const _HWM = 256 * 1024;

type _Callback = (err?: Error | null) => void;
/** A write callback as a `then` handler of `write`'s promise, which resolves with nothing. */
type _Settled = (result: unknown) => void;

interface _Pending {
  chunk: Uint8Array;
  done: _Callback;
}

/** A `net.Socket` look-alike: addresses from environ, no-op socket options, a pull-side outlet. */
export class BridgeSocket extends Duplex {
  /** REMOTE_ADDR (ENV-17): what `req.ip` and `req.socket.remoteAddress` report. */
  readonly remoteAddress: string | undefined;
  readonly remotePort: number | undefined;
  readonly remoteFamily: string | undefined;
  readonly localAddress: string | undefined;
  readonly localPort: number | undefined;
  /** Set only for `tsgi.url_scheme` `https`, as on a `TLSSocket`: Express's `req.protocol`. */
  readonly encrypted: true | undefined;
  // Writable serialises writes: at most one chunk is ever in `_write` and not yet called back.
  #pending: _Pending | null = null;
  #discard = false;
  /** `startResponse`'s write, once the response streams: each chunk goes straight to it. */
  #write: Write | null = null;

  constructor(environ: Environ) {
    // 256 KiB before write() says wait: chunks queue by reference (never copied), so a
    // `req.pipe(res)` keeps reading while the engine sends, as a kernel socket buffer would let it.
    super({ allowHalfOpen: true, decodeStrings: true, writableHighWaterMark: _HWM });
    this.remoteAddress = environ.REMOTE_ADDR;
    this.remotePort = _port(environ.REMOTE_PORT);
    this.remoteFamily =
      environ.REMOTE_ADDR === undefined
        ? undefined
        : environ.REMOTE_ADDR.includes(':')
          ? 'IPv6'
          : 'IPv4';
    const local = environ.SERVER_ADDR;
    this.localAddress = typeof local === 'string' ? local : undefined;
    this.localPort = _port(environ.SERVER_PORT);
    this.encrypted = environ['tsgi.url_scheme'] === 'https' ? true : undefined;
    // What node's server does for its sockets: an error ends the exchange, never the process.
    this.on('error', _noop);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: _Callback): void {
    if (chunk.length === 0 || this.#discard) done();
    else if (this.#write !== null) this.#write(chunk).then(done as _Settled, done);
    else this.#pending = { chunk, done };
  }

  override _read(): void {}

  override _destroy(err: Error | null, cb: _Callback): void {
    const p = this.#pending;
    this.#pending = null;
    p?.done(err ?? null);
    cb(err);
  }

  /**
   * The response streams (WR-01): from now on every chunk goes to `write` from within node's own
   * `write()`, as node:http hands it to its socket, and is called back when `write`'s promise
   * resolves (the server is done with its bytes) or fails with its rejection (a disconnect).
   */
  stream(write: Write): void {
    this.#write = write;
    const p = this.#pending;
    this.#pending = null;
    if (p !== null) write(p.chunk).then(p.done as _Settled, p.done);
  }

  /** Every chunk written so far, when nothing else is still to come (the `'whole'` fast path). */
  takeAll(): Uint8Array[] {
    const p = this.#pending;
    return p === null ? [] : [p.chunk];
  }

  /** Bytes written and not yet released, ours and the writable buffer's. */
  get unreleased(): number {
    return this.writableLength;
  }

  /** The length of the chunk waiting here. */
  get held(): number {
    return this.#pending?.chunk.length ?? 0;
  }

  /**
   * The engine is done with the whole body: release what it held, and from now on drop what is
   * written (a HEAD, 204 or 304 response, whose body the engine never takes, BODY-18).
   */
  discard(): void {
    this.#discard = true;
    const p = this.#pending;
    this.#pending = null;
    p?.done();
  }

  setTimeout(_ms: number, cb?: () => void): this {
    if (cb !== undefined) this.once('timeout', cb);
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  address(): { address: string; family: string; port: number } | Record<string, never> {
    if (this.localAddress === undefined) return {};
    return {
      address: this.localAddress,
      family: this.localAddress.includes(':') ? 'IPv6' : 'IPv4',
      port: this.localPort ?? 0,
    };
  }
}

function _port(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) ? n : undefined;
}

function _noop(): void {}
