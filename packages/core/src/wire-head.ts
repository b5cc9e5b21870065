/**
 * What the engine decides about a response head (spec 07, 09): which statuses carry no body, and
 * the server's own error responses (ERR-02). Where `content-length` is added is in the engine's
 * `sendHead`: one decision for every transport.
 */
import { InputTooLargeError } from './errors.js';
import { stackOf } from './release.js';
import type { ResponseHeader, Status } from './types.js';

/**
 * BODY-13, BODY-23: statuses whose response has no content: 204, 205 (RFC 9110 §15.3.6) and 304.
 * (1xx cannot be a TSGI status, SR-02.)
 */
export function hasNoBody(code: number): boolean {
  return code === 204 || code === 304 || code === 205;
}

const _encoder = new TextEncoder();
const _ERROR_BODY = _encoder.encode('Internal Server Error\n');
const _TOO_LARGE_BODY = _encoder.encode('Content Too Large\n');

/** A response the server produces itself. */
export interface OwnResponse {
  status: Status;
  headers: ResponseHeader[];
  body: Uint8Array;
}

/** Every response the server produces itself is this: text/plain in UTF-8, framed by length. */
function _plainText(status: Status, body: Uint8Array): OwnResponse {
  return {
    status,
    headers: [
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', String(body.length)],
    ],
    body,
  };
}

/**
 * ERR-02: the generic 500 (`Internal Server Error\n`, no error text unless `expose`), or the 413
 * of IN-08 (`Content Too Large\n`), as text/plain framed by content-length.
 */
export function errorResponse(error: unknown, expose: boolean): OwnResponse {
  const tooLarge = error instanceof InputTooLargeError; // IN-08: the client's fault, not a 500
  const body = tooLarge
    ? _TOO_LARGE_BODY
    : expose
      ? _encoder.encode(`${stackOf(error)}\n`)
      : _ERROR_BODY;
  return _plainText(tooLarge ? '413 Content Too Large' : '500 Internal Server Error', body);
}

/**
 * A request refused without the application (SRV-02 `400`, SRV-07 `431`, SRV-16 `505`, ENV-34,
 * an adapter's own `400`, `408`, `411`, `501`, `503`...): the status line (`<code> <reason>`) and
 * a LF as the body, with the same `content-type: text/plain; charset=utf-8` and `content-length`
 * as `errorResponse`. Every adapter sends its refusals so, whatever the transport. (SRV-05's 413
 * and ERR-02's 500 have the bodies the spec fixes: `tooLargeResponse`, `errorResponse`.)
 */
export function refusalResponse(status: Status): OwnResponse {
  return _plainText(status, _encoder.encode(`${status}\n`));
}
