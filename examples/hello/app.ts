/**
 * The hello example: a TSGI application written directly against `@tsgi/core`'s types.
 *
 *   GET /        "Hello, World!"
 *   ANY /echo    the request as JSON: method, path, query, headers, body
 *   GET /stream  five chunks, 200 ms apart (a streamed response with no content-length)
 *
 * Run it from the repository root with `pnpm start`, or `tsgi serve examples/hello/app.ts`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Application, decodeUtf8, type Environ, type StartResponse, utf8 } from '@tsgi/core';

const HELLO = utf8('Hello, World!\n');
const NOT_FOUND = utf8('Not Found\n');

function hello(_environ: Environ, startResponse: StartResponse) {
  startResponse('200 OK', [
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(HELLO.length)],
  ]);
  return [HELLO];
}

async function echo(environ: Environ, startResponse: StartResponse) {
  // tsgi.input is always present and always ends (ENV-20, ENV-23): no Content-Length needed.
  const chunks: Uint8Array[] = [];
  for await (const chunk of environ['tsgi.input']) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  const json = utf8(
    `${JSON.stringify(
      {
        method: environ.REQUEST_METHOD,
        // PATH_INFO is a byte string (one code unit per octet, ENV-06): decode it as UTF-8.
        path: decodeUtf8(environ.PATH_INFO),
        query: environ.QUERY_STRING,
        headers: environ['tsgi.raw_headers'] ?? [],
        body: new TextDecoder().decode(body),
      },
      null,
      2,
    )}\n`,
  );
  startResponse('200 OK', [
    ['content-type', 'application/json'],
    ['content-length', String(json.length)],
  ]);
  return [json];
}

function stream(environ: Environ, startResponse: StartResponse) {
  startResponse('200 OK', [['content-type', 'text/plain; charset=utf-8']]);
  const signal = environ['tsgi.signal'];
  return (async function* () {
    for (let i = 1; i <= 5; i++) {
      yield utf8(`chunk ${i} of 5\n`);
      // If the client leaves, the server calls return() on this generator (BODY-05).
      if (i < 5) await sleep(200, undefined, { signal });
    }
  })();
}

const app: Application = (environ, startResponse) => {
  switch (environ.PATH_INFO) {
    case '/':
      return hello(environ, startResponse);
    case '/echo':
      return echo(environ, startResponse);
    case '/stream':
      return stream(environ, startResponse);
    default:
      startResponse('404 Not Found', [
        ['content-type', 'text/plain; charset=utf-8'],
        ['content-length', String(NOT_FOUND.length)],
      ]);
      return [NOT_FOUND];
  }
};

export default app;
