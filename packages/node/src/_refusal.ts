/**
 * What the HTTP/1.x checks (_reject.ts) and the HTTP/2 checks (_h2-request.ts) share: the shape
 * of a refusal, the refusals both give, and the body facts both fill for core's
 * `requestFraming`. Its own file, so neither check imports the other.
 */
import type { RequestBodyFacts } from '@tsgi/core';

/** A refusal: status code and reason phrase. */
export type _Refusal = readonly [code: number, reason: string];

/** SRV-07. */
export const _TOO_MANY: _Refusal = [431, 'Request Header Fields Too Large'];
/** ENV-34, SRV-15. */
export const _BAD_REQUEST: _Refusal = [400, 'Bad Request'];

/** An `Expect` value asking for `100 Continue` (IN-07). */
export const _100_CONTINUE = /^\s*100-continue\s*$/i;

/**
 * What `_checkRequest` read about the request body from the header lines it scans anyway, for
 * core's `requestFraming`: one object per listener, refilled for each request (the framing is
 * decided in the same synchronous call).
 */
export class _BodyFacts implements RequestBodyFacts {
  /** The Content-Length line's value (llhttp has checked its digits and refused repeats). */
  contentLength: string | undefined = undefined;
  /** Transfer-Encoding: chunked (_reject.ts refuses any other coding). */
  streamed = false;
  /** `Expect: 100-continue` (IN-07): the client waits before sending the body. */
  expectContinue = false;
  readonly limit: number | undefined;
  constructor(limit: number | undefined) {
    this.limit = limit;
  }
}
