/**
 * Byte strings: TSGI carries wire bytes in JS strings with one code unit per octet, as PEP 3333
 * does with latin-1 "native strings", so nothing is lost (ENV-06). These helpers convert at the
 * edges. `TextDecoder('latin1')` is not used: WHATWG maps that label to windows-1252, which
 * changes 0x80-0x9F.
 */

const _CHUNK = 0x2000;
const _utf8 = new TextDecoder('utf-8');
const _utf8Fatal = new TextDecoder('utf-8', { fatal: true });
const _encoder = new TextEncoder();

/** Bytes to a byte string (one code unit per octet). */
export function bytesToLatin1(bytes: Uint8Array): string {
  if (bytes.length <= _CHUNK) return String.fromCharCode.apply(null, bytes as unknown as number[]);
  let out = '';
  for (let i = 0; i < bytes.length; i += _CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + _CHUNK) as unknown as number[]);
  }
  return out;
}

/** A byte string back to bytes; throws `RangeError` on a code unit above 0xFF. */
export function latin1ToBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff) throw new RangeError(`code unit 0x${c.toString(16)} at ${i} is not a byte`);
    out[i] = c;
  }
  return out;
}

/** True when every code unit is a byte, i.e. the string is a valid byte string. */
export function isByteString(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * Reads a byte string (such as `PATH_INFO`) as UTF-8. Invalid sequences become U+FFFD, or throw a
 * `TypeError` with `{ fatal: true }`.
 */
export function decodeUtf8(byteString: string, options?: { fatal?: boolean }): string {
  const bytes = latin1ToBytes(byteString);
  return (options?.fatal ? _utf8Fatal : _utf8).decode(bytes);
}

/** Encodes text as UTF-8 and returns it as a byte string (the inverse of `decodeUtf8`). */
export function encodeUtf8(text: string): string {
  return bytesToLatin1(_encoder.encode(text));
}

/** Encodes text as UTF-8 bytes: the usual way to make a body chunk from a string. */
export function utf8(text: string): Uint8Array {
  return _encoder.encode(text);
}

/** The bytes of `chunks` one after another, in a new array (a body collected for a test, a buffer). */
export function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function _hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Percent-decodes a byte string exactly once (ENV-06): `%41` becomes `A`, `%252F` becomes `%2F`.
 * A `%` not followed by two hex digits is kept as is, as RFC 3986 parsers commonly do.
 */
export function percentDecode(raw: string): string {
  let i = raw.indexOf('%');
  if (i < 0) return raw;
  let out = raw.slice(0, i);
  for (; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (c === 0x25 && i + 2 < raw.length) {
      const hi = _hex(raw.charCodeAt(i + 1));
      const lo = hi < 0 ? -1 : _hex(raw.charCodeAt(i + 2));
      if (lo >= 0) {
        out += String.fromCharCode((hi << 4) | lo);
        i += 2;
        continue;
      }
    }
    out += raw[i];
  }
  return out;
}

/** Percent-encodes every byte outside RFC 3986 unreserved and `/` (the inverse of `percentDecode`). */
export function percentEncodePath(byteString: string): string {
  let out = '';
  for (let i = 0; i < byteString.length; i++) {
    const c = byteString.charCodeAt(i);
    const safe =
      (c >= 0x30 && c <= 0x39) ||
      (c >= 0x41 && c <= 0x5a) ||
      (c >= 0x61 && c <= 0x7a) ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x5f ||
      c === 0x7e ||
      c === 0x2f;
    out += safe ? byteString[i] : `%${(c < 16 ? '0' : '') + c.toString(16).toUpperCase()}`;
  }
  return out;
}
