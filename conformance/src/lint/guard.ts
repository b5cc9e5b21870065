/**
 * Chunk ownership checks. A chunk belongs to the server until the application asks for the next
 * one (BODY-17) and to the application once delivered (IN-11): the lint keeps a snapshot and
 * later compares the original with it to see whether its owner changed it. An input chunk
 * reaches the application as a copy; a response chunk reaches the server as it is, since a copy
 * would hide exactly what BODY-19 is about: a server still holding the memory the application
 * may reuse.
 */

/** Chunks up to this size are checked; larger ones pass untouched, to keep the lint cheap. */
const _LIMIT = 65536;

/** A chunk on its way across the contract. */
export interface Guard {
  /** What to hand on: a copy for checked chunks, the chunk itself otherwise. */
  readonly chunk: Uint8Array;
  /** False once the original no longer holds the bytes it had when guarded. */
  intact(): boolean;
}

const _UNCHECKED = (): boolean => true;

/** Guards `chunk`, handing on a copy unless `copy` is false; see the module comment. */
export function guard(chunk: Uint8Array, copy = true): Guard {
  if (chunk.length === 0 || chunk.length > _LIMIT) return { chunk, intact: _UNCHECKED };
  const reference = new Uint8Array(chunk);
  return {
    chunk: copy ? new Uint8Array(chunk) : chunk,
    intact: () => sameBytes(chunk, reference),
  };
}

/** True when `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The `code` property of an error, if any (the error classes of ERR-05 and IN-04). */
export function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
}
