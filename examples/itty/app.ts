/**
 * An itty-router app, unchanged, exported as a TSGI application (a different family from Hono:
 * a Proxy-based router with no context object). Routes match examples/hono and examples/native.
 */
import { fromFetch } from '@tsgi/fetch';
import { type IRequest, json, Router, text } from 'itty-router';

function decodePath(url: string): string {
  const path = new URL(url).pathname;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** One query value per name (the first), as Hono's `c.req.query()` gives. */
function firstValues(query: IRequest['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (first !== undefined) out[k] = first;
  }
  return out;
}

const encoder = new TextEncoder();

export const router = Router();

router
  .get('/', () => text('Hello from itty-router on TSGI\n'))
  .all('/echo', async (request: IRequest) =>
    json({
      method: request.method,
      path: decodePath(request.url),
      query: firstValues(request.query),
      header: request.headers.get('x-echo'),
      body: await request.text(),
    }),
  )
  .get('/stream', () => {
    let i = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        i++;
        controller.enqueue(encoder.encode(`chunk ${i}\n`));
        if (i === 3) controller.close();
        else await new Promise((r) => setTimeout(r, 5));
      },
    });
    return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
  })
  .get('/cookies', () => {
    const headers = new Headers({ 'content-type': 'text/plain; charset=utf-8' });
    headers.append('set-cookie', 'a=1; Path=/');
    headers.append('set-cookie', 'b=2; Path=/; HttpOnly');
    return new Response('cookies set\n', { headers });
  })
  .all('*', () => text('Not Found\n', { status: 404 }));

/**
 * itty matches methods exactly, so HEAD runs the GET route (as Hono does); the TSGI server then
 * sends the headers and drops the body (BODY-18).
 */
function handle(request: Request): Promise<Response> {
  return router.fetch(
    request.method === 'HEAD' ? new Request(request, { method: 'GET' }) : request,
  );
}

/** The TSGI application; see examples/hono/app.ts for why `stripScriptName`. */
export default fromFetch(handle, { stripScriptName: true });
