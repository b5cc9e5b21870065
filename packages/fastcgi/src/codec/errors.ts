/** Errors of the FastCGI codec; a server closes the connection that caused one. */

/** What was wrong with the bytes a peer sent. */
export type ProtocolErrorCode =
  | 'BAD_VERSION'
  | 'TRUNCATED_RECORD'
  | 'TRUNCATED_PAIR'
  | 'PAIR_TOO_LARGE'
  | 'PARAMS_TOO_LARGE'
  | 'BAD_BODY'
  | 'UNEXPECTED_RECORD';

/**
 * A peer broke the FastCGI 1.0 wire protocol. The codec returns these instead of throwing; a
 * server closes the connection that sent one (no other connection is affected).
 */
export class FastCGIProtocolError extends Error {
  constructor(
    readonly code: ProtocolErrorCode,
    message: string,
  ) {
    super(`FastCGI protocol error (${code}): ${message}`);
    this.name = 'FastCGIProtocolError';
  }
}
