/**
 * FastCGI fuzzing: a seeded PRNG, well-formed template record streams (single, multiplexed,
 * management, aborted, finely split), mutators, and an in-memory socket so a million mutated
 * streams can run through the real connection state machine (`FastCGIServer.handle`) without
 * a socket each. Every stream is derived from `(seed, index)` alone, so any failure is
 * reproduced by its index.
 */
import { EventEmitter } from 'node:events';
import {
  concatBytes,
  encodeBeginRequestBody,
  encodeHeader,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  RecordType,
} from '@tsgi/fastcgi/codec';
import { params } from './fcgi.js';

/** mulberry32: small, fast, seeded. Returns floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The default seed; `TSGI_STRESS_SEED` overrides it. */
export const SEED = Number(process.env.TSGI_STRESS_SEED ?? 0x75_61_9e);

/** The stream seed of stream `index`: independent of every other stream. */
export function streamSeed(seed: number, index: number): number {
  return Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35);
}

const _text = new TextEncoder();

function _request(
  id: number,
  path: string,
  body: string,
  keepConn: boolean,
  recordSize?: number,
): Uint8Array[] {
  const p = params(
    path,
    body === '' ? {} : { REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(body.length) },
  );
  const size = recordSize === undefined ? {} : { maxContentLength: recordSize };
  return [
    encodeRecord(RecordType.BEGIN_REQUEST, id, encodeBeginRequestBody(1, keepConn ? 1 : 0)),
    encodeStream(RecordType.PARAMS, id, encodeNameValuePairs(Object.entries(p)), {
      terminate: true,
      ...size,
    }),
    encodeStream(RecordType.STDIN, id, _text.encode(body), { terminate: true, ...size }),
  ];
}

/**
 * Well-formed streams, each a list of records (so mutators can drop, repeat and swap records):
 * a POST with a body, two multiplexed requests interleaved, GET_VALUES plus a keep-conn-off
 * request, a request aborted mid-body, a finely split request, a bodiless GET, and a streamed
 * response next to one whose body never ends.
 */
export const TEMPLATES: readonly (readonly Uint8Array[])[] = [
  _request(1, '/upload', 'payload', true),
  (() => {
    const a = _request(1, '/upload', 'first body', true);
    const b = _request(2, '/hello', '', true);
    return [a[0]!, b[0]!, a[1]!, b[1]!, b[2]!, a[2]!];
  })(),
  [
    encodeRecord(
      RecordType.GET_VALUES,
      0,
      encodeNameValuePairs([
        ['FCGI_MAX_CONNS', ''],
        ['FCGI_MAX_REQS', ''],
        ['FCGI_MPXS_CONNS', ''],
      ]),
    ),
    ..._request(1, '/hello', '', false),
  ],
  (() => {
    const r = _request(3, '/upload', 'x'.repeat(40), true);
    return [
      r[0]!,
      r[1]!,
      encodeRecord(RecordType.STDIN, 3, _text.encode('partial')),
      encodeRecord(RecordType.ABORT_REQUEST, 3),
    ];
  })(),
  _request(1, '/upload', 'split into many tiny records', true, 5),
  _request(7, '/nowhere?x=1', '', true),
  // Tracked bodies: a stream and a body that never ends, released only by the disconnect.
  [..._request(1, '/stream?tick=1', '', true), ..._request(2, '/fault/never-ends', '', true)],
];

