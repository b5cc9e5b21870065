/**
 * BODY-21: a 304's `content-length` must be the one the 200 response would have had (RFC 9110
 * §8.6). The lint cannot know that in general; it can when the same lint layer answered the same
 * request-target with a 200 carrying the same strong `etag`, so it remembers those lengths.
 */
import type { ResponseHeaders } from '@tsgi/core';
import type { Exchange } from './exchange.js';

/** Remembered entries per lint layer; the oldest goes first. */
const _MAX = 256;

/** The content-lengths of the 200 responses one lint layer saw, by target and strong ETag. */
export class LengthMemory {
  readonly #seen = new Map<string, number>();

  /** Called after every valid startResponse with its code, headers and declared length. */
  check(ex: Exchange, code: number, headers: ResponseHeaders, length: number): void {
    if (length < 0 || (code !== 200 && code !== 304)) return;
    const etag = headers.find(([k]) => k.toLowerCase() === 'etag')?.[1];
    // A weak validator may be shared by representations of different lengths (gzip, identity).
    if (etag === undefined || etag.startsWith('W/')) return;
    const key = `${ex.environ.REQUEST_URI}\n${etag}`;
    if (code === 200) {
      this.#seen.delete(key);
      if (this.#seen.size >= _MAX) this.#seen.delete(this.#seen.keys().next().value!);
      this.#seen.set(key, length);
      return;
    }
    const want = this.#seen.get(key);
    if (want !== undefined && want !== length)
      ex.reporter.report(
        'BODY-21',
        'application',
        `a 304 declares content-length ${length}; the 200 for ${ex.environ.REQUEST_URI} with etag ${etag} had ${want}`,
      );
  }
}
