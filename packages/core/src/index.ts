/**
 * `@tsgi/core`: the TSGI 1.1 types, the response engine every adapter drives, `tsgi.input`,
 * byte-string and header helpers, the shape rules of the contract's strings (which the
 * conformance lint checks with), and `mount`. The in-memory test client is at
 * `@tsgi/core/testing`, so servers do not load it.
 * @module
 */

export { defineLazySignal, RequestAbort } from './abort.js';
export {
  bytesToLatin1,
  concatBytes,
  decodeUtf8,
  encodeUtf8,
  isByteString,
  latin1ToBytes,
  percentDecode,
  percentEncodePath,
  utf8,
} from './bytes.js';
export {
  type CgiResponse,
  formatCgiHead,
  formatNphHead,
  type NphHead,
  parseCgiResponse,
} from './cgi-head.js';
export { addConfigKeys, type ConfigKeys, checkConfigKeys } from './config-keys.js';
export { repairCookieJoin } from './cookie.js';
export { completedSynchronously, type RunOptions, runApplication } from './engine.js';
export {
  type CgiEnvironOptions,
  createEnviron,
  environFromCgi,
  type RequestLine,
  type SplitTarget,
  splitScriptName,
  splitTarget,
  TSGI_VERSION,
  type TsgiKeys,
} from './environ.js';
export {
  ClientDisconnectError,
  ContractError,
  InputTooLargeError,
  InputTruncatedError,
} from './errors.js';
export {
  addRequestHeader,
  addRequestHeaders,
  environKey,
  HOP_BY_HOP_HEADERS,
  headerNameOf,
  joinHeaderValues,
  statusCode,
  validateHeaders,
  validateStatus,
} from './headers.js';
export { httpDate } from './http-date.js';
export {
  createErrorStream,
  type InputSource,
  RequestInput,
  type RequestInputOptions,
} from './input.js';
export { mount } from './mount.js';
export { type ProxyHeadersOptions, proxyHeaders } from './proxy-headers.js';
export {
  checkBodyLimit,
  type RequestBodyFacts,
  type RequestFraming,
  type RequestInputFor,
  requestFraming,
  requestInput,
  respondTooLarge,
  tooLargeResponse,
} from './request-body.js';
export {
  isValidHost,
  type RequestTargetForm,
  requestTargetForm,
  splitHost,
  targetAuthority,
} from './request-target.js';
export {
  FORBIDDEN_VARIABLES,
  headerVariable,
  isDigits,
  isFieldValue,
  isHttpVersion,
  isStatusLine,
  isTchar,
  isToken,
  mayBeEmpty,
} from './syntax.js';
export type {
  Application,
  BodyFraming,
  Environ,
  ErrorStream,
  InputStream,
  RawHeaders,
  ResponseBody,
  ResponseHeader,
  ResponseHeaders,
  ResponseSink,
  StartResponse,
  Status,
  StatusCode,
  WebSocketAcceptOptions,
  WebSocketClose,
  WebSocketConnection,
  WebSocketMessage,
  WebSocketUpgrade,
  Write,
} from './types.js';
export {
  WEBSOCKET_DEFAULTS,
  type WebSocketLimits,
  WebSocketSession,
  type WebSocketTransport,
} from './websocket.js';
export {
  checkAcceptOptions,
  checkCloseArguments,
  WEBSOCKET_NOT_REQUESTED,
  type WebSocketHandshake,
  websocketHandshake,
  websocketUpgrade,
} from './websocket-handshake.js';
export { errorResponse, type OwnResponse, refusalResponse } from './wire-head.js';
