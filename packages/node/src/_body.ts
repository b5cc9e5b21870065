/**
 * The response body's way into node:http (BODY-19, ADP-NODE-12, ADP-NODE-02). `res.write(chunk)`
 * keeps a reference to the chunk: node:http corks the socket until the next tick, and what the
 * kernel does not take at once stays queued until it does. The engine asks the application for
 * its next chunk as soon as `write()` returns (BODY-17), so a chunk is either copied or written
 * where it is and waited for; an Array's chunks are the app's again only at the completion hook,
 * which the engine calls once `end()` has settled.
 */
import type { ServerResponse } from 'node:http';
import type { ServerHttp2Stream } from 'node:http2';

/** What the body path keeps on the exchange. */
export interface BodyState {
  /** node:http's response, or an HTTP/2 stream: the same Writable calls serve both. */
  readonly res: ServerResponse | ServerHttp2Stream;
  /** An HTTP/2 stream (ADP-NODE-17): its socket is the session's, never ours to uncork. */
  readonly h2: boolean;
  /** The whole body is at hand (an Array): its chunks and end() follow in this same tick. */
  whole: boolean;
  /** The whole body's last chunk so far, sent with end(). */
  held: Uint8Array | null;
  /** Some of a whole body went to node uncopied: end() may have to wait for 'finish'. */
  inPlace: boolean;
  /** Resolves the engine's wait ('drain', a write's callback, 'finish'); 'close' resolves it too. */
  pending: (() => void) | null;
  /**
   * Copies made in this tick and not yet given to node, `runStart` to `runEnd` of `runSlab`:
   * one write at the end of the tick (`flushRun`).
   */
  runSlab: Slab | null;
  runStart: number;
  runEnd: number;
  /** Watches the response for 'close' (idempotent). */
  watch(): void;
}

/** Bytes queued on a response before the engine waits for 'drain' (ADP-NODE-02's bound). */
const _QUEUE_LIMIT = 128 * 1024;

/**
 * Chunks up to this size are copied, side by side, and the copies of one tick go to node as one
 * write (`_appendCopy`). Larger ones are written where they are, the socket is flushed
 * at once, and the engine waits only when the kernel did not take them all. Server CPU per
 * response against writing uncopied (which BODY-19 forbids), loopback: 64 KiB as 16 chunks of
 * 4 KiB 0.94 copied, 2.1 flushed per chunk; 2 chunks of 32 KiB 1.10 copied, 1.25 flushed;
 * 1 MiB as 64 KiB chunks 1.19 copied, 0.90 flushed. Waiting for the write's callback instead of
 * flushing costs about the same CPU plus a tick per chunk. With the copies of a tick written as
 * one (issue 17), 64 KiB as 16 chunks of 4 KiB costs 0.86 of raw node:http's 16 `res.write`s in
 * server CPU per response, and 0.70 of the uncopied adapter before (one interleaved run, 6 rounds).
 */
const _COPY_LIMIT = 32 * 1024;

/** Largest whole body sent as a latin-1 string with the head (see `endBody`). */
const _STRING_BODY_LIMIT = 1024;
const _latin1Slice = Buffer.prototype.latin1Slice as (
  this: Uint8Array,
  start: number,
  end: number,
) => string;

/** Copies are cut from slabs of this size, as node's own pool cuts small Buffers from 8 KiB. */
const _SLAB_SIZE = 64 * 1024;
/** Slabs kept for reuse once node has written every copy cut from them (512 KiB at most). */
const _FREE_MAX = 8;

/**
 * A slab, reused once every copy cut from it has been written: a fresh 64 KiB ArrayBuffer per
 * 64 KiB of copies made V8 collect garbage for them (bench: 4 chunks of 16 KiB cost 1.37 times
 * the uncopied write; 1.04 without the allocation). A slab node never reports back on (a
 * response destroyed before it had a socket) is simply left to the garbage collector.
 */
export class Slab {
  readonly buf = Buffer.allocUnsafeSlow(_SLAB_SIZE);
  used = 0;
  /** Runs of copies node has not finished writing. */
  pending = 0;
  /** Full: back to `_free` once `pending` is 0. */
  retired = false;
  /** The write callback of every run cut from this slab (one function, so node counts calls). */
  readonly written = (): void => {
    if (--this.pending === 0 && this.retired) _recycle(this);
  };
}

const _free: Slab[] = [];
let _slab = new Slab();

function _recycle(slab: Slab): void {
  slab.used = 0;
  slab.retired = false;
  if (_free.length < _FREE_MAX) _free.push(slab);
}

