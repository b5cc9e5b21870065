/** Record framing: the 8-byte header, whole records, streams, and the fixed-size bodies. */
import {
  FCGI_HEADER_LEN,
  FCGI_MAX_CONTENT_LENGTH,
  FCGI_SPLIT_CONTENT_LENGTH,
  FCGI_VERSION_1,
  type RecordHeader,
} from './constants.js';
import { FastCGIProtocolError } from './errors.js';

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

/** The 8-byte BEGIN_REQUEST body: role and flags (spec §5.1). */
export function encodeBeginRequestBody(role: number, flags: number): Uint8Array {
  return new Uint8Array([(role >>> 8) & 0xff, role & 0xff, flags & 0xff, 0, 0, 0, 0, 0]);
}

/** Decodes a BEGIN_REQUEST body; a body shorter than 8 bytes is a protocol error. */
export function decodeBeginRequestBody(content: Uint8Array): { role: number; flags: number } {
  if (content.length < 8) {
    throw new FastCGIProtocolError(
      'BAD_BODY',
      `BEGIN_REQUEST body has ${content.length} bytes, not 8`,
    );
  }
  return { role: (content[0]! << 8) | content[1]!, flags: content[2]! };
}

/** The 8-byte END_REQUEST body: a 32-bit appStatus and a protocolStatus (spec §5.5). */
export function encodeEndRequestBody(appStatus: number, protocolStatus: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = (appStatus >>> 24) & 0xff;
  out[1] = (appStatus >>> 16) & 0xff;
  out[2] = (appStatus >>> 8) & 0xff;
  out[3] = appStatus & 0xff;
  out[4] = protocolStatus & 0xff;
  return out;
}

/** Decodes an END_REQUEST body; `appStatus` is unsigned. */
export function decodeEndRequestBody(content: Uint8Array): {
  appStatus: number;
  protocolStatus: number;
} {
  if (content.length < 8) {
    throw new FastCGIProtocolError(
      'BAD_BODY',
      `END_REQUEST body has ${content.length} bytes, not 8`,
    );
  }
  const appStatus =
    ((content[0]! << 24) | (content[1]! << 16) | (content[2]! << 8) | content[3]!) >>> 0;
  return { appStatus, protocolStatus: content[4]! };
}

/** The 8-byte UNKNOWN_TYPE body: the type not understood, then 7 reserved bytes (spec §4.2). */
export function encodeUnknownTypeBody(type: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = type & 0xff;
  return out;
}

/** Decodes an UNKNOWN_TYPE body. */
export function decodeUnknownTypeBody(content: Uint8Array): { type: number } {
  if (content.length < 8) {
    throw new FastCGIProtocolError(
      'BAD_BODY',
      `UNKNOWN_TYPE body has ${content.length} bytes, not 8`,
    );
  }
  return { type: content[0]! };
}
