/**
 * The netstring's content: `name NUL value NUL` pairs (protocol.txt "headers"). Pure: no I/O,
 * no imports beyond the codec's own files.
 */
import { type Latin1Decoder, ScgiProtocolError } from './errors.js';

/** Header pairs in the order received, as byte strings. */
export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

/** Digits only, no sign, at most 15 of them (a safe integer). */
function _isLength(value: string): boolean {
  if (value.length === 0 || value.length > 15) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/**
 * Parses the headers and checks what protocol.txt requires of them (ADP-SCGI-04): every name and
 * value ends with a NUL, names are not empty, the first one is CONTENT_LENGTH with a decimal
 * value, `SCGI` is present with the value `1`, and no name repeats. Repeated `HTTP_*` names are
 * let through, because nginx before 1.23 sends a repeated request header as two of them; the
 * server merges them (ADP-SCGI-06). Returns the pairs and the length, or the error.
 */
export function parseHeaders(
  bytes: Uint8Array,
  latin1: Latin1Decoder,
): { pairs: HeaderPairs; contentLength: number } | ScgiProtocolError {
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  let scgi: string | undefined;
  let i = 0;
  const n = bytes.length;
  if (n === 0 || bytes[n - 1] !== 0)
    return _bad('BAD_HEADERS', 'the headers do not end with a NUL');
  while (i < n) {
    const nameEnd = bytes.indexOf(0, i);
    const valueEnd = bytes.indexOf(0, nameEnd + 1);
    if (valueEnd < 0) return _bad('BAD_HEADERS', 'a header name has no value');
    if (nameEnd === i) return _bad('BAD_HEADERS', 'a header name is empty');
    const name = latin1(bytes, i, nameEnd);
    const value = latin1(bytes, nameEnd + 1, valueEnd);
    i = valueEnd + 1;
    if (pairs.length === 0 && name !== 'CONTENT_LENGTH')
      return _bad(
        'NO_CONTENT_LENGTH',
        `the first header is ${JSON.stringify(name)}, not CONTENT_LENGTH`,
      );
    if (seen.has(name) && !name.startsWith('HTTP_'))
      return _bad('DUPLICATE_NAME', `the header ${JSON.stringify(name)} is repeated`);
    seen.add(name);
    if (name === 'SCGI') scgi = value;
    pairs.push([name, value]);
  }
  const length = pairs[0]![1];
  if (!_isLength(length))
    return _bad(
      'NO_CONTENT_LENGTH',
      `CONTENT_LENGTH ${JSON.stringify(length)} is not a decimal length`,
    );
  if (scgi !== '1')
    return _bad(
      'NOT_SCGI',
      scgi === undefined
        ? 'the SCGI header is missing'
        : `SCGI is ${JSON.stringify(scgi)}, not "1"`,
    );
  return { pairs, contentLength: Number(length) };
}

function _bad(code: ScgiProtocolError['code'], message: string): ScgiProtocolError {
  return new ScgiProtocolError(code, message);
}
