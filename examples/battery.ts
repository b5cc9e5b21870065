/**
 * The battery every example app passes in memory (examples/*\/test/app.test.ts). Shared so the
 * three apps (Hono via fromFetch, itty-router via fromFetch, TSGI-native) are held to the same
 * behaviour. Tools come from the caller: this file sits outside any package and imports only
 * vitest.
 */
import { describe, expect, it } from 'vitest';
import { memorySender, type RawResponse, requests, runScript } from './decoupling.js';

type Req = {
  method?: string;
  path?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: string;
  signal?: AbortSignal;
};
type Res = RawResponse & {
  complete: boolean;
  errors: string;
  text(): string;
  header(name: string): string | undefined;
};

/** An application, typed loosely: this file cannot import `@tsgi/core`'s types. */
export type AppLike = (environ: never, startResponse: never) => unknown;

/** What the battery needs from `@tsgi/core/testing` (passed in, typed structurally). */
export interface Tools<A> {
  request: (app: A, req: Req) => Promise<Res>;
}

/** Middleware that records the chunk boundaries of the body the app returns. */
function recordChunks(app: AppLike, chunks: string[]): AppLike {
  return (environ, startResponse) => {
    const body = Promise.resolve(app(environ, startResponse)) as Promise<
      AsyncIterable<Uint8Array> | Iterable<Uint8Array>
    >;
    return (async function* () {
      for await (const chunk of await body) {
        chunks.push(new TextDecoder().decode(chunk));
        yield chunk;
      }
    })();
  };
}

export function battery<A extends AppLike>(
  name: string,
  app: A,
  greeting: string,
  tools: Tools<A>,
): void {
  const { request } = tools;
  describe(`${name}: the example battery`, () => {
    it('GET / answers 200 text', async () => {
      const res = await request(app, { path: '/' });
      expect(res.status).toBe(200);
      expect(res.header('content-type')?.toLowerCase().replace(/\s/g, '')).toBe(
        'text/plain;charset=utf-8',
      );
      expect(res.text()).toBe(greeting);
      expect(res.complete).toBe(true);
    });

    it('HEAD / has the headers and no body (BODY-18)', async () => {
      const res = await request(app, { method: 'HEAD', path: '/' });
      expect(res.status).toBe(200);
      expect(res.header('content-type')).toBeDefined();
      expect(res.body.length).toBe(0);
    });

    it('POST /echo reflects method, path, query, a header and the body', async () => {
      const res = await request(app, {
        method: 'POST',
        path: '/echo?a=1&b=x%20y',
        headers: [
          ['x-echo', 'hi'],
          ['content-type', 'text/plain'],
        ],
        body: 'h\u00e9llo',
      });
      expect(res.status).toBe(200);
      expect(JSON.parse(res.text())).toEqual({
        method: 'POST',
        path: '/echo',
        query: { a: '1', b: 'x y' },
        header: 'hi',
        body: 'h\u00e9llo',
      });
    });

    it('GET /echo without the header gives null and an empty body', async () => {
      const res = await request(app, { path: '/echo' });
      expect(JSON.parse(res.text())).toMatchObject({ method: 'GET', header: null, body: '' });
    });

    it('GET /stream arrives as three separate chunks (BODY-02)', async () => {
      const chunks: string[] = [];
      const res = await request(recordChunks(app, chunks) as A, { path: '/stream' });
      expect(res.status).toBe(200);
      expect(res.text()).toBe('chunk 1\nchunk 2\nchunk 3\n');
      expect(chunks).toEqual(['chunk 1\n', 'chunk 2\n', 'chunk 3\n']);
    });

    it('GET /cookies sends two separate Set-Cookie fields (SR-03)', async () => {
      const res = await request(app, { path: '/cookies' });
      const cookies = res.headers.filter(([n]) => n.toLowerCase() === 'set-cookie');
      expect(cookies.map(([, v]) => v.split(';')[0])).toEqual(['a=1', 'b=2']);
      expect(cookies[1]?.[1]).toMatch(/HttpOnly/i);
    });

    it('an unknown path is 404', async () => {
      const res = await request(app, { path: '/no-such-route' });
      expect(res.status).toBe(404);
    });

    it('a client that leaves mid-stream ends the response incomplete (ERR-04, BODY-05)', async () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 2);
      const res = await request(app, { path: '/stream', signal: controller.signal });
      expect(res.complete).toBe(false);
      expect(res.errors).not.toMatch(/ERR-01/);
    });

    it('the decoupling script runs in memory', async () => {
      const result = await runScript(memorySender(app, request));
      expect(Object.keys(result)).toEqual(requests.map((r) => r.name));
      expect(result['GET /cookies']?.setCookie).toHaveLength(2);
      expect(result['HEAD /']?.body).toBe('');
      expect(JSON.parse(result['GET /echo?q=%C3%A9&q=2']?.body ?? '')).toMatchObject({
        query: { q: '\u00e9' },
      });
    });
  });
}
