/** FastCGI 1.0 constants and record shapes (spec §8, `fastcgi.h`). */

/** `FCGI_VERSION_1`: the only protocol version (spec §8). */
export const FCGI_VERSION_1 = 1;
/** `FCGI_HEADER_LEN`: every record starts with 8 header bytes (spec §3.3). */
export const FCGI_HEADER_LEN = 8;
/** The largest `contentLength` a record can carry (16 bits). */
export const FCGI_MAX_CONTENT_LENGTH = 0xffff;
/**
 * The content size the encoders use when splitting a payload: the largest multiple of 8 below
 * 65536, so full records need no padding (php-fpm uses the same).
 */
export const FCGI_SPLIT_CONTENT_LENGTH = 0xfff8;
/** `FCGI_NULL_REQUEST_ID`: the request id of management records (spec §3.3). */
export const FCGI_NULL_REQUEST_ID = 0;
/** `FCGI_KEEP_CONN`: the BEGIN_REQUEST flag asking the application to keep the connection open. */
export const FCGI_KEEP_CONN = 1;
/** `FCGI_MAXTYPE`: the largest record type defined by FastCGI 1.0. */
export const FCGI_MAXTYPE = 11;

/** Record types (spec §8). */
export const RecordType = {
  BEGIN_REQUEST: 1,
  ABORT_REQUEST: 2,
  END_REQUEST: 3,
  PARAMS: 4,
  STDIN: 5,
  STDOUT: 6,
  STDERR: 7,
  DATA: 8,
  GET_VALUES: 9,
  GET_VALUES_RESULT: 10,
  UNKNOWN_TYPE: 11,
} as const;
/** A record type defined by FastCGI 1.0. */
export type RecordType = (typeof RecordType)[keyof typeof RecordType];

/** Roles in a BEGIN_REQUEST body (spec §5.1). Only RESPONDER is served by this package. */
export const Role = { RESPONDER: 1, AUTHORIZER: 2, FILTER: 3 } as const;
/** A role defined by FastCGI 1.0. */
export type Role = (typeof Role)[keyof typeof Role];

/** `protocolStatus` values of END_REQUEST (spec §5.5). */
export const ProtocolStatus = {
  REQUEST_COMPLETE: 0,
  CANT_MPX_CONN: 1,
  OVERLOADED: 2,
  UNKNOWN_ROLE: 3,
} as const;
/** A protocol status defined by FastCGI 1.0. */
export type ProtocolStatus = (typeof ProtocolStatus)[keyof typeof ProtocolStatus];

/** GET_VALUES variable (spec §4.1): the most concurrent connections the application accepts. */
export const FCGI_MAX_CONNS = 'FCGI_MAX_CONNS';
/** GET_VALUES variable (spec §4.1): the most concurrent requests the application accepts. */
export const FCGI_MAX_REQS = 'FCGI_MAX_REQS';
/** GET_VALUES variable (spec §4.1): `"1"` when connections may carry concurrent requests. */
export const FCGI_MPXS_CONNS = 'FCGI_MPXS_CONNS';

/** A decoded record header. */
export interface RecordHeader {
  /** 1 for FastCGI 1.0; decoders report anything else as `BAD_VERSION`. */
  version: number;
  /** A `RecordType` value (or an unknown type). */
  type: number;
  /** 0 for management records. */
  requestId: number;
  /** Content bytes that follow the header (0..65535). */
  contentLength: number;
  /** Padding bytes after the content (0..255). */
  paddingLength: number;
}

/** One record: its type, request id and content (padding already removed). */
export interface FastCGIRecord {
  type: number;
  requestId: number;
  content: Uint8Array;
}
