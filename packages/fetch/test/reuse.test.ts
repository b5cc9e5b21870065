/**
 * Chunk ownership in toFetch (BODY-17, BODY-19): the Response body is a ReadableStream its
 * consumer reads later, so every chunk it carries must be the stream's own copy. Apps that
 * refill one buffer for every chunk; a consumer that reads at once and one that reads slowly
 * (so the stream's high-water mark holds the app back).
 */
import { toFetch } from '@tsgi/fetch';
import {
  type ReuseCase,
  type ReuseProgress,
  reuseCases,
  reuseHeader,
  reuseRouter,
  reuseVerdict,
} from '@tsgi/harness/reuse';
import { describe, expect, it } from 'vitest';

function request(c: ReuseCase): Request {
  return new Request('http://localhost/', { headers: { 'x-reuse': reuseHeader(c) } });
}

/** Reads `body` with a 1 ms pause after every 16 KiB. */
async function readSlowly(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let sincePause = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(parts);
    parts.push(value);
    sincePause += value.length;
    if (sincePause >= 16 * 1024) {
      sincePause = 0;
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}

describe('BODY-17 / BODY-19: a reused buffer, the Response read at once', () => {
  const cases = reuseCases(64 * 1024, { min: 8 });
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const res = await toFetch(reuseRouter())(request(c));
    expect(res.status).toBe(200);
    expect(reuseVerdict(new Uint8Array(await res.arrayBuffer()), c)).toBe('ok');
  });
});

describe('BODY-17 / BODY-19 / BODY-02: a reused buffer, the Response read slowly', () => {
  const progress: ReuseProgress = { produced: 0 };
  // Far more than the stream's high-water mark (4 KiB here).
  const cases = reuseCases(512 * 1024, { max: 4096 });
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const res = await toFetch(reuseRouter(progress), { highWaterMark: 4096 })(request(c));
    await new Promise((r) => setTimeout(r, 20));
    // The consumer held the app back: it had not produced everything while nothing was read.
    if (c.mode !== 'array') expect(progress.produced).toBeLessThan(c.count);
    expect(reuseVerdict(await readSlowly(res.body!), c)).toBe('ok');
  });
});
