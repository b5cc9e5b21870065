/**
 * What pump.ts and response.ts need of one request's state: the fields and methods of the
 * engine's `_Exchange` (engine.ts) they read and write. Its own module so the engine imports
 * the pump and the response side, and they import only this (no import cycle); `_Exchange`
 * satisfies it structurally, so it stays one class with every field in object.
 */
import type { Environ, ResponseHeader, ResponseSink, Status } from './types.js';

/** One request's state, as the pump and the response side see it. */
export interface _ExchangeState {
  readonly environ: Environ;
  readonly sink: ResponseSink;
  readonly expose: boolean;
  readonly isHead: boolean;
  status: Status | undefined;
  headers: ResponseHeader[];
  contentLength: number;
  headersSent: boolean;
  bodyAllowed: boolean;
  sent: number;
  stop: boolean;
  finished: boolean;
  usedWrite: boolean;
  bodiless: boolean;
  arrayLength: number;
  index: number;
  iter: Iterator<Uint8Array> | AsyncIterator<Uint8Array> | undefined;
  open: boolean;
  writing: boolean;
  overrun: boolean;
  raised: unknown[] | undefined;
  readonly aborted: boolean;
  log(message: string): void;
  checkChunk(chunk: unknown): Uint8Array;
  complete(body: object | undefined, error: unknown): void | Promise<void>;
}
