/**
 * The head of a `Response` from the engine's final headers: the tuples themselves as
 * `HeadersInit` (a sequence appends, so each Set-Cookie stays its own field, SR-03), with what a
 * fetch runtime needs added or left out. Measured on Deno 2.9 (a hello world's `new Response`):
 * a `Headers` built by `append` costs 4.7 µs, the same tuples 3.7 µs, and without a
 * `content-length` field 0.9 µs: a bytes body's length is sent by the runtime anyway.
 */
import type { ResponseHeaders } from '@tsgi/core';

/** What the sink must know about the headers. */
export interface HeadFacts {
  /** The tuples to give `new Response`. */
  list: ReadonlyArray<readonly [string, string]>;
  /**
   * A whole body goes out as bytes. Not without the application's own content-type: Bun adds
   * `application/octet-stream` to a bytes body (not to a stream), which BODY-22 forbids.
   */
  bytes: boolean;
  hasLength: boolean;
}

function _is(name: string, lower: string): boolean {
  return name.length === lower.length && name.toLowerCase() === lower;
}

/**
 * Scans `headers` once. For a whole body sent as bytes `content-length` is left out: the runtime
 * sends the bytes' length itself, which is the engine's value (BODY-08, BODY-10). `date`: add a
 * `Date` when there is none (SR-12, workerd). A 426 with `upgrade` gets `connection: upgrade`
 * (SR-17, RFC 9110 §7.8).
 */
export function headFacts(
  headers: ResponseHeaders,
  code: number,
  date: boolean,
  whole: boolean,
): HeadFacts {
  let hasType = false;
  let length = -1;
  let hasDate = false;
  let upgrade = false;
  let connection = false;
  for (let i = 0; i < headers.length; i++) {
    const name = headers[i]![0];
    if (_is(name, 'content-type')) hasType = true;
    else if (_is(name, 'content-length')) length = i;
    else if (date && _is(name, 'date')) hasDate = true;
    else if (code === 426 && _is(name, 'upgrade')) upgrade = true;
    else if (code === 426 && _is(name, 'connection')) connection = true;
  }
  const bytes = whole && hasType;
  const drop = bytes && length >= 0;
  const addDate = date && !hasDate;
  const addConnection = upgrade && !connection;
  if (!drop && !addDate && !addConnection) return { list: headers, bytes, hasLength: length >= 0 };
  const list = drop ? headers.filter((_, i) => i !== length) : [...headers];
  if (addDate) list.push(['date', new Date().toUTCString()]);
  if (addConnection) list.push(['connection', 'upgrade']);
  return { list, bytes, hasLength: length >= 0 };
}
