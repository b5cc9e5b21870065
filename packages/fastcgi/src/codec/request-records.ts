/** The fixed-size bodies of an application's request records (spec §5.1, §5.5). */
import { FCGI_HEADER_LEN, RecordType } from './constants.js';
import { FastCGIProtocolError } from './errors.js';
import { encodeHeader, encodeRecord } from './records.js';

/** The 8-byte BEGIN_REQUEST body: role and flags (spec §5.1). */
export function encodeBeginRequestBody(role: number, flags: number): Uint8Array {
  return new Uint8Array([(role >>> 8) & 0xff, role & 0xff, flags & 0xff, 0, 0, 0, 0, 0]);
}

/** A whole BEGIN_REQUEST record (header and body). */
export function encodeBeginRequest(requestId: number, role: number, flags: number): Uint8Array {
  return encodeRecord(RecordType.BEGIN_REQUEST, requestId, encodeBeginRequestBody(role, flags));
}

/** Decodes a BEGIN_REQUEST body; a body shorter than 8 bytes is a protocol error (thrown). */
export function decodeBeginRequestBody(content: Uint8Array): { role: number; flags: number } {
  if (content.length < 8) {
    throw new FastCGIProtocolError(
      'BAD_BODY',
      `BEGIN_REQUEST body has ${content.length} bytes, not 8`,
    );
  }
  return { role: (content[0]! << 8) | content[1]!, flags: content[2]! };
}

function _putEndRequestBody(
  out: Uint8Array,
  o: number,
  appStatus: number,
  protocolStatus: number,
): void {
  out[o] = (appStatus >>> 24) & 0xff;
  out[o + 1] = (appStatus >>> 16) & 0xff;
  out[o + 2] = (appStatus >>> 8) & 0xff;
  out[o + 3] = appStatus & 0xff;
  out[o + 4] = protocolStatus & 0xff;
}

/** The 8-byte END_REQUEST body: a 32-bit appStatus and a protocolStatus (spec §5.5). */
export function encodeEndRequestBody(appStatus: number, protocolStatus: number): Uint8Array {
  const out = new Uint8Array(8);
  _putEndRequestBody(out, 0, appStatus, protocolStatus);
  return out;
}

/** A whole END_REQUEST record (16 bytes): what ends every request a server accepted or refused. */
export function encodeEndRequest(
  requestId: number,
  appStatus: number,
  protocolStatus: number,
): Uint8Array {
  const out = new Uint8Array(FCGI_HEADER_LEN + 8);
  encodeHeader(RecordType.END_REQUEST, requestId, 8, 0, out, 0);
  _putEndRequestBody(out, FCGI_HEADER_LEN, appStatus, protocolStatus);
  return out;
}

/** Decodes an END_REQUEST body; `appStatus` is unsigned. A short body throws `BAD_BODY`. */
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
