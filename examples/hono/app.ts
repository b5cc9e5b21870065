/**
 * A real Hono app, unchanged, exported as a TSGI application: `tsgi serve examples/hono/app.ts`
 * (or the FastCGI and CGI adapters) load the default export. Routes match examples/itty and
 * examples/native, so examples/decoupling.ts can compare them across servers.
 */
import { fromFetch } from '@tsgi/fetch';
import { Hono } from 'hono';
import { setCookie } from 'hono/cookie';
import { stream } from 'hono/streaming';

/** The path as text: Hono leaves `%XX` in `c.req.url`; invalid UTF-8 stays encoded. */
function decodePath(url: string): string {
  const path = new URL(url).pathname;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

export const hono = new Hono();

hono.get('/', (c) => c.text('Hello from Hono on TSGI\n'));

hono.all('/echo', async (c) =>
  c.json({
    method: c.req.method,
    path: decodePath(c.req.url),
    query: c.req.query(),
    header: c.req.header('x-echo') ?? null,
    body: await c.req.text(),
  }),
);

hono.get('/stream', (c) => {
  c.header('content-type', 'text/plain; charset=utf-8');
  // Each write is its own chunk on the wire: the engine streams the body as it is produced.
  return stream(c, async (s) => {
    for (let i = 1; i <= 3; i++) {
      await s.write(`chunk ${i}\n`);
      if (i < 3) await s.sleep(5);
    }
  });
});

hono.get('/cookies', (c) => {
  setCookie(c, 'a', '1', { path: '/' });
  setCookie(c, 'b', '2', { path: '/', httpOnly: true });
  return c.text('cookies set\n');
});

/**
 * The TSGI application. `stripScriptName` lets the same routes work wherever it is mounted (a CGI
 * script path, a FastCGI location, `mount()`), as the TSGI-native example routes on PATH_INFO.
 */
export default fromFetch(hono.fetch, { stripScriptName: true });
