/**
 * Byte strings (one code unit per octet, ENV-06) from and to bytes, in plain ECMAScript so the
 * codec runs anywhere. `TextDecoder('latin1')` is not an option: the Encoding Standard maps that
 * label to windows-1252, which turns 0x80..0x9F into other characters.
 */

/**
 * Decodes bytes `[start, end)` of `bytes` as a byte string. The shape of `bytesToLatin1`, so a
 * host with a faster native decoder (Node's `Buffer#latin1Slice`) can pass one in instead.
 */
export type Latin1Decoder = (bytes: Uint8Array, start: number, end: number) => string;

/**
 * Code units per `String.fromCharCode.apply` call: each byte becomes one argument, and engines
 * limit how many arguments a call may take (V8 throws a RangeError somewhere above 100 000).
 */
const _BLOCK = 8192;

/** Bytes `[start, end)` as a byte string: exact for every octet, unlike `TextDecoder('latin1')`. */
export function bytesToLatin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  if (end - start <= _BLOCK) {
    if (start === end) return '';
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  let out = '';
  for (let i = start; i < end; i += _BLOCK) {
    const block = bytes.subarray(i, Math.min(i + _BLOCK, end));
    out += String.fromCharCode.apply(null, block as unknown as number[]);
  }
  return out;
}

/** A byte string as bytes; a code unit above 0xFF is not a byte and throws `RangeError`. */
export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`code unit 0x${c.toString(16)} at ${i} is not a byte`);
    out[i] = c;
  }
  return out;
}
