/**
 * Node's native byte-string decoder, handed to the codec's `ParamsDecoder` (which defaults to
 * the pure one): see `ParamsDecoderOptions.latin1` for what it saves. Shared with `@tsgi/scgi`.
 */
export { nativeLatin1 } from '@tsgi/server-node';
