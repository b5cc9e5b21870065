/**
 * The client side of the WebSocket test table (_ws-cases.ts): the `ws` client's promises, the
 * fixture app's `/state`, and raw HTTP/1.1 for what no client library sends.
 */
import { connect } from 'node:net';
import WebSocket from 'ws';

export interface Target {
  /** `http://127.0.0.1:port` */
  url: string;
  /** False where the server cannot agree permessage-deflate per connection (Bun, Deno). */
  deflate?: boolean;
}

export const wsUrl = (t: Target, path: string) => t.url.replace(/^http/, 'ws') + path;

export function open(t: Target, path: string, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(wsUrl(t, path), protocols, { perMessageDeflate: path === '/deflate' });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

export function next(ws: WebSocket): Promise<{ data: Buffer; binary: boolean }> {
  return new Promise((resolve, reject) => {
    ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary }));
    ws.once('close', (code) => reject(new Error(`closed ${code}`)));
  });
}

export function closed(ws: WebSocket): Promise<{ code: number; reason: string }> {
  return new Promise((resolve) => {
    ws.once('close', (code: number, reason: Buffer) =>
      resolve({ code, reason: reason.toString() }),
    );
  });
}

export async function serverState(t: Target): Promise<{
  closes: Array<{ path: string; code: number; reason: string }>;
  signals: string[];
  released: string[];
  flood: { sent: number; maxBuffered: number };
  lateAccept: string | null;
}> {
  return (await (await fetch(`${t.url}/state`)).json()) as never;
}

export async function until<T>(
  get: () => Promise<T>,
  ok: (v: T) => boolean,
  ms = 5000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await get();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A raw HTTP/1.1 exchange: what the server answers to bytes no client library would send. */
export function raw(t: Target, text: string): Promise<string> {
  const { hostname, port } = new URL(t.url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: hostname, port: Number(port) }, () => s.write(text));
    let out = '';
    s.setEncoding('latin1');
    s.on('data', (d: string) => {
      out += d;
      // A runtime may keep the connection open after its answer: stop at the body's end.
      const end = out.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(out);
      if (end >= 0 && length !== null && out.length >= end + 4 + Number(length[1])) {
        s.destroy();
        resolve(out);
      }
    });
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.setTimeout(5000, () => {
      s.destroy();
      resolve(out);
    });
  });
}

export const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
export const handshake = (extra: string) =>
  `GET /echo HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n${extra}\r\n`;

/** Registers the table's cases for one target (call inside a describe). */
