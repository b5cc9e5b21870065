/**
 * Lint checks for rules of the second edition (TSGI 1.1): BODY-20, BODY-21, BODY-23 (the
 * application's headers), WR-06, IN-13, IN-14, ENV-31, ENV-32 (the server's answers) and MW-10
 * (a compressing middleware). Each: a violating party is reported with the ID, a conforming one
 * is not.
 */
import { gzipSync } from 'node:zlib';
import {
  type Application,
  ClientDisconnectError,
  ContractError,
  type InputStream,
  RequestInput,
  type ResponseHeaders,
  type Status,
} from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { describe, expect, it } from 'vitest';
import { lint, type Violation } from '../src/lint/index.js';
import { drive, fakeEnviron, ids, linted, te } from './_lint-helpers.js';

const hello: Application = (_e, start) => {
  start('200 OK', [['content-type', 'text/plain']]);
  return (async function* () {
    yield te.encode('a');
  })();
};

/** An app answering `status` with `headers` and no body. */
const answer =
  (status: Status, headers: ResponseHeaders): Application =>
  (_e, start) => {
    start(status, headers);
    return [];
  };

describe('lint: application headers of the second edition', () => {
  it('BODY-23: a 205 may set only content-length: 0', async () => {
    const bad = await linted(answer('205 Reset Content', [['content-length', '5']]));
    expect(ids(bad.violations, 'application')).toEqual(['BODY-23']);
    const good = await linted(answer('205 Reset Content', [['content-length', '0']]));
    expect(ids(good.violations)).toEqual([]);
  });

  it("BODY-21: a 304's content-length differs from the 200 this layer sent for the same target and ETag", async () => {
    const violations: Violation[] = [];
    const cl = (env: Record<string, unknown>): string => String(env.HTTP_X_LENGTH ?? '5');
    const app = lint(
      (env, start) => {
        const etag = String(env.HTTP_X_ETAG ?? '"v1"');
        if (env.HTTP_IF_NONE_MATCH === undefined) {
          start('200 OK', [
            ['content-type', 'text/plain'],
            ['etag', etag],
            ['content-length', '5'],
          ]);
          return [te.encode('hello')];
        }
        start('304 Not Modified', [
          ['etag', etag],
          ['content-length', cl(env)],
        ]);
        return [];
      },
      { onViolation: (v) => violations.push(v) },
    );
    const conditional = (length: string, etag = '"v1"') =>
      request(app, {
        path: '/x',
        headers: { 'if-none-match': etag, 'x-length': length, 'x-etag': etag },
      });
    await request(app, { path: '/x' });
    await conditional('5');
    expect(ids(violations)).toEqual([]);
    await conditional('3');
    expect(ids(violations, 'application')).toEqual(['BODY-21']);
    // A weak validator may cover representations of other lengths: not judged.
    violations.length = 0;
    await request(app, { path: '/x', headers: { 'x-etag': 'W/"v2"' } });
    await conditional('3', 'W/"v2"');
    expect(ids(violations)).toEqual([]);
  });
});

describe('lint: bodies reach the server as the application made them (BODY-19, APP-08)', () => {
  it('an Array with a completion hook stays an Array; its hook still counts as the release', () => {
    const chunk = te.encode('x');
    const { body, record } = drive((_e, start) => {
      start('200 OK', [['content-type', 'text/plain']]);
      return Object.assign([chunk], { close() {} });
    }, fakeEnviron());
    expect(Array.isArray(body)).toBe(true);
    expect((body as Uint8Array[])[0]).toBe(chunk);
    (body as unknown as { close(): void }).close();
    expect(record().released).toBe(true);
  });
});

