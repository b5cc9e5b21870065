/**
 * Just enough of RFC 6455 for the suite to be a WebSocket client over a raw `Connection`: the
 * opening handshake's bytes and its expected accept key (§4.2.2), masked client frames (§5.3)
 * and the server's unmasked frames parsed from the bytes received.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from './connection.js';

export const OP = { text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** A frame as the server sent it. */
export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A fresh Sec-WebSocket-Key and the Sec-WebSocket-Accept the server must answer with. */
export function handshakeKey(): { key: string; accept: string } {
  const key = randomBytes(16).toString('base64');
  const accept = createHash('sha1')
    .update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`)
    .digest('base64');
  return { key, accept };
}

/** One masked client frame (§5.2, §5.3). */
export function clientFrame(opcode: number, payload: Uint8Array | string, fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const mask = randomBytes(4);
  const len = data.length;
  const head =
    len < 126
      ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | len])
      : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, len >> 8, len & 0xff]);
  const body = Buffer.alloc(len);
  for (let i = 0; i < len; i++) body[i] = data[i]! ^ mask[i % 4]!;
  return Buffer.concat([head, mask, body]);
}

/** A close frame's payload: the code, then the reason (§5.5.1). */
export function closePayload(code: number, reason: string): Buffer {
  const out = Buffer.alloc(2);
  out.writeUInt16BE(code);
  return Buffer.concat([out, Buffer.from(reason, 'utf8')]);
}

/** Reads the server's frames from `conn`, after the handshake's head. */
export class FrameReader {
  #buffer: Buffer;
  readonly #conn: Connection;

  constructor(conn: Connection, rest: Buffer) {
    this.#conn = conn;
    this.#buffer = rest;
  }

  /** The next whole frame, or null when none arrives within `ms`. */
  async next(ms = 5000): Promise<Frame | null> {
    const end = Date.now() + ms;
    for (;;) {
      const frame = this.#parse();
      if (frame !== null) return frame;
      const left = end - Date.now();
      if (left <= 0 || this.#conn.isClosed) {
        this.#buffer = Buffer.concat([this.#buffer, this.#conn.drain()]);
        return this.#parse();
      }
      await this.#conn.waitUntil((unread) => unread.length > 0, Math.min(left, 200));
      this.#buffer = Buffer.concat([this.#buffer, this.#conn.drain()]);
    }
  }

  /** The next frame that is not a ping or pong. */
  async message(ms = 5000): Promise<Frame | null> {
    for (;;) {
      const f = await this.next(ms);
      if (f === null || (f.opcode !== OP.ping && f.opcode !== OP.pong)) return f;
    }
  }

  #parse(): Frame | null {
    const b = this.#buffer;
    if (b.length < 2) return null;
    let len = b[1]! & 0x7f;
    let at = 2;
    if (len === 126) {
      if (b.length < 4) return null;
      len = b.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (b.length < 10) return null;
      len = Number(b.readBigUInt64BE(2));
      at = 10;
    }
    if (b.length < at + len) return null;
    this.#buffer = b.subarray(at + len);
    return { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, payload: b.subarray(at, at + len) };
  }
}

/** The close code and reason of a close frame's payload. */
export function closeOf(frame: Frame | null): { code: number; reason: string } | null {
  if (frame === null || frame.opcode !== OP.close) return null;
  if (frame.payload.length < 2) return { code: 1005, reason: '' };
  return { code: frame.payload.readUInt16BE(0), reason: frame.payload.subarray(2).toString() };
}
