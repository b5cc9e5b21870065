/** The codec's error and shared types. Pure: no imports. */

/** Why an SCGI request is malformed (ADP-SCGI-04). */
export type ScgiErrorCode =
  | 'BAD_LENGTH'
  | 'HEADERS_TOO_LARGE'
  | 'MISSING_COMMA'
  | 'BAD_HEADERS'
  | 'NO_CONTENT_LENGTH'
  | 'NOT_SCGI'
  | 'DUPLICATE_NAME'
  | 'TRUNCATED_HEADERS'
  | 'TRUNCATED_BODY';

/** A malformed SCGI request: the server refuses it and closes only its connection (ADP-SCGI-04). */
export class ScgiProtocolError extends Error {
  /** What was wrong, for logs and tests. */
  readonly code: ScgiErrorCode;

  constructor(code: ScgiErrorCode, message: string) {
    super(`SCGI ${code}: ${message}`);
    this.name = 'ScgiProtocolError';
    this.code = code;
  }
}

/**
 * Decodes bytes `[start, end)` as a byte string (one code unit per octet, ENV-06). A host with a
 * native decoder (Node's `Buffer#latin1Slice`) passes one in; the codec's own is a plain loop.
 */
export type Latin1Decoder = (bytes: Uint8Array, start: number, end: number) => string;
