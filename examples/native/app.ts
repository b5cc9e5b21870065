/**
 * A small router written directly against the TSGI spec: no Request, no Response, no fetch
 * machinery loaded. Same routes as examples/hono and examples/itty.
 */
import {
  type Application,
  decodeUtf8,
  type Environ,
  type StartResponse,
  type Status,
  utf8,
} from '@tsgi/core';

type Route = (environ: Environ, startResponse: StartResponse) => ReturnType<Application>;

function textResponse(startResponse: StartResponse, status: Status, body: string): Uint8Array[] {
  const bytes = utf8(body);
  startResponse(status, [
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(bytes.length)],
  ]);
  // An Array body: the server knows the length before sending (APP-08).
  return [bytes];
}

/** The body as text. `tsgi.input` always ends (ENV-23), with or without CONTENT_LENGTH. */
async function readText(environ: Environ): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of environ['tsgi.input']) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Streams three chunks; `finally` runs when the server releases the body early (BODY-05). */
async function* threeChunks(signal: AbortSignal): AsyncGenerator<Uint8Array> {
  for (let i = 1; i <= 3 && !signal.aborted; i++) {
    yield utf8(`chunk ${i}\n`);
    if (i < 3) await new Promise((r) => setTimeout(r, 5));
  }
}

const routes: Record<string, Route> = {
  '/': (_environ, startResponse) =>
    textResponse(startResponse, '200 OK', 'Hello from a TSGI-native app\n'),

  '/echo': async (environ, startResponse) => {
    const query: Record<string, string> = {};
    // QUERY_STRING is raw (ENV-08): URLSearchParams decodes it.
    for (const [k, v] of new URLSearchParams(environ.QUERY_STRING)) if (!(k in query)) query[k] = v;
    const body = utf8(
      JSON.stringify({
        method: environ.REQUEST_METHOD,
        path: decodeUtf8(environ.PATH_INFO), // PATH_INFO is a byte string (ENV-06)
        query,
        header: environ.HTTP_X_ECHO ?? null,
        body: await readText(environ),
      }),
    );
    startResponse('200 OK', [
      ['content-type', 'application/json'],
      ['content-length', String(body.length)],
    ]);
    return [body];
  },

  '/stream': (environ, startResponse) => {
    // No content-length: the server frames it (chunked on HTTP/1.1, BODY-10).
    startResponse('200 OK', [['content-type', 'text/plain; charset=utf-8']]);
    return threeChunks(environ['tsgi.signal']);
  },

  '/cookies': (_environ, startResponse) => {
    const body = utf8('cookies set\n');
    startResponse('200 OK', [
      ['content-type', 'text/plain; charset=utf-8'],
      ['content-length', String(body.length)],
      // SR-03: repeated names stay separate tuples.
      ['set-cookie', 'a=1; Path=/'],
      ['set-cookie', 'b=2; Path=/; HttpOnly'],
    ]);
    return [body];
  },
};

/** The TSGI application: routes on PATH_INFO, so it works wherever it is mounted (ENV-04). */
const app: Application = (environ, startResponse) => {
  const route = routes[environ.PATH_INFO === '' ? '/' : environ.PATH_INFO];
  if (route === undefined) return textResponse(startResponse, '404 Not Found', 'Not Found\n');
  return route(environ, startResponse);
};

export default app;