/** The slab to cut a copy of `n` bytes (at most `_COPY_LIMIT`, half a slab) from. */
function _slabFor(n: number): Slab {
  let slab = _slab;
  if (n > _SLAB_SIZE - slab.used) {
    slab.retired = true;
    if (slab.pending === 0) _recycle(slab);
    slab = _free.pop() ?? new Slab();
    _slab = slab;
  }
  return slab;
}

/**
 * Copies a small chunk (BODY-19) next to the copies before it in this tick; the run goes to node
 * as one write when the tick ends (`flushRun`), so a body of 16 chunks of 4 KiB leaves as one
 * chunked-coding chunk, not sixteen, each with its size line and its own write. node:http corks
 * the socket until the next tick anyway, so nothing leaves later than it would have (figures at
 * `_COPY_LIMIT`).
 */
function _appendCopy(ex: BodyState, chunk: Uint8Array): void {
  let slab = ex.runSlab;
  if (slab === null || slab.used !== ex.runEnd || chunk.length > _SLAB_SIZE - slab.used) {
    flushRun(ex); // another response cut from the slab since, or the slab is full
    slab = _slabFor(chunk.length);
    ex.runSlab = slab;
    ex.runStart = slab.used;
    slab.pending++; // the run's write: the slab is not recycled until node has written it
    process.nextTick(flushRun, ex);
  }
  slab.buf.set(chunk, slab.used);
  slab.used += chunk.length;
  ex.runEnd = slab.used;
}

/** Gives the run of copies to node: at the end of the tick, or before any other write or end. */
export function flushRun(ex: BodyState): void {
  const slab = ex.runSlab;
  if (slab === null) return;
  ex.runSlab = null;
  if (slab.used === ex.runEnd) slab.used = (slab.used + 7) & ~7; // 8-byte aligned, as node's pool
  if (ex.res.destroyed) slab.written();
  else ex.res.write(slab.buf.subarray(ex.runStart, ex.runEnd), slab.written);
}

/**
 * Sends one chunk (the sink's write() once the response is known to be open). `owned`: the chunk
 * is node's own request body Buffer, passed through from `tsgi.input` (core's pumpInput); node
 * never reuses those, so it is written where it is, as `req.pipe(res)` would.
 */
export function writeBody(ex: BodyState, chunk: Uint8Array, owned: boolean): void | Promise<void> {
  const res = ex.res;
  let room: boolean;
  if (ex.whole) {
    // The whole body is at hand and end() comes in this same tick, so holding one chunk
    // delays nothing, and end(chunk) lets node send head and body in a single write.
    const previous = ex.held;
    ex.held = chunk;
    if (previous === null) return;
    ex.inPlace = true;
    room = res.write(previous);
  } else if (chunk.length <= _COPY_LIMIT && !owned) {
    _appendCopy(ex, chunk);
    room = res.writableLength + (ex.runEnd - ex.runStart) < _QUEUE_LIMIT;
  } else {
    flushRun(ex); // what was copied before goes first
    if (!owned) return _writeInPlace(ex, res, chunk);
    // The request's own chunks (an echo) follow node's own high-water mark, as req.pipe(res)
    // does: queueing up to _QUEUE_LIMIT made each writev larger and held more memory per
    // connection (1 MiB POST echoed: peak RSS 116 against 108 MiB; CPU within the noise).
    if (res.write(chunk)) return;
    return _waitForDrain(ex);
  }
  // ADP-NODE-02 / BODY-02: wait for 'drain' only once 128 KiB are queued, not at node's 16 KiB
  // high-water mark: a 64 KiB body in 4 KiB chunks otherwise waits a round trip per 16 KiB
  // (bench: 0.51 of raw node:http; about 0.95 with this bound). Memory per connection stays bounded.
  if (room || res.writableLength < _QUEUE_LIMIT) return;
  flushRun(ex);
  return _waitForDrain(ex);
}

/**
 * Writes a chunk too large to copy without copying it. node:http corked the socket until the
 * next tick; uncorked now, what the kernel takes leaves at once (on loopback with a client that
 * keeps up, everything), and the engine waits for the write's callback only when node still
 * holds some of it (a slow client; a pipelined response queued behind another has no socket).
 */
