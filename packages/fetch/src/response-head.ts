/**
 * The head of a `Response` from the engine's final headers: the tuples themselves as
 * `HeadersInit` (a sequence appends, so each Set-Cookie stays its own field, SR-03; cheaper than
 * building a `Headers` by `append`), with what a fetch runtime needs added or left out.
 */
import { httpDate, type ResponseHeaders } from '@tsgi/core';

/** What the runtime needs done to every head, settled once by `toFetch`. */
export interface HeadOptions {
  /** Add a `Date` when there is none (SR-12: workerd sends none). */
  readonly date: boolean;
  /**
   * Leave `content-length` out of a bytes body's head: the runtime sends the bytes' length
   * itself (the engine's value, BODY-08, BODY-10). On Deno 2.9 the field makes `new Response`
   * cost about 6 µs instead of 2 (interleaved runs); elsewhere it is kept, so the `Response`
   * says its length to whoever reads it in memory.
   */
  readonly dropLength: boolean;
}

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
 * Scans `headers` once and applies `options`. A 426 with `upgrade` gets `connection: upgrade`
 * (SR-17, RFC 9110 §7.8).
 */
export function headFacts(
  headers: ResponseHeaders,
  code: number,
  options: HeadOptions,
  whole: boolean,
): HeadFacts {
  const date = options.date;
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
  const drop = bytes && options.dropLength && length >= 0;
  const addDate = date && !hasDate;
  const addConnection = upgrade && !connection;
  if (!drop && !addDate && !addConnection) return { list: headers, bytes, hasLength: length >= 0 };
  const list = drop ? headers.filter((_, i) => i !== length) : [...headers];
  if (addDate) list.push(['date', httpDate()]);
  if (addConnection) list.push(['connection', 'upgrade']);
  return { list, bytes, hasLength: length >= 0 };
}
