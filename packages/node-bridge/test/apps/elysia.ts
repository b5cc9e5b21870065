/**
 * An Elysia app written as Elysia's docs teach (chained routes, `params`, `query`, `cookie`, a
 * generator for streaming, a plugin instance with a `prefix`), served through `@tsgi/fetch`'s
 * `fromFetch(app.fetch)`, unmodified.
 */
import { fromFetch } from '@tsgi/fetch';
import { Elysia } from 'elysia';

const api = new Elysia({ prefix: '/api' }).get('/hello', ({ path }) => ({ path }));

export const app = new Elysia()
  .get('/', () => 'Hello from Elysia on TSGI\n')
  .all('/echo', async ({ request, query, path }) => ({
    method: request.method,
    path: decodeURIComponent(path),
    query,
    header: request.headers.get('x-echo'),
    body: await request.text(),
  }))
  .get('/stream', async function* ({ set }) {
    set.headers['content-type'] = 'text/plain; charset=utf-8';
    for (let i = 1; i <= 3; i++) {
      yield `chunk ${i}\n`;
      if (i < 3) await new Promise((resolve) => setTimeout(resolve, 5));
    }
  })
  .get('/cookies', ({ cookie: { a, b } }) => {
    a?.set({ value: '1', path: '/' });
    b?.set({ value: '2', path: '/', httpOnly: true });
    return 'cookies set\n';
  })
  .get('/users/:id', ({ params }) => ({ id: params.id }))
  .get('/error', () => {
    throw new Error('boom');
  })
  .use(api);

export default fromFetch(app.fetch, { stripScriptName: true });