describe('lint: server answers of the second edition', () => {
  it('WR-06: a write() that throws synchronously', async () => {
    const { body, violations } = drive(
      async (_e, start) => {
        const write = start('200 OK', [['content-type', 'text/plain']]);
        await write(te.encode('x')).catch(() => {});
        return [];
      },
      fakeEnviron(),
      () => () => {
        throw new ContractError('APP-04', 'thrown instead of rejected');
      },
    );
    await body;
    expect(ids(violations, 'server')).toEqual(['WR-06']);
  });

  /** An input whose first read() waits for `release`, and whose second does `second()`. */
  function input(second: () => Promise<Uint8Array>): { input: InputStream; release(): void } {
    let release = (): void => {};
    let calls = 0;
    return {
      release: () => release(),
      input: {
        read: () =>
          ++calls === 1
            ? new Promise<Uint8Array>((resolve) => {
                release = () => resolve(te.encode('abc'));
              })
            : second(),
        cancel() {},
        async *[Symbol.asyncIterator]() {},
      },
    };
  }

  /** Reads twice at once through the lint; returns the server-side violation IDs. */
  async function concurrent(source: { input: InputStream; release(): void }): Promise<string[]> {
    const { body, violations } = drive(
      async (env, start) => {
        const first = env['tsgi.input'].read();
        try {
          await env['tsgi.input'].read();
        } catch {}
        source.release();
        await first.catch(() => {});
        start('200 OK', [['content-type', 'text/plain']]);
        return [];
      },
      fakeEnviron({ 'tsgi.input': source.input }),
    );
    await body;
    expect(ids(violations, 'application')).toEqual(['IN-12']);
    return ids(violations, 'server');
  }

  it('IN-13: a concurrent read() that throws, resolves or rejects with something else', async () => {
    const throws = input(() => {
      throw new ContractError('IN-12', 'thrown');
    });
    expect(await concurrent(throws)).toEqual(['IN-13']);
    expect(await concurrent(input(() => Promise.resolve(te.encode('x'))))).toEqual(['IN-13']);
    expect(await concurrent(input(() => Promise.reject(new Error('busy'))))).toEqual(['IN-13']);
  });

  it('IN-13: the core RequestInput rejects a concurrent read() and keeps the pending one', async () => {
    const core = new RequestInput(null, { length: 3 });
    const source = { input: core as InputStream, release: () => core.push(te.encode('abc')) };
    expect(await concurrent(source)).toEqual([]);
  });

  it('IN-14: a read() after cancel() that rejects once the client left', async () => {
    const run = async (after: () => Promise<Uint8Array>) => {
      const source: InputStream = {
        read: after,
        cancel() {},
        async *[Symbol.asyncIterator]() {},
      };
      const { body, violations } = drive(
        async (env, start) => {
          env['tsgi.input'].cancel();
          await env['tsgi.input'].read().catch(() => {});
          start('200 OK', [['content-type', 'text/plain']]);
          return [];
        },
        fakeEnviron({ CONTENT_LENGTH: '10', 'tsgi.input': source }),
      );
      await body;
      return ids(violations, 'server');
    };
    expect(await run(() => Promise.reject(new ClientDisconnectError()))).toEqual(['IN-14']);
    expect(await run(() => Promise.resolve(new Uint8Array(0)))).toEqual([]);
  });

  it('ENV-32: an abort reason that is not a ClientDisconnectError; ENV-31: an abort after a normal end', () => {
    const early = new AbortController();
    const a = drive(hello, fakeEnviron({ 'tsgi.signal': early.signal }));
    early.abort(new Error('shutting down'));
    expect(ids(a.violations, 'server')).toEqual(['ENV-32']);

    const late = new AbortController();
    const b = drive(
      (_e, start) => {
        start('200 OK', [['content-type', 'text/plain']]);
        return [te.encode('x')].values();
      },
      fakeEnviron({ 'tsgi.signal': late.signal }),
    );
    const body = b.body as Iterable<Uint8Array> & { close(): void };
    for (const _ of body);
    body.close();
    late.abort(new ClientDisconnectError());
    expect(ids(b.violations, 'server')).toEqual(['ENV-31']);
  });

  it('ENV-31, ENV-32: a disconnect during the response, with a ClientDisconnectError, is fine', () => {
    const ac = new AbortController();
    const { body, violations } = drive(hello, fakeEnviron({ 'tsgi.signal': ac.signal }));
    ac.abort(new ClientDisconnectError());
    (body as unknown as { close(): void }).close();
    expect(ids(violations, 'server')).toEqual([]);
  });
});

describe('lint: MW-10, a compressing middleware', () => {
  const upstream: Application = (_e, start) => {
    start('200 OK', [['content-type', 'text/plain']]);
    return {
      async *[Symbol.asyncIterator]() {
        yield te.encode('hello ');
        yield te.encode('world');
      },
      close() {},
    };
  };

  /** Gzips the whole upstream body; `cut` bytes of the stream are never emitted. */
  const gzip =
    (cut: number) =>
    (app: Application): Application =>
    async (env, start) => {
      let code = '200 OK';
      const body = (await app(env, (s) => {
        code = s;
        return () => Promise.resolve();
      })) as AsyncIterable<Uint8Array> & { close(): void };
      start(code as Status, [
        ['content-type', 'text/plain'],
        ['content-encoding', 'gzip'],
      ]);
      return {
        async *[Symbol.asyncIterator]() {
          const held: Uint8Array[] = [];
          for await (const c of body) {
            held.push(c);
            yield new Uint8Array(0); // MW-02: a yield per upstream chunk
          }
          const all = gzipSync(Buffer.concat(held));
          yield all.subarray(0, all.length - cut);
        },
        close: () => body.close(),
      };
    };

  async function run(cut: number): Promise<string[]> {
    const violations: Violation[] = [];
    const onViolation = (v: Violation): void => void violations.push(v);
    await request(lint(gzip(cut)(lint(upstream, { onViolation })), { onViolation }));
    await new Promise((r) => setTimeout(r, 50)); // the stream is decompressed asynchronously
    return ids(violations);
  }

  it('a compressor that never flushes its last bytes is reported; a complete stream is not', async () => {
    expect(await run(6)).toEqual(['MW-10']);
    expect(await run(0)).toEqual([]);
  });
});
