/**
 * Encodes an SCGI request (the front end's side): for tests, tools and the benchmark client.
 * Pure: no I/O, no imports beyond the codec's own files.
 */
import type { HeaderPairs } from './headers.js';

/** A byte string as bytes; a code unit above 0xFF is not a byte and throws `RangeError`. */
function _bytes(text: string, out: Uint8Array, at: number): number {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`code unit 0x${c.toString(16)} is not a byte`);
    out[at++] = c;
  }
  return at;
}

/**
 * The netstring of `pairs` (byte strings, written as given and in order: put CONTENT_LENGTH
 * first and include `SCGI`/`1` for a valid request), followed by `body` when given.
 */
export function encodeScgiRequest(pairs: HeaderPairs, body?: Uint8Array): Uint8Array {
  let size = 0;
  for (const [name, value] of pairs) size += name.length + value.length + 2;
  const prefix = `${size}:`;
  const out = new Uint8Array(prefix.length + size + 1 + (body?.length ?? 0));
  let o = _bytes(prefix, out, 0);
  for (const [name, value] of pairs) {
    o = _bytes(name, out, o) + 1; // the NUL is already there: the array starts zeroed
    o = _bytes(value, out, o) + 1;
  }
  out[o++] = 0x2c;
  if (body !== undefined) out.set(body, o);
  return out;
}

/** `pairs` with CONTENT_LENGTH first (the body's length) and `SCGI: 1` second. */
export function scgiHeaders(
  variables: Readonly<Record<string, string>>,
  bodyLength = 0,
): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['CONTENT_LENGTH', String(bodyLength)],
    ['SCGI', '1'],
  ];
  for (const name of Object.keys(variables))
    if (name !== 'CONTENT_LENGTH' && name !== 'SCGI') out.push([name, variables[name]!]);
  return out;
}