function _writeInPlace(
  ex: BodyState,
  res: ServerResponse | ServerHttp2Stream,
  chunk: Uint8Array,
): void | Promise<void> {
  let written = false;
  let wake: (() => void) | null = null;
  res.write(chunk, () => {
    written = true;
    if (wake !== null) _settle(ex, wake);
  });
  if (ex.h2) {
    // HTTP/2: node hands the chunk to nghttp2 at once (nothing corked); the write's callback
    // says when the session is done with it.
    if (written) return;
    return new Promise<void>((resolve) => {
      wake = resolve;
      ex.pending = resolve;
      ex.watch();
    });
  }
  const socket = (res as ServerResponse).socket;
  if (socket !== null) while (socket.writableCorked > 0) socket.uncork();
  // An empty queue means the kernel took the bytes, unless the socket died: a write to a reset
  // connection is discarded, leaves nothing queued, and fails only in a later tick. Returning
  // at once then would let an awaiting app write on in microtasks without the 'close' event
  // ever running (512 writes of 64 KiB all resolved, ERR-05); waiting lets 'close' end it.
  if (written || (res.writableLength === 0 && socket !== null && !socket.destroyed)) return;
  return new Promise<void>((resolve) => {
    wake = resolve;
    ex.pending = resolve;
    ex.watch();
  });
}

/** Ends the response (the sink's end() once the response is known to be open). */
export function endBody(ex: BodyState): void | Promise<void> {
  const res = ex.res;
  flushRun(ex);
  const held = ex.held;
  if (held === null) {
    res.end();
  } else if (ex.h2 && held.length <= _COPY_LIMIT) {
    // HTTP/2 frames head and body apart anyway: the string trick below buys nothing there, and a
    // copy into a Buffer is cheaper than node's latin-1 string write (bench/http2.mjs profile:
    // writeLatin1String was 1.5 µs of a hello world's server CPU).
    ex.held = null;
    res.end(Buffer.from(held));
  } else if (held.length <= _STRING_BODY_LIMIT) {
    // node:http prepends a head it has not sent yet to a string body, so head and body leave
    // as one chunk; a Uint8Array goes out beside the head as an iovec of its own. The latin-1
    // copy keeps the bytes (one code unit per octet). Once an earlier chunk took the head out,
    // a string is still sent as is. The guard here used to be `!res.headersSent`, which
    // writeHead() has already made true, so this path never ran: strace showed three iovecs
    // per hello world. With it, bench/node-overhead.mjs: 0.97 -> 1.02 of raw node:http sending
    // the same bytes.
    ex.held = null;
    res.end(_latin1Slice.call(held, 0, held.length), 'latin1');
  } else {
    ex.held = null;
    ex.inPlace = true;
    res.end(held);
  }
  // res.end() has flushed the socket. What node still holds of a whole body (a slow client, a
  // pipelined response queued behind another) is the app's again only once node has written
  // it: the engine calls the completion hook after 'finish' (or 'close').
  if (!ex.inPlace || res.writableLength === 0) return;
  return _waitFor(ex, 'finish');
}

function _waitFor(ex: BodyState, event: 'finish'): Promise<void> {
  return new Promise<void>((resolve) => {
    ex.pending = resolve;
    ex.res.once(event, () => _settle(ex, resolve));
    ex.watch();
  });
}

const kBody = Symbol('tsgi.body');
const kDrain = Symbol('tsgi.drain');
/** A response whose 'drain' is listened for: its body state, and the wait for it, if any. */
type _DrainResponse = ServerResponse & { [kBody]?: BodyState; [kDrain]?: (() => void) | null };

/**
 * Waits for 'drain' with one listener per response, kept from its first wait on, as pipe() keeps
 * its own: an echo waits after nearly every 64 KiB chunk, and a `once('drain')` per wait was 1.2 %
 * of the server's time in the profile (1 MiB POST echoed).
 */
function _waitForDrain(ex: BodyState): Promise<void> {
  const res = ex.res as _DrainResponse;
  if (res[kBody] === undefined) {
    res[kBody] = ex;
    res.on('drain', _onDrain);
  }
  return new Promise<void>((resolve) => {
    ex.pending = resolve;
    res[kDrain] = resolve;
    ex.watch();
  });
}

function _onDrain(this: _DrainResponse): void {
  const resolve = this[kDrain];
  this[kDrain] = null;
  if (resolve !== undefined && resolve !== null) _settle(this[kBody]!, resolve);
}

/** Resolves `resolve` and clears it from `ex` unless a newer wait took its place. */
function _settle(ex: BodyState, resolve: () => void): void {
  if (ex.pending === resolve) ex.pending = null;
  resolve();
}

/** The response closed: the engine's wait is over (it then sees the disconnect, if any). */
export function endWait(ex: BodyState): void {
  const resolve = ex.pending;
  if (resolve !== null) {
    ex.pending = null;
    resolve();
  }
}
