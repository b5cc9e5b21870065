/**
 * `toFetch`: runs a TSGI application inside any fetch server (Bun.serve, Deno.serve, Workers,
 * srvx, a test calling `handler(new Request(...))`). The `Request` becomes environ; the core
 * engine drives the application into a `ResponseSink` that feeds a ReadableStream.
 */
import {
  type Application,
  ClientDisconnectError,
  checkBodyLimit,
  checkConfigKeys,
  createErrorStream,
  type ErrorStream,
  type RunOptions,
  respondTooLarge,
  runApplication,
} from '@tsgi/core';
import { type RemoteAddress, type RequestConfig, requestEnviron } from './to-fetch-request.js';

export type { RemoteAddress } from './to-fetch-request.js';

/** Options for `toFetch`. */
export interface ToFetchOptions extends RunOptions {
  /** The mount point: moved from PATH_INFO to SCRIPT_NAME when the path is under it (ENV-04). */
  scriptName?: string;
  /**
   * Configuration keys added to every environ (SRV-03), e.g. `{ 'myapp.config': config }`. A
   * key the request or the specification defines (`HTTP_*`, `REQUEST_METHOD`, `PATH_INFO`,
   * `REMOTE_ADDR`, `tsgi.*`...) makes `toFetch` throw a `TypeError` naming it (SRV-11).
   */
  environ?: Readonly<Record<string, unknown>>;
  /**
   * The client's address for `REMOTE_ADDR` and `REMOTE_PORT` (ENV-17), from what the fetch
   * runtime knows of the connection; a `Request` does not carry it.
   */
  remote?: (request: Request) => RemoteAddress | undefined;
  /**
   * Largest request body accepted, in bytes (IN-08, SRV-05). A larger `content-length` is
   * answered `413` without invoking the application; a body without one that grows past it
   * fails `tsgi.input` with `InputTooLargeError`. Default: no limit.
   */
  maxBodySize?: number;
  /** `tsgi.errors` (ERRS-01). Default: `console.error`. */
  errors?: ErrorStream;
  /** `tsgi.multithread`, `tsgi.multiprocess`, `tsgi.run_once` hints (ENV-22). Default false. */
  multithread?: boolean;
  multiprocess?: boolean;
  runOnce?: boolean;
  /** Bytes the response stream buffers before the application is paused (BODY-02). 64 KiB. */
  highWaterMark?: number;
}

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
  // Checked once, here (SRV-11: a refused configuration throws at setup, naming its keys).
  const config: RequestConfig = {
    scriptName: options.scriptName,
    config: checkConfigKeys(options.environ),
    remote: options.remote,
    limit: checkBodyLimit(options.maxBodySize),
    errors: options.errors ?? _consoleErrors,
    multithread: options.multithread === true,
    multiprocess: options.multiprocess === true,
    runOnce: options.runOnce === true,
  };
  return (request) =>
    new Promise<Response>((resolve, reject) => {
      const controller = new AbortController();
      const { environ, framing } = requestEnviron(request, config, controller.signal);
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
        // SRV-05: a declared body above maxBodySize gets core's 413; `app` is not invoked.
        framing.kind === 'refuse' ? respondTooLarge : app,
        environ,
        {
          head(status, headers, framing, code) {
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
