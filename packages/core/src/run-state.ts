/**
 * What pump.ts and response.ts need of one request's `ResponseRun` (engine.ts): the fields and
 * methods they read and write. Its own module so the engine imports the pump and the response
 * side and they import only this (no import cycle, packages/harness/test/import-cycles.test.ts);
 * `ResponseRun` satisfies it by shape, so it stays one class with every field in object.
 */
import type { Environ, ResponseHeader, ResponseSink, Status } from './types.js';

/** One request's state, as the pump and the response side see it. */
export interface RunState {
  readonly environ: Environ;
  readonly sink: ResponseSink;
  readonly expose: boolean;
  readonly isHead: boolean;
  status: Status | undefined;
  /** `status`'s numeric code (0 before startResponse). */
  code: number;
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
