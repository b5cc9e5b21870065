/**
 * The state one lint layer keeps for one request, shared by the startResponse, write, body and
 * input wrappers.
 */
import type { Environ, ResponseHeaders } from '@tsgi/core';
import type { LintRecord } from './record.js';
import type { Reporter } from './violation.js';

/**
 * The MW-10 check of a compressing middleware's output (`TransformCheck`, transform.ts). Named
 * here by shape so this module imports neither check (they import `Exchange`: no cycle).
 */
export interface OutputCheck {
  take(chunk: Uint8Array): void;
  finish(ex: Exchange): void;
}

/** The content-lengths of earlier 200 responses (`LengthMemory`, conditional.ts; BODY-21). */
export interface LengthCheck {
  check(ex: Exchange, code: number, headers: ResponseHeaders, length: number): void;
}

/** Per-request state of one lint layer. */
export class Exchange {
  readonly record: LintRecord;
  readonly reporter: Reporter;
  readonly environ: Environ;
  readonly isHead: boolean;
  readonly markFinished: () => void;
  /** Status code of the last successful startResponse, or 0. */
  code = 0;
  /** Declared content-length, or -1. */
  contentLength = -1;
  /** Bytes produced by body and write together. */
  produced = 0;
  /** A non-empty chunk has reached the server: a conforming server has sent headers (SR-08). */
  headersOut = false;
  /** The body's iterator is inside next(). */
  iterating = false;
  /** The server has obtained the body's iterator: write() is too late from now on (WR-02). */
  iterationStarted = false;
  /** The body ended or was released: the response is complete (WR-02). */
  completed = false;
  /** write() promises not yet settled (WR-01). */
  pendingWrites = 0;
  /** The app function (or its promise) has returned the body to the server (MW-03). */
  bodyReturned = false;
  /** Body chunks this layer handed to the server (MW-02, Rack's rack.lint.body_iteration). */
  yields = 0;
  /** An iterator was obtained and has not finished, thrown or been returned (BODY-05). */
  iteratorOpen = false;
  /** The last chunk this layer handed on (MW-07 is checked against it by the layer above). */
  lastHanded: Uint8Array | undefined = undefined;
  /** The compressed output of a middleware layer, checked at its end (MW-10). */
  transform: OutputCheck | undefined = undefined;
  /** The content-lengths of earlier 200 responses of this lint layer (BODY-21). */
  lengths: LengthCheck | undefined = undefined;
  /** The exchange of the lint layer below, when the application is middleware over another. */
  inner: () => Exchange | undefined = () => undefined;
  #sr11 = false;

  /** True when `chunk` is the chunk the layer below last handed to the middleware (MW-07). */
  innerHanded(chunk: Uint8Array): boolean {
    const below = this.inner();
    return below !== undefined && below.lastHanded === chunk;
  }

  /** The rule a content-length mismatch breaks: MW-05 for middleware, else `id`. */
  #lengthRule(id: string): string {
    return this.inner() !== undefined ? 'MW-05' : id;
  }

  constructor(environ: Environ, record: LintRecord, reporter: Reporter, markFinished: () => void) {
    this.environ = environ;
    this.record = record;
    this.reporter = reporter;
    this.isHead = environ.REQUEST_METHOD === 'HEAD';
    this.markFinished = markFinished;
  }

  /** True when the current status forbids a body: 204, 304 (BODY-13), 205 (BODY-23). */
  get bodyless(): boolean {
    return this.code === 204 || this.code === 304 || this.code === 205;
  }

  /**
   * Accounts for one chunk the application produced through the body or write(): APP-05
   * ordering and the content-length the application declared (BODY-08, Rack's
   * verify_content_length).
   */
  produce(chunk: Uint8Array, via: 'body' | 'write'): void {
    if (chunk.length === 0) return; // APP-07: empty chunks are no-ops.
    const r = this.reporter;
    if (this.record.startResponse.calls === 0 || this.code === 0)
      r.report('APP-05', 'application', `${via} produced bytes before startResponse was called`);
    this.produced += chunk.length;
    this.headersOut = true;
    this.transform?.take(chunk);
    if (this.contentLength >= 0 && this.produced > this.contentLength && !this.bodyless)
      r.report(
        this.#lengthRule('BODY-08'),
        'application',
        `produced ${this.produced} bytes but declared content-length ${this.contentLength}`,
      );
    if (this.bodyless)
      r.report(
        this.code === 205 ? 'BODY-23' : 'BODY-13',
        'application',
        `a ${this.code} response has no body; ${chunk.length} bytes will be dropped`,
        { severity: 'warning' },
      );
  }

  /**
   * SR-11: once startResponse threw for a call with excInfo, the application must let that
   * error propagate; carrying on (returning a body, yielding a chunk) means it caught it.
   */
  checkCaught(): void {
    if (!this.record.startResponse.excInfoThrew || this.#sr11) return;
    this.#sr11 = true;
    this.reporter.report(
      'SR-11',
      'application',
      'caught the error startResponse threw for an excInfo call; it must propagate',
    );
  }

  /** At the normal end of the body: too few bytes for the declared length (BODY-09). */
  checkEnd(): void {
    this.transform?.finish(this);
    if (this.record.startResponse.calls === 0)
      this.reporter.report('APP-06', 'application', 'the body ended without startResponse');
    if (
      this.contentLength >= 0 &&
      this.produced < this.contentLength &&
      !this.bodyless &&
      !(this.isHead && this.produced === 0)
    )
      this.reporter.report(
        this.#lengthRule('BODY-09'),
        'application',
        `produced ${this.produced} bytes but declared content-length ${this.contentLength}`,
      );
  }
}
