/**
 * An h3 v2 app written as h3's guide teaches (`new H3()`, route methods, `getQuery`, `setCookie`,
 * a sub-app with `app.mount`), served through `@tsgi/fetch`'s `fromFetch(app.fetch)`, unmodified.
 */
import { fromFetch } from '@tsgi/fetch';
import { getQuery, H3, setCookie } from 'h3';

export const app = new H3();

app.get('/', () => 'Hello from h3 on TSGI\n');

app.all('/echo', async (event) => ({
  method: event.req.method,
  path: decodeURIComponent(event.url.pathname),
  query: getQuery(event),
  header: event.req.headers.get('x-echo'),
  body: await event.req.text(),
}));

app.get('/stream', (event) => {
  event.res.headers.set('content-type', 'text/plain; charset=utf-8');
  const enc = new TextEncoder();
  let i = 0;
  return new ReadableStream({
    async pull(controller) {
      i++;
      controller.enqueue(enc.encode(`chunk ${i}\n`));
      if (i === 3) controller.close();
      else await new Promise((resolve) => setTimeout(resolve, 5));
    },
  });
});

app.get('/cookies', (event) => {
  setCookie(event, 'a', '1', { path: '/' });
  setCookie(event, 'b', '2', { path: '/', httpOnly: true });
  return 'cookies set\n';
});

app.get('/users/:id', (event) => ({ id: event.context.params?.id }));

app.get('/error', () => {
  throw new Error('boom');
});

const api = new H3();
api.get('/hello', (event) => ({ path: event.url.pathname }));
app.mount('/api', api);

export default fromFetch(app.fetch, { stripScriptName: true });
