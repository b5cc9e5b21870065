/**
 * `@tsgi/fastcgi`: a FastCGI 1.0 responder for TSGI applications (spec profile ADP-FCGI), its pure
 * record codec, and a FastCGI client for tests and tools.
 *
 * ```ts
 * import { serveFastCGI } from '@tsgi/fastcgi';
 * await serveFastCGI(app, { port: 9000 }); // or { path: '/run/app.sock' }, or fd 0 when spawned
 * ```
 * @module
 */

export { type CgiResponse, parseCgiResponse } from './cgi.js';
export {
  type ClientRequest,
  type ClientRequestOptions,
  FastCGIClient,
  type FastCGIClientAddress,
  type FastCGIClientOptions,
  type FastCGIResponse,
} from './client.js';
export {
  concatBytes,
  decodeBeginRequestBody,
  decodeEndRequestBody,
  decodeHeader,
  decodeNameValuePairs,
  decodeRecords,
  decodeUnknownTypeBody,
  type EncodeOptions,
  encodeBeginRequestBody,
  encodeEndRequestBody,
  encodeHeader,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  encodeUnknownTypeBody,
  type FastCGIRecord,
  FCGI_HEADER_LEN,
  FCGI_KEEP_CONN,
  FCGI_MAX_CONNS,
  FCGI_MAX_CONTENT_LENGTH,
  FCGI_MAX_REQS,
  FCGI_MAXTYPE,
  FCGI_MPXS_CONNS,
  FCGI_NULL_REQUEST_ID,
  FCGI_SPLIT_CONTENT_LENGTH,
  FCGI_VERSION_1,
  type PairEncodeOptions,
  type PairPart,
  ProtocolStatus,
  paddingFor,
  RecordDecoder,
  type RecordHandler,
  type RecordHeader,
  RecordType,
  Role,
} from './codec.js';
export { FastCGIProtocolError, type ProtocolErrorCode } from './errors.js';
export { type PairHandler, ParamsDecoder, type ParamsDecoderOptions } from './pairs.js';
export { APP_STATUS_INCOMPLETE, APP_STATUS_OK } from './request.js';
export {
  type CloseOptions,
  createFastCGIServer,
  type FastCGIAddress,
  FastCGIServer,
  type FastCGIServerOptions,
  FCGI_LISTENSOCK_FILENO,
  isListenSocketInherited,
  serveFastCGI,
} from './server.js';
