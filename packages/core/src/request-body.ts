/**
 * The request body's framing, decided once for every transport (IN-02, IN-03, IN-08, SRV-05):
 * no body, a declared length, a stream up to the size limit, or a `413` before the application
 * runs; and the `tsgi.input` for that framing. An adapter passes what its transport says (the
 * header lines node:http parsed, FastCGI PARAMS, CGI variables, a fetch `Request`) and acts on
 * the answer: none of them checks a length's digits or compares it with the limit itself.
 */
import { InputTooLargeError } from './errors.js';
import { type InputSource, RequestInput } from './input.js';
import { isDigits } from './syntax.js';
import type { Application, ErrorStream } from './types.js';
import { errorResponse, type OwnResponse } from './wire-head.js';

/**
 * How a request's body is framed:
 * - `none`: no body; `tsgi.input` is at its end from the first read (ENV-20).
 * - `length`: exactly `length` bytes follow (IN-03: never more; IN-04: fewer is truncation).
 * - `stream`: the transport delimits the body (HTTP chunked coding, a FastCGI STDIN stream, CGI
 *   standard input read to its end); past `limit` bytes reads fail with `InputTooLargeError`.
 * - `refuse`: the declared `length` is above the limit: answer `413` without invoking the
 *   application (SRV-05); the body is not read.
 */
export type RequestFraming =
  | { readonly kind: 'none' }
  | { readonly kind: 'length'; readonly length: number }
  | { readonly kind: 'stream'; readonly limit: number | undefined }
  | { readonly kind: 'refuse'; readonly status: 413; readonly length: number };

/** What a transport knows about a request's body before reading it. */
export interface RequestBodyFacts {
  /**
   * The declared length as received (`Content-Length`, or `CONTENT_LENGTH` as the front end sent
   * it); absent or not decimal digits (nginx `""`, caddy `"-1"`) means none was declared.
   */
  contentLength?: string | undefined;
  /**
   * Without a declared length, whether a body may still follow, delimited by the transport:
   * `Transfer-Encoding: chunked` on HTTP; always on FastCGI and CGI, whose front ends stream a
   * chunked upload without a length (caddy, Apache mod_cgid); a fetch `Request` with a body.
   */
  streamed: boolean;
  /** The body size limit in bytes (`maxBodySize`, see `checkBodyLimit`); undefined: none. */
  limit?: number | undefined;
}

const _NONE: RequestFraming = Object.freeze({ kind: 'none' });
const _STREAM: RequestFraming = Object.freeze({ kind: 'stream', limit: undefined });

/** Decides a request body's framing (see `RequestFraming`). The only place that does. */
export function requestFraming(facts: RequestBodyFacts): RequestFraming {
  const declared = facts.contentLength;
  const limit = facts.limit;
  if (declared !== undefined && isDigits(declared)) {
    const length = Number(declared);
    if (limit !== undefined && length > limit) return { kind: 'refuse', status: 413, length };
    return length === 0 ? _NONE : { kind: 'length', length };
  }
  if (!facts.streamed) return _NONE;
  return limit === undefined ? _STREAM : { kind: 'stream', limit };
}

/**
 * The `maxBodySize` option, checked once at setup: a non-negative integer, or `undefined` or
 * `Infinity` for no limit (IN-08: a server documents whether it has one).
 */
export function checkBodyLimit(value: unknown, option = 'maxBodySize'): number | undefined {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `${option} must be a non-negative integer or Infinity, got ${String(value)} (IN-08)`,
    );
  }
  return value;
}

// ENV-20: every bodiless request shares this input: ended, so no call changes its state.
const _ENDED = new RequestInput(null, { length: 0 });

/** Options for `requestInput`. */
export interface RequestInputFor {
  /** `tsgi.errors` of the request: IN-13's contract error is logged there (ERR-08). */
  errors?: ErrorStream | undefined;
  /** Bytes buffered before the source is paused. Default 64 KiB. */
  highWaterMark?: number | undefined;
}

/**
 * The `tsgi.input` for a framing: the shared ended input for `none`, otherwise one that `source`
 * feeds, bounded by the declared length or the limit. For `refuse` it is bounded by the declared
 * length: the application never sees it, and an adapter that must consume the refused body
 * (CGI, so the web server does not reset the client) reads it through it.
 */
export function requestInput(
  framing: RequestFraming,
  source: InputSource | null,
  options: RequestInputFor = {},
): RequestInput {
  if (framing.kind === 'none') return _ENDED;
  return new RequestInput(source, {
    length: framing.kind === 'stream' ? undefined : framing.length,
    limit: framing.kind === 'stream' ? framing.limit : undefined,
    errors: options.errors,
    highWaterMark: options.highWaterMark ?? 65536,
  });
}

/**
 * SRV-05's `413`: `content-type: text/plain; charset=utf-8`, `content-length: 18`, the body
 * `Content Too Large` and a LF. The same bytes as the engine's answer to an `InputTooLargeError`
 * that escapes the application (IN-08).
 */
export function tooLargeResponse(): OwnResponse {
  return errorResponse(new InputTooLargeError(0), false);
}

/**
 * The `413` of a `refuse` framing as an application, for adapters that answer through the
 * engine and their own sink (so a HEAD request gets the head alone, BODY-25). The application the
 * deployer configured is not invoked (SRV-05).
 */
export const respondTooLarge: Application = (_environ, startResponse) => {
  const response = tooLargeResponse();
  startResponse(response.status, response.headers);
  return [response.body];
};
