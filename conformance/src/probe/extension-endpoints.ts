/**
 * `GET /__tsgi/ext?which=hints|finished|file|trailers`: uses a registered extension when the
 * server offers it (10-extensions.md) and notes `absent` otherwise, so the suite can skip.
 */
import { open, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseBody, ResponseHeaders } from '@tsgi/core';
import { chunkBytes, describeError, type Endpoint, json, note, text } from './context.js';

type _Hints = (headers: ResponseHeaders) => Promise<void>;
type _Trailers = (names: readonly string[]) => (fields: ResponseHeaders) => void;
type _Finished = Array<(env: unknown, status: unknown, headers: unknown, error: unknown) => void>;
type _FileWrapper = (file: unknown, blockSize?: number) => ResponseBody;

/** The bytes the file endpoint serves: 20 000 octets, every value. */
export const FILE_BYTES = chunkBytes(0, 20_000, true);

export const ext: Endpoint = async (ctx) => {
  const which = ctx.q.get('which') ?? '';
  const key = {
    hints: 'tsgix.early_hints',
    finished: 'tsgix.response_finished',
    file: 'tsgi.file_wrapper',
    trailers: 'tsgix.trailers',
  }[which];
  if (key === undefined) return text(ctx, `unknown extension ${which}\n`, '404 Not Found');
  const value = ctx.environ[key];
  if (value === undefined) {
    note(ctx, 'absent', key);
    return json(ctx, { absent: key });
  }
  if (which === 'hints') {
    try {
      await (value as _Hints)([['link', '</style.css>; rel=preload; as=style']]);
      note(ctx, 'hints', 'ok');
    } catch (err) {
      note(ctx, 'hints', describeError(err));
    }
    return text(ctx, 'final\n');
  }
  if (which === 'finished') {
    const calls: unknown[] = [];
    for (const n of [1, 2])
      (value as _Finished).push((_env, status, _headers, error) => {
        calls.push({ n, status, error: error === null ? null : String(error) });
        note(ctx, 'finished', calls);
      });
    return text(ctx, 'ok\n');
  }
  if (which === 'file') {
    const path = join(tmpdir(), `tsgi-conformance-${process.pid}-${ctx.token ?? 'x'}.bin`);
    await writeFile(path, FILE_BYTES);
    const file = await open(path, 'r');
    ctx.start('200 OK', [
      ['content-type', 'application/octet-stream'],
      ['content-length', String(FILE_BYTES.length)],
    ]);
    return (value as _FileWrapper)(file, 4096);
  }
  const set = (value as _Trailers)(['x-checksum']);
  ctx.start('200 OK', [['content-type', 'text/plain']]);
  return (async function* () {
    yield new TextEncoder().encode('with trailers\n');
    set([['x-checksum', 'probe-123']]);
  })();
};
