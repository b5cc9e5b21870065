/**
 * The WebSocket opening handshake as a server reads it from environ (RFC 6455 §4.2.1), once for
 * every adapter (spec 20, WS-03, WS-04), and the checks of what an application passes to
 * `accept()` and `close()` (WS-05, WS-13). Pure: language-level pieces only.
 */
import { ContractError } from './errors.js';
import { validateHeaders } from './headers.js';
import { isToken } from './syntax.js';
import type {
  Environ,
  WebSocketAcceptOptions,
  WebSocketConnection,
  WebSocketUpgrade,
} from './types.js';
import { type OwnResponse, refusalResponse } from './wire-head.js';

/** What a request is, seen as a WebSocket handshake. */
export type WebSocketHandshake =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly protocols: string[]; readonly extensions: string[] }
  | { readonly kind: 'refuse'; readonly response: OwnResponse };

const _NONE: WebSocketHandshake = Object.freeze({ kind: 'none' });
// RFC 6455 §4.1: the key is 16 random bytes, base64: 22 characters and `==`.
const _KEY = /^[A-Za-z0-9+/]{22}==$/;

/** True when a comma-separated field value lists `token` (case-insensitive, RFC 9110 §5.6.1). */
function _lists(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  for (const item of value.split(',')) if (item.trim().toLowerCase() === token) return true;
  return false;
}

function _items(value: string | undefined): string[] {
  if (value === undefined) return [];
  const out: string[] = [];
  for (const item of value.split(',')) {
    // An extension offer carries parameters (`permessage-deflate; client_max_window_bits`).
    const name = item.split(';')[0]!.trim();
    if (name !== '') out.push(name);
  }
  return out;
}

/**
 * WS-03, WS-04: `none` when the request does not ask for a WebSocket (its `Upgrade` lists no
 * `websocket`); `valid` for an opening handshake that RFC 6455 §4.2.1 accepts; `refuse` with the
 * server's own answer for one that asks and is malformed: `426` with `sec-websocket-version: 13`
 * for another version (§4.4), `400` for the rest.
 */
export function websocketHandshake(environ: Environ): WebSocketHandshake {
  if (!_lists(environ.HTTP_UPGRADE, 'websocket')) return _NONE;
  const version = environ.HTTP_SEC_WEBSOCKET_VERSION;
  if (version !== undefined && version.trim() !== '13') {
    const own = refusalResponse('426 Upgrade Required');
    own.headers.push(['sec-websocket-version', '13'], ['upgrade', 'websocket']);
    return { kind: 'refuse', response: own };
  }
  const key = environ.HTTP_SEC_WEBSOCKET_KEY;
  const length = environ.CONTENT_LENGTH;
  if (
    // §4.2.1: Upgrade is `websocket`, alone; ws refuses a list too.
    environ.HTTP_UPGRADE!.trim().toLowerCase() !== 'websocket' ||
    environ.REQUEST_METHOD !== 'GET' ||
    environ.SERVER_PROTOCOL !== 'HTTP/1.1' ||
    !_lists(environ.HTTP_CONNECTION, 'upgrade') ||
    version === undefined ||
    key === undefined ||
    !_KEY.test(key.trim()) ||
    (length !== undefined && length !== '0') ||
    environ.HTTP_TRANSFER_ENCODING !== undefined
  ) {
    return { kind: 'refuse', response: refusalResponse('400 Bad Request') };
  }
  const protocols = _items(environ.HTTP_SEC_WEBSOCKET_PROTOCOL).filter(isToken);
  return { kind: 'valid', protocols, extensions: _items(environ.HTTP_SEC_WEBSOCKET_EXTENSIONS) };
}

/** WS-05: the options of `accept()`, checked before anything is sent; throws a ContractError. */
export function checkAcceptOptions(
  options: WebSocketAcceptOptions | undefined,
  protocols: readonly string[],
): void {
  if (options === undefined) return;
  const p = options.protocol;
  if (p !== undefined && !protocols.includes(p)) {
    throw new ContractError('WS-05', `protocol ${JSON.stringify(p)} was not offered by the client`);
  }
  if (options.headers !== undefined) {
    validateHeaders(options.headers, 101);
    for (const [name] of options.headers) {
      const lower = name.toLowerCase();
      if (lower === 'upgrade' || lower.startsWith('sec-websocket-')) {
        throw new ContractError('WS-05', `the server sets ${name} on a 101 itself`);
      }
    }
  }
}

const _encoder = new TextEncoder();

/**
 * WS-13 (RFC 6455 §7.4): a code an endpoint may send (1000..1003, 1007..1014, 3000..4999) and a
 * reason of at most 123 bytes of UTF-8 (a control frame's payload is at most 125, §5.5).
 */
export function checkCloseArguments(code: unknown, reason: unknown): void {
  if (
    typeof code !== 'number' ||
    !Number.isInteger(code) ||
    !(
      (code >= 1000 && code <= 1003) ||
      (code >= 1007 && code <= 1014) ||
      (code >= 3000 && code <= 4999)
    )
  ) {
    throw new ContractError('WS-13', `close code ${String(code)} may not be sent (RFC 6455 §7.4)`);
  }
  if (typeof reason !== 'string' || _encoder.encode(reason).length > 123) {
    throw new ContractError('WS-13', 'close reason must be a string of at most 123 UTF-8 bytes');
  }
}

const _EMPTY: readonly string[] = Object.freeze([]);

function _notRequested(): never {
  throw new ContractError('WS-05', 'accept() on a request that is not a WebSocket handshake');
}

/** WS-02: the key's value on a request that is not a handshake; one object for all of them. */
export const WEBSOCKET_NOT_REQUESTED: WebSocketUpgrade = Object.freeze({
  requested: false,
  protocols: _EMPTY,
  extensions: _EMPTY,
  accept: _notRequested,
});

/**
 * WS-02, WS-05: the key's value on a valid handshake. `take` performs the adapter's takeover
 * after the options passed WS-05's checks; a second `accept()` throws.
 */
export function websocketUpgrade(
  handshake: { readonly protocols: string[]; readonly extensions: string[] },
  take: (options: WebSocketAcceptOptions) => WebSocketConnection,
): WebSocketUpgrade {
  let taken = false;
  return Object.freeze({
    requested: true,
    protocols: Object.freeze(handshake.protocols),
    extensions: Object.freeze(handshake.extensions),
    accept(options?: WebSocketAcceptOptions): WebSocketConnection {
      if (taken) throw new ContractError('WS-05', 'accept() called a second time');
      checkAcceptOptions(options, handshake.protocols);
      taken = true;
      return take(options ?? {});
    },
  });
}