/** Mutates a template into one fuzz case; deterministic in `random`. */
export function mutate(random: () => number, template: readonly Uint8Array[]): Uint8Array {
  const int = (n: number): number => Math.floor(random() * n);
  const byte = (): number => int(256);
  let records = template.slice();
  const kind = int(10);
  if (kind === 0) {
    // Pure noise.
    return new Uint8Array(int(300)).map(byte);
  }
  if (kind === 1) {
    // Version-1 headers with random type, id, lengths and padding, and random content.
    const parts: Uint8Array[] = [];
    for (let r = 0; r < 1 + int(8); r++) {
      const len = random() < 0.1 ? int(65536) : int(200);
      const h = encodeHeader(int(14), int(4), len, int(256));
      parts.push(h, new Uint8Array(Math.min(len + h[6]!, 400)).map(byte));
    }
    return concatBytes(parts);
  }
  if (kind === 2) {
    // Record-level edits: drop, repeat, swap, or splice in another template's record.
    for (let m = 0; m < 1 + int(3); m++) {
      const i = int(records.length);
      const op = int(4);
      if (op === 0 && records.length > 1) records.splice(i, 1);
      else if (op === 1) records.splice(i, 0, records[i]!);
      else if (op === 2) {
        const j = int(records.length);
        [records[i], records[j]] = [records[j]!, records[i]!];
      } else {
        const other = TEMPLATES[int(TEMPLATES.length)]!;
        records.splice(i, 0, other[int(other.length)]!);
      }
    }
    return concatBytes(records);
  }
  if (kind === 3) {
    // Two templates back to back (request-id reuse, keep-conn off then more records).
    records = [...records, ...TEMPLATES[int(TEMPLATES.length)]!];
    return concatBytes(records);
  }
  const bytes = concatBytes(records);
  // Byte-level edits: flips, header-field targeted edits, truncation, insertion.
  for (let m = 0; m < 1 + int(4); m++) {
    const at = int(bytes.length);
    if (random() < 0.5) {
      // Hit a header byte of the record that contains `at` (type, id, length, padding).
      let off = 0;
      for (const r of records) {
        if (off + r.length > at) break;
        off += r.length;
      }
      bytes[off + int(8)] = random() < 0.5 ? byte() : [0, 1, 0xff, 0x7f, 0x80][int(5)]!;
    } else bytes[at] = byte();
  }
  if (kind >= 8) return bytes.subarray(0, int(bytes.length + 1));
  if (kind === 7) {
    const at = int(bytes.length);
    return concatBytes([
      bytes.subarray(0, at),
      new Uint8Array(1 + int(40)).map(byte),
      bytes.subarray(at),
    ]);
  }
  return bytes;
}

/** Splits `bytes` into 1..8 pieces at random offsets (how reads arrive from a socket). */
export function split(random: () => number, bytes: Uint8Array): Uint8Array[] {
  const n = 1 + Math.floor(random() * 8);
  if (n === 1 || bytes.length < 2) return [bytes];
  const cuts = new Set<number>();
  for (let i = 1; i < n; i++) cuts.add(1 + Math.floor(random() * (bytes.length - 1)));
  const sorted = [...cuts].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(bytes.subarray(prev, c));
    prev = c;
  }
  out.push(bytes.subarray(prev));
  return out;
}

/** The fuzz case `index` of `seed`: bytes, how they are split, and whether the peer waits. */
export function fuzzCase(
  seed: number,
  index: number,
): { bytes: Uint8Array; pieces: Uint8Array[]; linger: boolean } {
  const random = rng(streamSeed(seed, index));
  const template = TEMPLATES[Math.floor(random() * TEMPLATES.length)]!;
  const bytes = mutate(random, template);
  const pieces = split(random, bytes);
  return { bytes, pieces, linger: random() < 0.5 };
}

/**
 * An in-memory stand-in for a `net.Socket` accepted by a FastCGI server: it records what the
 * server writes and emits 'close' when either side ends it, as a peer that closes promptly does.
 */
export class MemorySocket extends EventEmitter {
  destroyed = false;
  writable = true;
  readable = true;
  writableEnded = false;
  writableNeedDrain = false;
  writableCorked = 0;
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40000;
  readonly localAddress = '127.0.0.1';
  readonly localPort = 9000;
  written = 0;
  #closing = false;

  write(chunk: Uint8Array | string, cb?: unknown, cb2?: unknown): boolean {
    if (!this.destroyed && !this.writableEnded) this.written += chunk.length;
    const done = typeof cb === 'function' ? cb : typeof cb2 === 'function' ? cb2 : undefined;
    if (done !== undefined) queueMicrotask(() => (done as () => void)());
    return true;
  }
  end(chunk?: unknown): this {
    if (chunk instanceof Uint8Array || typeof chunk === 'string') this.write(chunk);
    this.writableEnded = true;
    this.#close();
    return this;
  }
  destroy(): this {
    if (!this.destroyed) {
      this.destroyed = true;
      this.writable = false;
      this.readable = false;
      this.#close();
    }
    return this;
  }
  /** The peer's FIN. */
  peerEnd(): void {
    if (this.destroyed) return;
    this.emit('end');
    this.#close();
  }
  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    queueMicrotask(() => {
      this.destroyed = true;
      this.emit('close', false);
    });
  }
  pause(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  cork(): void {
    this.writableCorked++;
  }
  uncork(): void {
    if (this.writableCorked > 0) this.writableCorked--;
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
  address(): { address: string; family: string; port: number } {
    return { address: this.localAddress, family: 'IPv4', port: this.localPort };
  }
}
