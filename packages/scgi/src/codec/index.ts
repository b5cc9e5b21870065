/**
 * `@tsgi/scgi/codec`: the SCGI request codec (python.ca/scgi protocol.txt), pure ECMAScript with
 * no imports, so it runs on any runtime: a decoder for the netstring of headers and the body that
 * follows, and an encoder for clients and tests.
 * @module
 */
export {
  bytesToByteString,
  ScgiDecoder,
  type ScgiDecoderEvents,
  type ScgiDecoderOptions,
  type ScgiHead,
} from './decoder.js';
export { encodeScgiRequest, scgiHeaders } from './encode.js';
export { type Latin1Decoder, type ScgiErrorCode, ScgiProtocolError } from './errors.js';
export { type HeaderPairs, parseHeaders } from './headers.js';
