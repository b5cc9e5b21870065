/**
 * An in-memory client for framework authors' tests: `request(app, ...)` runs an application
 * through the real response engine with no sockets.
 */
import { concatBytes, percentDecode, utf8 } from './bytes.js';
import { runApplication } from './engine.js';
import { createEnviron } from './environ.js';
import { addRequestHeader } from './headers.js';
import { createErrorStream, RequestInput } from './input.js';
import type { Application, Environ, ResponseHeaders, Status } from './types.js';

/** A request for the in-memory client. Strings are sent as UTF-8. */
export interface TestRequest {
  method?: string;
  /** Request-target: path and query, e.g. `/a%20b?x=1`. Default `/`. */
  path?: string;
  headers?: ReadonlyArray<readonly [string, string]> | Readonly<Record<string, string>>;
  body?: string | Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>;
  /** Extra environ keys (SRV-03), e.g. `{ SCRIPT_NAME: '/app' }`. */
  environ?: Readonly<Record<string, unknown>>;
  /** Aborts `tsgi.signal`, as a client disconnect would. */
  signal?: AbortSignal;
}

/** What the in-memory client received. */
export interface TestResponse {
  /** The numeric status code, e.g. 200. */
  status: number;
  /** The status line as the app gave it, e.g. `"200 OK"`. */
  statusText: Status | undefined;
  headers: ResponseHeaders;
  body: Uint8Array;
  /** False when the response was aborted (ERR-03, BODY-09) instead of ending cleanly. */
  complete: boolean;
  /** Text written to `tsgi.errors` during the request. */
  errors: string;
  /** The body as UTF-8 text. */
  text(): string;
  /** The first header with this name (case-insensitive). */
  header(name: string): string | undefined;
}

/** Runs one request through `app` in memory and resolves with the full response. */
export async function request(app: Application, req: TestRequest = {}): Promise<TestResponse> {
  const target = req.path ?? '/';
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const controller = new AbortController();
  req.signal?.addEventListener('abort', () => controller.abort(req.signal?.reason), { once: true });
  let errors = '';
  const errorStream = createErrorStream((t) => {
    errors += t;
  });
  const bodyBytes = typeof req.body === 'string' ? utf8(req.body) : req.body;
  const length = bodyBytes instanceof Uint8Array ? bodyBytes.length : undefined;
  const input = new RequestInput(null, {
    length: length ?? (bodyBytes === undefined ? 0 : undefined),
    errors: errorStream,
  });
  const environ: Environ = createEnviron(
    {
      method: req.method ?? 'GET',
      scriptName: '',
      pathInfo: percentDecode(rawPath),
      queryString: q < 0 ? '' : target.slice(q + 1),
      requestUri: target,
      serverName: 'localhost',
      serverPort: '80',
      protocol: 'HTTP/1.1',
    },
    {
      input,
      errors: errorStream,
      signal: controller.signal,
      urlScheme: 'http',
      multithread: false,
      multiprocess: false,
      runOnce: false,
    },
  );
  const headers =
    req.headers === undefined
      ? []
      : Array.isArray(req.headers)
        ? req.headers
        : Object.entries(req.headers);
  for (const [name, value] of headers as Array<[string, string]>)
    addRequestHeader(environ, name, value);
  if (length !== undefined && environ.CONTENT_LENGTH === undefined && length > 0)
    environ.CONTENT_LENGTH = String(length);
  if (req.environ) Object.assign(environ, req.environ);
  if (req.signal?.aborted) controller.abort(req.signal.reason);
  void _feed(input, bodyBytes);

  const chunks: Uint8Array[] = [];
  const res = {
    status: 0,
    statusText: undefined as Status | undefined,
    headers: [] as ResponseHeaders,
    complete: false,
  };
  await runApplication(app, environ, {
    head(status, hs) {
      res.status = Number(status.slice(0, 3));
      res.statusText = status;
      res.headers = hs;
    },
    write(chunk) {
      chunks.push(chunk.slice());
    },
    end() {
      res.complete = true;
    },
    abort() {
      res.complete = false;
    },
  });
  const body = concatBytes(chunks);
  return {
    ...res,
    body,
    errors,
    text: () => new TextDecoder().decode(body),
    header: (name) => res.headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1],
  };
}

async function _feed(input: RequestInput, body: TestRequest['body']): Promise<void> {
  if (body === undefined || typeof body === 'string') return;
  try {
    if (body instanceof Uint8Array) input.push(body);
    else for await (const chunk of body) input.push(chunk);
    input.end();
  } catch (err) {
    input.fail(err);
  }
}
