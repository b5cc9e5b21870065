/**
 * An HTTP/2 request (node's stream API, ADP-NODE-15..17): what `_checkRequest` (_reject.ts) does
 * for HTTP/1.x, for a request nghttp2 has already framed. nghttp2
 * refuses connection-specific fields (RFC 9113 §8.2.2), a `content-length` the DATA frames do not
 * match (§8.1.1) and malformed pseudo-headers (§8.3) with a stream error, so what is left here is
 * the header count (SRV-07), Host against `:authority` (ENV-34, §8.3.1), the target (SRV-15) and
 * the body facts.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { isValidHost, requestTargetForm } from '@tsgi/core';
import {
  _100_CONTINUE,
  _BAD_REQUEST,
  type _BodyFacts,
  type _Refusal,
  _TOO_MANY,
} from './_refusal.js';

// CONNECT (RFC 9113 §8.5) has no `:path`: a tunnel, which TSGI's request model has no place for.
const _NO_TUNNEL: _Refusal = [501, 'Not Implemented'];

/**
 * A request of node's HTTP/2 compat API (`Http2ServerRequest`, which has its stream): a host
 * that gave `createRequestListener` to its own `node:http2` server. Not `httpVersionMajor`: llhttp
 * passes an HTTP/1.1 request line saying `HTTP/2.0` on to node:http (SRV-16 answers it 505).
 */
export function isH2Request(req: IncomingMessage): boolean {
  return (req as { stream?: unknown }).stream !== undefined;
}

/**
 * Why an HTTP/2 request must be refused without the application, or null; fills `body`.
 * `headers` and `raw` are node's two forms of the request's header list; `endAfterHeaders`: the
 * HEADERS frame ended the stream.
 */
export function _checkH2Request(
  headers: IncomingHttpHeaders,
  raw: readonly string[],
  endAfterHeaders: boolean,
  maxHeaders: number,
  body: _BodyFacts,
): _Refusal | null {
  let fields = 0;
  let hosts = 0;
  let host = '';
  let authority: string | undefined;
  let length: string | undefined;
  let expect: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!; // HTTP/2 names are lower case (RFC 9113 §8.2.1; nghttp2 checks)
    if (name.charCodeAt(0) === 0x3a) {
      if (name === ':authority') authority = raw[i + 1]!;
      continue;
    }
    fields++;
    if (name === 'host') {
      hosts++;
      host = raw[i + 1]!;
    } else if (name === 'content-length') length = raw[i + 1]!;
    else if (name === 'expect')
      expect = expect === undefined ? raw[i + 1]! : `${expect}, ${raw[i + 1]!}`;
  }
  body.contentLength = length;
  // RFC 9113 §8.1: a request whose HEADERS frame ended the stream has no body; any other has
  // DATA frames, delimited by END_STREAM whether or not content-length was sent.
  body.streamed = !endAfterHeaders;
  body.expectContinue = expect !== undefined && _100_CONTINUE.test(expect);
  // SRV-07: nghttp2 passes maxHeaders + 1 fields at most (serve's maxHeaderListPairs).
  if (fields > maxHeaders) return _TOO_MANY;
  // ENV-34 with RFC 9113 §8.3.1: `:authority` stands for Host when there is none; a Host that
  // differs from `:authority` is malformed. Neither is allowed (an HTTP/2 request may omit both).
  if (hosts > 1) return _BAD_REQUEST;
  if (hosts === 1 && authority !== undefined && authority !== host) return _BAD_REQUEST;
  const named = hosts === 1 ? host : authority;
  if (named !== undefined && !isValidHost(named)) return _BAD_REQUEST;
  const url = headers[':path'] as string | undefined;
  if (url === undefined || url === '') return _NO_TUNNEL;
  // SRV-15: nghttp2 refused control characters and spaces in `:path` (§8.3.1); `#` and the forms
  // other than origin-form and `*` (OPTIONS only) are ours to refuse.
  if (
    url.charCodeAt(0) === 0x2f
      ? url.indexOf('#') >= 0
      : requestTargetForm(url, headers[':method'] as string) === null
  ) {
    return _BAD_REQUEST;
  }
  return null;
}

/**
 * The header lines of an HTTP/2 request without its pseudo-headers (ENV-28, ADP-NODE-16): they
 * are control data, not fields. Also returns `:authority`, which stands for Host when there is none.
 */
export function _h2Fields(
  raw: readonly string[],
): [fields: string[], authority: string | undefined] {
  const fields: string[] = [];
  let authority: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.charCodeAt(0) !== 0x3a) fields.push(name, raw[i + 1]!);
    else if (name === ':authority') authority = raw[i + 1]!;
  }
  return [fields, authority];
}

/** RFC 9113 §8.2.2: fields that are about the HTTP/1.1 connection; never sent on HTTP/2. */
const _CONNECTION_SPECIFIC = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/**
 * The response fields an HTTP/2 stream may carry (ADP-NODE-17): connection-specific ones are left
 * out (node would refuse the head), and `te` only as `trailers`. Returns `headers` itself when
 * there is none to leave out, the usual case.
 */
export function _h2ResponseFields<T extends readonly [string, string]>(
  headers: readonly T[],
): readonly T[] {
  let out: T[] | null = null;
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!;
    const n = h[0].length; // only names of these lengths can be dropped: no lower-casing the rest
    const name = n === 2 || n === 7 || n === 10 || n === 16 || n === 17 ? h[0].toLowerCase() : '';
    const drop = _CONNECTION_SPECIFIC.has(name) || (name === 'te' && h[1].trim() !== 'trailers');
    if (drop && out === null) out = headers.slice(0, i);
    else if (!drop && out !== null) out.push(h);
  }
  return out ?? headers;
}
