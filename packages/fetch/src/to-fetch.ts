/**
 * `toFetch`: runs a TSGI application inside any fetch server (Bun.serve, Deno.serve, Workers,
 * srvx, a test calling `handler(new Request(...))`). The `Request` becomes environ; the core
 * engine drives the application into a `ResponseSink` that feeds a ReadableStream.
 */
import {
  type Application,
  addRequestHeader,
  ClientDisconnectError,
  createEnviron,
  createErrorStream,
  type Environ,
  type ErrorStream,
  percentDecode,
  RequestInput,
  type RunOptions,
  runApplication,
  splitScriptName,
  statusCode,
} from '@tsgi/core';

/** Options for `toFetch`. */
export interface ToFetchOptions extends RunOptions {
  /** The mount point: moved from PATH_INFO to SCRIPT_NAME when the path is under it (ENV-04). */
  scriptName?: string;
  /** Extra environ keys, such as `REMOTE_ADDR` from the fetch server's connection info (ENV-17). */
  environ?:
    | Readonly<Record<string, unknown>>
    | ((request: Request) => Readonly<Record<string, unknown>>);
  /** `tsgi.errors` (ERRS-01). Default: `console.error`. */
  errors?: ErrorStream;
  /** `tsgi.multithread`, `tsgi.multiprocess`, `tsgi.run_once` hints (ENV-22). Default false. */
  multithread?: boolean;
  multiprocess?: boolean;
  runOnce?: boolean;
  /** Bytes the response stream buffers before the application is paused (BODY-02). 64 KiB. */
  highWaterMark?: number;
}

const _DIGITS = /^[0-9]+$/;

function _noop(): void {}

const _consoleErrors = createErrorStream((text) => {
  console.error(text.endsWith('\n') ? text.slice(0, -1) : text);
});

/** Wraps a TSGI application as a fetch handler `(request) => Promise<Response>`. */
export function toFetch(
  app: Application,
  options: ToFetchOptions = {},
): (request: Request) => Promise<Response> {
  const run: RunOptions = options.exposeErrors === true ? { exposeErrors: true } : {};
  const hwm = options.highWaterMark ?? 65536;
  return (request) =>
    new Promise<Response>((resolve, reject) => {
      const controller = new AbortController();
      const environ = _environ(request, options, controller.signal);
      const onAbort = (): void => controller.abort(new ClientDisconnectError());
      if (request.signal.aborted) onAbort();
      else request.signal.addEventListener('abort', onAbort, { once: true });

      let stream: ReadableStreamDefaultController<Uint8Array> | undefined;
      let wake: (() => void) | undefined;
      let closed = false; // the consumer cancelled, or the stream ended
      let nullBody = false;
      let settled = false;
      const body = new ReadableStream<Uint8Array>(
        {
          start(c) {
            stream = c;
          },
          pull() {
            const w = wake;
            wake = undefined;
            w?.();
          },
          cancel() {
            // The consumer went away: abort tsgi.signal so the engine releases the body (BODY-05).
            closed = true;
            controller.abort(new ClientDisconnectError('response body cancelled')); // ENV-24
            const w = wake;
            wake = undefined;
            w?.();
          },
        },
        { highWaterMark: hwm, size: (chunk) => chunk.byteLength },
      );

      void runApplication(
        app,
        environ,
        {
          head(status, headers, framing) {
            const code = statusCode(status);
            const h = new Headers();
            // Headers.append keeps each Set-Cookie apart (getSetCookie), as SR-03 tuples are.
            // The headers are final: a content-length the engine knew is among them (BODY-10).
            for (const [name, value] of headers) h.append(name, value);
            // HEAD, 204, 205, 304 (BODY-18): `new Response` wants a null body for the last three
            // (Fetch's null body statuses).
            nullBody = framing === 'none';
            if (nullBody) {
              closed = true;
              stream?.close();
            }
            settled = true;
            resolve(
              new Response(nullBody ? null : body, {
                status: code,
                statusText: status.slice(4),
                headers: h,
              }),
            );
          },
          write(chunk) {
            if (closed || stream === undefined) return;
            // BODY-17 lets the application reuse a chunk once write() settles, and the consumer
            // may hold chunks (arrayBuffer()), so the stream gets its own copy.
            stream.enqueue(chunk.slice());
            if ((stream.desiredSize ?? 1) > 0) return;
            return new Promise<void>((r) => {
              wake = r;
            });
          },
          end() {
            if (closed) return;
            closed = true;
            stream?.close();
          },
          abort(reason) {
            // ERR-03, BODY-09: the consumer must see an error, not a clean end.
            if (!settled) {
              settled = true;
              reject(reason);
              return;
            }
            if (closed) return;
            closed = true;
            stream?.error(reason);
          },
        },
        run,
      ).then(() => {
        request.signal.removeEventListener('abort', onAbort);
        if (!settled) reject(new Error('@tsgi/fetch: the application produced no response'));
      });
    });
}

