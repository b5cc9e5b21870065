/**
 * Node's native byte-string decoder, for the pure codecs of `@tsgi/fastcgi` and `@tsgi/scgi`
 * (which default to a plain-ECMAScript one): one native call per name or value instead of a
 * loop or `String.fromCharCode.apply` over its bytes.
 */

type _Slice = (this: Uint8Array, start: number, end: number) => string;
const _latin1Slice = (Buffer.prototype as unknown as { latin1Slice: _Slice }).latin1Slice;

/**
 * Bytes `[start, end)` of `bytes` as a byte string (one code unit per octet, ENV-06), by
 * `Buffer#latin1Slice`; any `Uint8Array` works.
 */
export function nativeLatin1(bytes: Uint8Array, start: number, end: number): string {
  return start === end ? '' : _latin1Slice.call(bytes, start, end);
}
