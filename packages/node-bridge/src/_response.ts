/**
 * Node's own `ServerResponse`, with its head going to TSGI's `startResponse` instead of onto a
 * socket. Everything a framework uses (`writeHead`, `setHeader`/`getHeaders`, `statusMessage`,
 * `headersSent`, `flushHeaders`, implicit headers, the `Content-Length` node computes for
 * `res.end(data)`, HEAD/204/304 bodies dropped, `'finish'`, `write()`'s backpressure) is node's
 * code, unchanged. Three hooks: the head (`_storeHeader`) is parsed back into a status and header
 * tuples and never written; the body goes to the socket unframed (no chunked encoding: the TSGI
 * server frames it, SR-06); interim responses (100, 102, 103) are the server's (IN-07).
 */
import { ServerResponse } from 'node:http';
import { HOP_BY_HOP_HEADERS, type ResponseHeader, type Status } from '@tsgi/core';
import { reasonPhrase } from '@tsgi/fetch';
import type { BridgeRequest } from './_request.js';

/** The status line and header tuples a framework's response starts with. */
export interface Head {
  status: Status;
  headers: ResponseHeader[];
}

type _StoreHeader = (this: ServerResponse, firstLine: string, headers: unknown) => void;
type _Send = (
  this: ServerResponse,
  data: unknown,
  encoding: unknown,
  callback: unknown,
  byteLength?: number,
) => boolean;

const _proto = ServerResponse.prototype as unknown as {
  _storeHeader: _StoreHeader;
  _writeRaw: _Send;
};
const _storeHeader = _proto._storeHeader;
// OutgoingMessage's private "write() returned false" flag; node's server clears it and emits
// 'drain' on the response when the socket drains (`socketOnDrain`), and so does the bridge.
const _kNeedDrain = Object.getOwnPropertySymbols(new ServerResponse({} as never)).find(
  (s) => s.description === 'kNeedDrain',
);

/**
 * Parses the head node built (`res._header`): what node would have sent is what TSGI gets,
 * raw `writeHead` arrays and repeated fields included. Connection management and framing fields
 * are the server's (SR-06): dropped.
 */
export function parseHead(header: string): Head {
  // Node writes `HTTP/1.1 CODE REASON\r\n`, then `Name: value\r\n` per field, then `\r\n`.
  let end = header.indexOf('\r\n');
  const code = header.slice(9, 12);
  const reason = header.slice(13, end);
  const status = `${code} ${reason === '' ? reasonPhrase(Number(code)) : reason}` as Status;
  const headers: ResponseHeader[] = [];
  for (let at = end + 2; ; at = end + 2) {
    end = header.indexOf('\r\n', at);
    if (end <= at) break;
    const colon = header.indexOf(':', at);
    if (colon <= at || colon > end) continue;
    const name = header.slice(at, colon);
    // Hop-by-hop names start with c, k, p, t or u: only those are looked up.
    const c = header.charCodeAt(at) | 0x20;
    if (
      (c === 0x63 || c === 0x6b || c === 0x70 || c === 0x74 || c === 0x75) &&
      HOP_BY_HOP_HEADERS.has(name.toLowerCase())
    )
      continue;
    headers.push([name, header.slice(colon + 2, end)]);
  }
  return { status, headers };
}

/**
 * `ServerResponse` whose head is handed to `onHead` (see the module comment). The hooks are own
 * properties, not prototype methods: Express and others swap the prototype of `res` (and `req`)
 * for their own, which inherits from node's, so only own properties survive.
 */
export class BridgeResponse extends ServerResponse {
  /** Called once, when node stores the head (`writeHead`, or implicitly on first write/end). */
  onHead: (head: Head) => void = _noop;

  constructor(req: BridgeRequest) {
    super(req);
    // RFC 9110 §6.6.1: Date is the origin server's (node:http, nginx and Apache add it).
    this.sendDate = false;
    // Own fields for what Express and node's writeHead write after Express swapped the
    // prototype (see _EXPRESS_FIELDS in _request.ts): the values node's prototype holds.
    Object.assign(this, _HOOKS, { locals: undefined, statusCode: 200, statusMessage: undefined });
  }
}

/** As node's `socketOnDrain`: the socket drained, so a response waiting on write() drains. */
export function socketDrained(res: ServerResponse): void {
  const self = res as unknown as Record<symbol, boolean>;
  if (res.writableFinished || _kNeedDrain === undefined || self[_kNeedDrain] !== true) return;
  self[_kNeedDrain] = false;
  res.emit('drain');
}

function _interim(this: ServerResponse, ...args: unknown[]): void {
  const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
  if (cb !== undefined) process.nextTick(cb);
}

const _HOOKS = {
  /** Node's own head-building, then the head goes to TSGI instead of onto the wire. */
  _storeHeader(this: BridgeResponse, firstLine: string, headers: unknown): void {
    _storeHeader.call(this, firstLine, headers);
    // The bytes that follow are the body only: the TSGI server frames them (chunked, length).
    this.chunkedEncoding = false;
    this.onHead(parseHead((this as unknown as { _header: string })._header));
  },
  /** Node's `_send` writes the head before the first chunk: the head is already TSGI's. */
  _send(
    this: ServerResponse,
    data: unknown,
    encoding: unknown,
    callback: unknown,
    byteLength?: number,
  ): boolean {
    (this as unknown as { _headerSent: boolean })._headerSent = true;
    return _proto._writeRaw.call(this, data, encoding, callback, byteLength);
  },
  // IN-07: the TSGI server sends `100 Continue` when the body is first read; other interim
  // responses (102, 103) are the server's too: TSGI has no 1xx from applications.
  writeContinue: _interim,
  writeProcessing: _interim,
  writeEarlyHints: _interim,
};

function _noop(): void {}