function _environ(request: Request, options: ToFetchOptions, signal: AbortSignal): Environ {
  const url = new URL(request.url);
  const https = url.protocol === 'https:';
  // The URL parser has already percent-encoded the path (non-ASCII as UTF-8), so decoding it
  // once gives a byte string (ENV-06).
  const decoded = percentDecode(url.pathname);
  const [scriptName, pathInfo] =
    options.scriptName === undefined ? ['', decoded] : splitScriptName(decoded, options.scriptName);
  const lengthHeader = request.headers.get('content-length');
  const length =
    request.body === null
      ? 0
      : lengthHeader !== null && _DIGITS.test(lengthHeader)
        ? Number(lengthHeader)
        : undefined;
  const environ = createEnviron(
    {
      method: request.method,
      scriptName,
      pathInfo,
      queryString: url.search.slice(1),
      requestUri: url.pathname + url.search,
      serverName: url.hostname,
      serverPort: url.port || (https ? '443' : '80'),
      protocol: 'HTTP/1.1', // fetch does not expose the version
    },
    {
      input: _input(request.body, length),
      errors: options.errors ?? _consoleErrors,
      signal,
      urlScheme: https ? 'https' : 'http',
      multithread: options.multithread === true,
      multiprocess: options.multiprocess === true,
      runOnce: options.runOnce === true,
    },
  );
  // Headers iterate lower-cased and already joined with ", " (ENV-13). Values are ByteStrings.
  request.headers.forEach((value, name) => {
    addRequestHeader(environ, name, value);
  });
  if (environ.HTTP_HOST === undefined) environ.HTTP_HOST = url.host;
  if (https) environ.HTTPS = 'on';
  const extra = typeof options.environ === 'function' ? options.environ(request) : options.environ;
  if (extra !== undefined) Object.assign(environ, extra);
  return environ;
}

/**
 * `tsgi.input` fed from the request body. Reading starts at the application's first read (so an
 * unread body is never pulled) and follows RequestInput's pause/resume backpressure.
 */
function _input(body: ReadableStream<Uint8Array> | null, length: number | undefined): RequestInput {
  if (body === null) return new RequestInput(null, { length: 0 });
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let paused = false;
  let pumping = false;
  const pump = async (): Promise<void> => {
    if (pumping) return;
    pumping = true;
    try {
      reader ??= body.getReader();
      while (!paused && !input.ended) {
        const r = await reader.read();
        if (r.done) {
          input.end(); // short of `length`: InputTruncatedError (IN-04)
          break;
        }
        input.push(r.value);
      }
    } catch (err) {
      input.fail(err);
    } finally {
      pumping = false;
    }
  };
  const input: RequestInput = new RequestInput(
    {
      firstRead: () => void pump(),
      pause: () => {
        paused = true;
      },
      resume: () => {
        paused = false;
        void pump();
      },
      cancel: () => {
        // IN-06: the application does not want the rest.
        (reader ?? body).cancel().then(_noop, _noop);
      },
    },
    { length },
  );
  return input;
}
