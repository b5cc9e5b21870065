/** Record framing (spec §3.3): the 8-byte header, one record, a stream split into records. */
import {
  FCGI_HEADER_LEN,
  FCGI_MAX_CONTENT_LENGTH,
  FCGI_SPLIT_CONTENT_LENGTH,
  FCGI_VERSION_1,
  type RecordHeader,
} from './constants.js';

const _EMPTY = new Uint8Array(0);

/** Padding that brings `contentLength` to a multiple of 8, as the spec recommends (§3.3). */
export function paddingFor(contentLength: number): number {
  return -contentLength & 7;
}

/**
 * Writes an 8-byte record header into `target` at `offset` (a new array by default) and returns
 * `target`. Throws `RangeError` when a field does not fit its wire width.
 */
export function encodeHeader(
  type: number,
  requestId: number,
  contentLength: number,
  paddingLength = 0,
  target: Uint8Array = new Uint8Array(FCGI_HEADER_LEN),
  offset = 0,
): Uint8Array {
  if (!(type >= 0 && type <= 0xff && requestId >= 0 && requestId <= 0xffff)) {
    throw new RangeError(`record type ${type} or request id ${requestId} out of range`);
  }
  if (
    !(contentLength >= 0 && contentLength <= 0xffff && paddingLength >= 0 && paddingLength <= 0xff)
  ) {
    throw new RangeError(
      `content length ${contentLength} or padding ${paddingLength} out of range`,
    );
  }
  target[offset] = FCGI_VERSION_1;
  target[offset + 1] = type;
  target[offset + 2] = requestId >>> 8;
  target[offset + 3] = requestId & 0xff;
  target[offset + 4] = contentLength >>> 8;
  target[offset + 5] = contentLength & 0xff;
  target[offset + 6] = paddingLength;
  target[offset + 7] = 0;
  return target;
}

/** Reads the 8-byte header at `offset`. The version is returned as is, not checked. */
export function decodeHeader(bytes: Uint8Array, offset = 0): RecordHeader {
  if (bytes.length - offset < FCGI_HEADER_LEN)
    throw new RangeError('fewer than 8 bytes for a record header');
  return {
    version: bytes[offset]!,
    type: bytes[offset + 1]!,
    requestId: (bytes[offset + 2]! << 8) | bytes[offset + 3]!,
    contentLength: (bytes[offset + 4]! << 8) | bytes[offset + 5]!,
    paddingLength: bytes[offset + 6]!,
  };
}

/** Options for the record encoders. */
export interface EncodeOptions {
  /** Pad each record to a multiple of 8 bytes (default true). */
  pad?: boolean;
  /** Largest content per record when splitting (1..65535; default 65528). */
  maxContentLength?: number;
}

/** Encodes one record; `content` must fit in one record (at most 65535 bytes). */
export function encodeRecord(
  type: number,
  requestId: number,
  content: Uint8Array = _EMPTY,
  options: EncodeOptions = {},
): Uint8Array {
  const pad = options.pad === false ? 0 : paddingFor(content.length);
  const out = new Uint8Array(FCGI_HEADER_LEN + content.length + pad);
  encodeHeader(type, requestId, content.length, pad, out, 0);
  out.set(content, FCGI_HEADER_LEN);
  return out;
}

/**
 * Encodes a stream payload of any size as consecutive records of at most `maxContentLength`
 * bytes. An empty payload yields no record. With `terminate`, the empty record that ends a stream
 * (spec §3.3) is appended.
 */
export function encodeStream(
  type: number,
  requestId: number,
  data: Uint8Array,
  options: EncodeOptions & { terminate?: boolean } = {},
): Uint8Array {
  const max = options.maxContentLength ?? FCGI_SPLIT_CONTENT_LENGTH;
  if (!(max >= 1 && max <= FCGI_MAX_CONTENT_LENGTH))
    throw new RangeError(`maxContentLength ${max} out of range`);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < data.length; i += max) {
    const r = encodeRecord(
      type,
      requestId,
      data.subarray(i, Math.min(i + max, data.length)),
      options,
    );
    parts.push(r);
    total += r.length;
  }
  if (options.terminate) {
    const r = encodeRecord(type, requestId, _EMPTY, options);
    parts.push(r);
    total += r.length;
  }
  return concatBytes(parts, total);
}

/** Concatenates byte arrays (a fresh array even for one part). */
export function concatBytes(parts: readonly Uint8Array[], total = -1): Uint8Array {
  if (total < 0) {
    total = 0;
    for (const p of parts) total += p.length;
  }
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
