/**
 * The one socket a bridged exchange has: `req.socket` and `res.socket` of `fromNodeHandler`.
 * Its readable side is unused (the request body comes from `tsgi.input`, see `_request.ts`) but
 * must exist: `on-finished`, which body parsers consult, reads `req.socket.readable`. Its writable
 * side is where node's own `ServerResponse` writes the body bytes, and `pull()` is how
 * the TSGI response body takes them. A chunk is lent: its write callback, which is what node's
 * `write(chunk, cb)` and `'drain'` wait on, runs only when the engine asks for the next chunk,
 * so a framework that reuses its buffer after the callback never changes bytes still in flight
 * (BODY-19), and a slow client holds the framework back (BODY-02).
 */
import { Duplex } from 'node:stream';
import type { Environ } from '@tsgi/core';

const _HWM = 256 * 1024;

type _Callback = (err?: Error | null) => void;

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
  #lent = false;
  #finished = false;
  #discard = false;
  #wake: (() => void) | null = null;

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
    if (chunk.length === 0 || this.#discard) {
      done();
      return;
    }
    this.#pending = { chunk, done };
    this.#notify();
  }

  override _read(): void {}

  override _destroy(err: Error | null, cb: _Callback): void {
    const p = this.#pending;
    this.#pending = null;
    p?.done(err ?? null);
    this.#notify();
    cb(err);
  }

  /**
   * The next body chunk, `null` at the end. The previous chunk is released first: the engine
   * asks for the next one only when the sink is done with it (BODY-19). Rejects once the socket
   * is destroyed before the response finished (the handler's error, `res.destroy()`).
   */
  pull(): Uint8Array | null | Promise<Uint8Array | null> {
    this.#release();
    const p = this.#pending;
    if (p !== null) {
      this.#lent = true;
      return p.chunk;
    }
    if (this.#finished) return null;
    if (this.destroyed) throw this.errored ?? new Error('@tsgi/node-bridge: response destroyed');
    return new Promise<void>((resolve) => {
      this.#wake = resolve;
    }).then(() => this.pull());
  }

  /** Every chunk written so far, when nothing else is still to come (the `'whole'` fast path). */
  takeAll(): Uint8Array[] {
    const p = this.#pending;
    if (p === null) return [];
    this.#lent = true;
    return [p.chunk];
  }

  /** Bytes written and not yet released, ours and the writable buffer's. */
  get unreleased(): number {
    return this.writableLength;
  }

  /** The length of the chunk now held by `pull`/`takeAll` or waiting for it. */
  get held(): number {
    return this.#pending?.chunk.length ?? 0;
  }

  /** The response finished (`'finish'`): `pull()` ends once the last chunk is taken. */
  finish(): void {
    this.#finished = true;
    this.#notify();
  }

  /**
   * The engine is done with the body: release what it held, and from now on drop what is written
   * (a HEAD, 204 or 304 response, whose body the engine never takes, BODY-18).
   */
  discard(): void {
    this.#discard = true;
    this.#release();
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

  #release(): void {
    if (!this.#lent) return;
    this.#lent = false;
    const p = this.#pending;
    this.#pending = null;
    // May call `_write` again synchronously with the next buffered chunk.
    p?.done();
  }

  #notify(): void {
    const w = this.#wake;
    this.#wake = null;
    w?.();
  }
}

function _port(text: unknown): number | undefined {
  if (typeof text !== 'string' || text === '') return undefined;
  const n = Number(text);
  return Number.isInteger(n) ? n : undefined;
}

function _noop(): void {}
