/**
 * `toFetch`: runs a TSGI application inside any fetch server (Bun.serve, Deno.serve, Workers,
 * srvx, a test calling `handler(new Request(...))`). The `Request` becomes environ; the core
 * engine drives the application into a `ResponseSink` (response-sink.ts) that makes the
 * `Response`: bytes for a whole body, a ReadableStream otherwise.
 */
import {
  type Application,
  checkBodyLimit,
  checkConfigKeys,
  completedSynchronously,
  createErrorStream,
  type ErrorStream,
  type OwnResponse,
  RequestAbort,
  type RunOptions,
  refusalResponse,
  respondTooLarge,
  runApplication,
} from '@tsgi/core';
import { defaultSoftware, lengthIsCostly } from './connection.js';
import type { HeadOptions } from './response-head.js';
import { FetchSink } from './response-sink.js';
import { type RemoteAddress, type RequestConfig, requestEnviron } from './to-fetch-request.js';
import { offerWebSocket, type WebSocketUpgrader } from './websocket.js';

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
   * The client's address for `REMOTE_ADDR` and `REMOTE_PORT` (ENV-17). Default: what the
   * runtime passes beside the request (Bun's `server.requestIP`, Deno's `info.remoteAddr`);
   * a `Request` alone does not carry it.
   */
  remote?: (request: Request) => RemoteAddress | undefined;
  /** `SERVER_SOFTWARE` (ENV-17). Default: `tsgi-fetch/<version>` and `navigator.userAgent`. */
  software?: string;
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
  /**
   * Add a `Date` header when the application set none (SR-12), for a runtime that sends none
   * itself (workerd; Bun and Deno do). Default false.
   */
  date?: boolean;
  /** Bytes the response stream buffers before the application is paused (BODY-02). 64 KiB. */
  highWaterMark?: number;
  /**
   * The runtime's WebSocket upgrade (spec 20): with it every environ carries `tsgix.websocket`
   * (WS-02); without it the key is absent (EXT-07). `serve()` of @tsgi/serve gives one on Bun
   * and Deno.
   */
  websocket?: WebSocketUpgrader;
}

const _consoleErrors = createErrorStream((text) => {
  console.error(text.endsWith('\n') ? text.slice(0, -1) : text);
});

/**
 * A fetch handler as the runtimes call it: the request, and what the runtime knows beside it
 * (Bun's `Server`, Deno's `ServeHandlerInfo`, workerd's bindings; see connection.ts). The answer
 * is a `Response` when the application produced it synchronously (the usual Array body), a
 * promise of one otherwise: Bun, Deno and workerd accept both.
 */
export type TsgiFetchHandler = (request: Request, info?: unknown) => Response | Promise<Response>;

/** Wraps a TSGI application as a fetch handler `(request, info?) => Response | Promise<Response>`. */
export function toFetch(app: Application, options: ToFetchOptions = {}): TsgiFetchHandler {
  const run: RunOptions = options.exposeErrors === true ? { exposeErrors: true } : {};
  const hwm = options.highWaterMark ?? 65536;
  const head: HeadOptions = { date: options.date === true, dropLength: lengthIsCostly() };
  // Checked once, here (SRV-11: a refused configuration throws at setup, naming its keys).
  const config: RequestConfig = {
    scriptName: options.scriptName,
    config: checkConfigKeys(options.environ),
    remote: options.remote,
    software: options.software ?? defaultSoftware(),
    limit: checkBodyLimit(options.maxBodySize),
    errors: options.errors ?? _consoleErrors,
    multithread: options.multithread === true,
    multiprocess: options.multiprocess === true,
    runOnce: options.runOnce === true,
  };
  const upgrader = options.websocket;
  return (request, info) => {
    // Bun and workerd pass a Host such as `a b` through, and then `request.url` is no URL.
    const url = _parse(request.url);
    if (url === undefined) return _own(refusalResponse('400 Bad Request')); // ENV-34
    const abort = new RequestAbort();
    const decision = requestEnviron(request, url, config, abort, info);
    if (decision.refused !== undefined) return _own(refusalResponse(decision.refused));
    const { environ, framing } = decision;
    const sink = new FetchSink(abort, hwm, head);
    if (upgrader !== undefined) {
      const refused = offerWebSocket(upgrader, environ, request, info, sink, abort);
      if (refused !== undefined) return _own(refused); // WS-04
    }
    const done = runApplication(
      // SRV-05: a declared body above maxBodySize gets core's 413; `app` is not invoked.
      framing.kind === 'refuse' ? respondTooLarge : app,
      environ,
      sink,
      run,
    );
    // A request the engine finished synchronously has nothing left to watch. Only one still
    // running subscribes to request.signal (ENV-24): on Deno the first subscription costs more
    // than the rest of a hello world (97k → 36k req/s), and Deno aborts it after a normal
    // response too, which must not reach tsgi.signal (ENV-31).
    if (!completedSynchronously(done)) _watch(request.signal, sink, done);
    return sink.answer();
  };
}

function _watch(signal: AbortSignal, sink: FetchSink, done: Promise<void>): void {
  const onAbort = (): void => sink.disconnect();
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  void done.then(() => {
    signal.removeEventListener('abort', onAbort);
    if (sink.response === undefined && sink.failure === undefined && !sink.upgraded)
      sink.abort(new Error('@tsgi/fetch: the application produced no response'));
  });
}

function _parse(href: string): URL | undefined {
  try {
    return new URL(href);
  } catch {
    return undefined;
  }
}

/** A response the bridge gives itself (core's bytes: one shape on every transport). */
function _own(own: OwnResponse): Response {
  return new Response(own.body, {
    status: Number(own.status.slice(0, 3)),
    statusText: own.status.slice(4),
    headers: own.headers.map(([n, v]) => [n, v]),
  });
}
