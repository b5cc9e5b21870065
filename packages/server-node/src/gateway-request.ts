/**
 * The start of a request a web server sent over a gateway protocol (`@tsgi/fastcgi`,
 * `@tsgi/scgi`), once its CGI variables are in: `tsgi.input` for core's framing decision, environ
 * from the variables with the server's configuration keys (SRV-03), and the application run and
 * tracked until it settles (BODY-24), or core's 413 in its place (SRV-05). Each protocol keeps
 * what differs: where its error stream writes, how it answers a refusal, when its socket reads on.
 * @module
 */
import {
  type Application,
  addConfigKeys,
  type CgiEnvironOptions,
  type ConfigKeys,
  type Environ,
  type ErrorStream,
  environFromCgi,
  type InputSource,
  type RequestAbort,
  type RequestFraming,
  type RequestInput,
  type ResponseSink,
  type RunOptions,
  requestInput,
  respondTooLarge,
  runApplication,
} from '@tsgi/core';
import type { PendingRuns } from './pending-runs.js';

/** What starting a request needs of its gateway server. */
export interface GatewayAppHost<R extends object> {
  readonly app: Application;
  readonly runOptions: RunOptions;
  /** SRV-03 configuration keys, checked at setup by core's `checkConfigKeys` (SRV-11). */
  readonly environ: ConfigKeys | undefined;
  /** `tsgi.multiprocess`. */
  readonly multiprocess: boolean;
  /** Requests whose run has not settled (BODY-24). */
  readonly runs: PendingRuns<R>;
}

// SRV-05: the application never sees a body refused for its declared length.
const _NO_BODY = { kind: 'none' } as const;

/** `tsgi.input` for the request's framing, fed by `source`; empty when the body is refused. */
export function gatewayInput(
  framing: RequestFraming,
  source: InputSource,
  errors: ErrorStream,
): RequestInput {
  return requestInput(framing.kind === 'refuse' ? _NO_BODY : framing, source, { errors });
}

/**
 * Environ from the front end's CGI variables, with the request's input, error stream and lazy
 * signal, and the server's configuration keys. Throws what `environFromCgi` throws for variables
 * that make no request (no REQUEST_METHOD): the caller refuses it (SRV-02).
 */
export function gatewayEnviron(
  params: Readonly<Record<string, string>>,
  input: RequestInput,
  errors: ErrorStream,
  signal: RequestAbort,
  host: GatewayAppHost<object>,
  cgiOptions: CgiEnvironOptions,
): Environ {
  const environ = environFromCgi(
    params,
    {
      input,
      errors,
      signal,
      multithread: false,
      multiprocess: host.multiprocess,
      runOnce: false,
    },
    cgiOptions,
  );
  addConfigKeys(environ, host.environ); // SRV-03, checked at setup (SRV-11)
  return environ;
}

/**
 * Runs the application for `request`, or core's 413 when `framing` refused the declared body
 * (SRV-05: the configured application is not invoked), and tracks the run until it settles.
 */
export function runGatewayRequest<R extends object>(
  host: GatewayAppHost<R>,
  request: R,
  framing: RequestFraming,
  environ: Environ,
  sink: ResponseSink,
): void {
  const app = framing.kind === 'refuse' ? respondTooLarge : host.app;
  host.runs.track(request, runApplication(app, environ, sink, host.runOptions));
}
