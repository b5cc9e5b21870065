/**
 * MW-10, where the lint can check it: middleware that compresses a body (it added a gzip or
 * deflate `content-encoding` the wrapped application did not send) may hold bytes inside its
 * compressor, but once the upstream body has ended it must emit all of them. The outer lint
 * layer keeps what the middleware produced and, at the end, decompresses it: a stream that
 * stops short ("unexpected end of file") was never flushed.
 */
import type { ResponseHeaders } from '@tsgi/core';
import type { Exchange } from './exchange.js';

/** Bodies larger than this are not kept; the check is skipped for them. */
const _LIMIT = 8 * 1024 * 1024;
const _FORMATS: Readonly<Record<string, 'gzip' | 'deflate'>> = {
  gzip: 'gzip',
  'x-gzip': 'gzip',
  deflate: 'deflate',
};

const _encoding = (headers: ResponseHeaders | undefined): string =>
  headers
    ?.find(([k]) => k.toLowerCase() === 'content-encoding')?.[1]
    .trim()
    .toLowerCase() ?? '';

/** What one middleware layer produced under a compressing content-encoding. */
export class TransformCheck {
  readonly #format: 'gzip' | 'deflate';
  readonly #encoding: string;
  #chunks: Uint8Array[] | undefined = [];
  #size = 0;

  private constructor(encoding: string, format: 'gzip' | 'deflate') {
    this.#encoding = encoding;
    this.#format = format;
  }

  /** A check when `ex` is middleware (a lint layer below) answering with gzip or deflate. */
  static begin(ex: Exchange, headers: ResponseHeaders): TransformCheck | undefined {
    const encoding = _encoding(headers);
    const format = _FORMATS[encoding];
    if (ex.inner() === undefined || format === undefined) return undefined;
    if (typeof DecompressionStream !== 'function') return undefined;
    return new TransformCheck(encoding, format);
  }

  /** Keeps a copy of a produced chunk (the producer may reuse its memory). */
  take(chunk: Uint8Array): void {
    if (this.#chunks === undefined) return;
    this.#size += chunk.length;
    if (this.#size > _LIMIT) this.#chunks = undefined;
    else this.#chunks.push(chunk.slice());
  }

  /** At the end of the middleware's body: was everything the compressor held emitted? */
  finish(ex: Exchange): void {
    const inner = ex.inner();
    const chunks = this.#chunks;
    this.#chunks = undefined;
    // Only a transformation this middleware applied, over an upstream body that ended.
    if (chunks === undefined || inner === undefined || !inner.record.body.done) return;
    if (_encoding(inner.record.startResponse.headers) === this.#encoding) return;
    const stream = new Blob(chunks as unknown as ConstructorParameters<typeof Blob>[0])
      .stream()
      .pipeThrough(new DecompressionStream(this.#format));
    new Response(stream).arrayBuffer().then(
      () => {},
      (err: unknown) =>
        ex.reporter.note(
          'MW-10',
          'application',
          `the ${this.#encoding} body ended incomplete (${err instanceof Error ? err.message : String(err)}): middleware must emit everything it holds once the upstream body ended`,
        ),
    );
  }
}
