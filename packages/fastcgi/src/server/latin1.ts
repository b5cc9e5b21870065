/**
 * Node's native byte-string decoder, handed to the codec's `ParamsDecoder` (which defaults to
 * the pure one): see `ParamsDecoderOptions.latin1` for what it saves.
 */
import type { Latin1Decoder } from '../codec/index.js';

type _Slice = (this: Uint8Array, start: number, end: number) => string;
const _latin1Slice = (Buffer.prototype as unknown as { latin1Slice: _Slice }).latin1Slice;

/** Bytes `[start, end)` as a byte string, by `Buffer#latin1Slice` (any `Uint8Array` works). */
export const nativeLatin1: Latin1Decoder = (bytes, start, end) =>
  start === end ? '' : _latin1Slice.call(bytes, start, end);
