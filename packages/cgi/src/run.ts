/**
 * `runCGI`: one request per process, from the environment, stdin and stdout (RFC 3875; the
 * CGI profile, ADP-CGI-01..16). The response engine is core's `runApplication`; this file only builds environ
 * and supplies the byte sink.
 */
import {
  type Application,
  addConfigKeys,
  ClientDisconnectError,
  checkBodyLimit,
  checkConfigKeys,
  createErrorStream,
  environFromCgi,
  refusalResponse,
  respondTooLarge,
  runApplication,
} from '@tsgi/core';
import { pickApplication, splitAppSpec } from '@tsgi/server-node/app-export';
import { _fs } from './_fs.js';
import { importApp } from './_import.js';
import { readCgiVariables, stripHttpProxy } from './env.js';
import { bodyFraming, stdinBody } from './input.js';
import { createCgiSink } from './output.js';
import { type BodyMode, repairVariables } from './quirks.js';
import { DirectStdout } from './stdout.js';

/** Options for `runCGI`. */
export interface CgiOptions {
  /**
   * The CGI variables as byte strings. Default: the process environment, read byte-exact from
   * `/proc/self/environ` where it exists (see `readCgiVariables`).
   */
  env?: Readonly<Record<string, string>> | undefined;
  /** Mount point overriding the server's SCRIPT_NAME/PATH_INFO split (see `environFromCgi`). */
  scriptName?: string | undefined;
  /**
   * Non-parsed-header mode (RFC 3875 §5): write an HTTP status line instead of `Status:`.
   * Default: on when the script's name (basename of SCRIPT_FILENAME, else of SCRIPT_NAME)
   * starts with `nph-`, the convention of Apache and mini_httpd.
   */
  nph?: boolean | undefined;
  /**
   * Largest request body accepted, in bytes (IN-08, SRV-05). A larger `CONTENT_LENGTH` is
   * answered `413` without invoking the application; a body read to the end of standard input
   * that grows past it fails `tsgi.input` with `InputTooLargeError`. Default: no limit.
   */
  maxBodySize?: number | undefined;
  /**
   * Extra environ keys for the request (SRV-03), e.g. `{ 'myapp.config': config }`. A key the
   * request or the specification defines (`HTTP_*`, `REQUEST_METHOD`, `tsgi.*`...) is refused
   * before anything else happens (SRV-11): the error goes to standard error, the application is
   * not run, and the exit status is 70. A variable the web server sent keeps its value.
   */
  environ?: Readonly<Record<string, unknown>> | undefined;
  /** Put the error's stack in the 500 body. Development only (ERR-02). */
  exposeErrors?: boolean | undefined;
  /** Where the body is read from. Default `process.stdin`, opened on the first read. */
  stdin?: NodeJS.ReadableStream | undefined;
  /** Where the response is written. Default `process.stdout`. */
  stdout?: NodeJS.WritableStream | undefined;
  /** `tsgi.errors`. Default `process.stderr`, which the web server logs. */
  stderr?: NodeJS.WritableStream | undefined;
}

/** Exit status when the response could not be completed (aborted, or the server went away). */
export const EXIT_ABORTED = 1;
/** Exit status when the process was not started as a CGI script (no REQUEST_METHOD). */
export const EXIT_NOT_CGI = 2;
/** Exit status when the adapter itself failed (EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;

/** ADP-CGI-06: without REQUEST_METHOD the application is not run. */
function _notCgi(stderr: NodeJS.WritableStream): void {
  process.exitCode = EXIT_NOT_CGI;
  stderr.write(
    'tsgi cgi: REQUEST_METHOD is not set, so this process was not started by a web server as a CGI script; the application was not run\n',
  );
}

/**
 * ADP-CGI-11: once the response is complete, standard output must reach end-of-file for the web
 * server even if the application keeps the process alive (timers, sockets). When the process
 * exits promptly, nothing is done (the timer is unref'd and never fires). Otherwise file
 * descriptor 1 is closed and /dev/null opened in its place (the lowest free descriptor), so
 * stray writes to stdout go nowhere and no other file can land on descriptor 1.
 */
function _releaseStdout(): void {
  setTimeout(() => {
    try {
      _fs.closeSync(1);
      const fd = _fs.openSync('/dev/null', 'w');
      if (fd !== 1) _fs.closeSync(fd);
    } catch {
      // stdout was already closed: nothing to release
    }
  }, 0).unref();
}

const _URL_LIKE = /^[a-z][a-z0-9+.-]+:/i;

function _basename(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * Answers for the web server when it could not pass the body on (see `repairVariables`): core's
 * refusal, with why it was refused in the log.
 */
function _refuseBody(mode: Exclude<BodyMode, 'ok'>): Application {
  const [status, why] =
    mode === 'length-required'
      ? (['411 Length Required', 'it cannot pass a chunked one to CGI programs'] as const)
      : ([
          '501 Not Implemented',
          'it passes request bodies to CGI programs for POST only',
        ] as const);
  return (environ, startResponse) => {
    environ['tsgi.errors'].write(
      `tsgi cgi: ${status}: the web server did not pass the request body intact (${why})\n`,
    );
    const response = refusalResponse(status);
    startResponse(response.status, response.headers);
    return [response.body];
  };
}

/** True when the CGI variables name an `nph-` script (RFC 3875 §5). */
export function isNphScript(vars: Readonly<Record<string, string>>): boolean {
  const file = vars.SCRIPT_FILENAME;
  const name =
    file !== undefined && file !== '' ? _basename(file) : _basename(vars.SCRIPT_NAME ?? '');
  return name.startsWith('nph-');
}

/**
 * Handles exactly one request as a CGI program: environ from the process environment (byte
 * strings), `tsgi.input` from stdin, the response to stdout, diagnostics to stderr. Sets
 * `tsgi.run_once` and `tsgi.multiprocess` true, `tsgi.multithread` false.
 *
 * Deletes `process.env.HTTP_PROXY` before calling the application (httpoxy); an application
 * module imported before `runCGI` ran its top-level code with it still set, so prefer
 * `runCGIModule` or `tsgi cgi`, which strip it before the import.
 *
 * Resolves once the response is written; sets `process.exitCode` to 0 when the response was
 * complete, 1 (`EXIT_ABORTED`) when it was aborted (an error after the headers, a
 * content-length underrun, or the web server going away), 2 (`EXIT_NOT_CGI`) without
 * REQUEST_METHOD, when the application is not run (ADP-CGI-06). Never rejects. Command-line
 * arguments are ignored (ADP-CGI-12: servers fill them from queries without `=`).
 */
export async function runCGI(app: Application, options: CgiOptions = {}): Promise<void> {
  const errOut = (): NodeJS.WritableStream => options.stderr ?? process.stderr;
  let config: ReturnType<typeof checkConfigKeys>;
  let limit: number | undefined;
  try {
    // SRV-11: a configuration that would replace request data is refused at setup, as by the
    // other adapters (core's one rule and message).
    config = checkConfigKeys(options.environ);
    limit = checkBodyLimit(options.maxBodySize);
  } catch (err) {
    process.exitCode = EXIT_INTERNAL;
    errOut().write(`tsgi cgi: ${(err as Error).message}\n`);
    return;
  }
  try {
    stripHttpProxy();
    const raw = options.env ?? (await readCgiVariables());
    if (!raw.REQUEST_METHOD) {
      _notCgi(errOut());
      return;
    }
    const repaired = repairVariables(raw);
    const vars = repaired.vars;
    const out = options.stdout ?? new DirectStdout();
    const controller = new AbortController();
    const disconnect = (): void => {
      if (!controller.signal.aborted) controller.abort(new ClientDisconnectError());
    };
    // ERRS-03, ADP-CGI-10: UTF-8 text to standard error, which the web server logs.
    const errors = createErrorStream(
      (text) => {
        errOut().write(text);
      },
      () => new Promise<void>((resolve) => errOut().write('', () => resolve())),
    );
    const framing = bodyFraming(vars, limit);
    const body = stdinBody(() => options.stdin ?? process.stdin, framing, errors);
    const environ = environFromCgi(
      vars,
      {
        input: body.input,
        errors,
        signal: controller.signal,
        multithread: false,
        multiprocess: true,
        runOnce: true,
      },
      { scriptName: options.scriptName },
    );
    addConfigKeys(environ, config); // SRV-03
    const sink = createCgiSink(out, {
      nph: options.nph ?? isNphScript(vars),
      protocol: environ.SERVER_PROTOCOL,
      onError: disconnect,
    });
    // ADP-CGI-10: servers stop a script whose client left with SIGTERM (or by closing stdout).
    const onTerm = (): void => {
      disconnect();
      // The body is released at once (BODY-05); an application that still hangs is not waited
      // for long, as a process without the handler would have died at once.
      setTimeout(() => process.exit(EXIT_ABORTED), 2000).unref();
    };
    process.once('SIGTERM', onTerm);
    try {
      // SRV-05: a declared body above maxBodySize gets core's 413 without the application.
      const run =
        repaired.body !== 'ok'
          ? _refuseBody(repaired.body)
          : framing.kind === 'refuse'
            ? respondTooLarge
            : app;
      await runApplication(run, environ, sink, { exposeErrors: options.exposeErrors === true });
      await sink.flushed();
      if (!controller.signal.aborted) await body.drain();
    } finally {
      process.off('SIGTERM', onTerm);
      body.close();
    }
    // ADP-CGI-09, ADP-CGI-11: zero after a complete response, non-zero otherwise.
    const complete = sink.outcome === 'complete' && !controller.signal.aborted;
    process.exitCode = complete ? 0 : EXIT_ABORTED;
    if (options.stdout === undefined) _releaseStdout();
  } catch (err) {
    // Only a bug in this adapter gets here; the engine itself never rejects.
    process.exitCode = EXIT_INTERNAL;
    try {
      errOut().write(
        `tsgi cgi: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
    } catch {
      // nothing left to report to
    }
  }
}

/**
 * The entry point for a CGI script: removes `HTTP_PROXY` from `process.env` first, then imports
 * the application module (a URL, or a file path resolved against the working directory), picks
 * the application by the export rule every TSGI loader shares (`@tsgi/server-node`: its default
 * export, else its export `app`; a string ending in `:name` names the export), then runs
 * `runCGI`. Loading the application after the strip means its top-level code never sees the
 * variable.
 */
export async function runCGIModule(
  specifier: string | URL,
  options: CgiOptions = {},
): Promise<void> {
  stripHttpProxy();
  if (!(options.env ?? process.env).REQUEST_METHOD) {
    _notCgi(options.stderr ?? process.stderr); // ADP-CGI-06: not even imported
    return;
  }
  let app: Application;
  try {
    const { module, exportName } =
      typeof specifier === 'string'
        ? splitAppSpec(specifier)
        : { module: specifier.href, exportName: undefined };
    let url = module;
    if (!_URL_LIKE.test(module)) {
      // Not imported: an ES module import of a built-in builds a facade over all its exports.
      const { resolve } = process.getBuiltinModule('node:path');
      const { pathToFileURL } = process.getBuiltinModule('node:url');
      url = pathToFileURL(resolve(module)).href;
    }
    const ns = await importApp(url);
    app = pickApplication(ns, module, exportName);
  } catch (err) {
    // Before any output: answer 500 ourselves so the web server does not report a bad header.
    return runCGI(() => {
      throw err;
    }, options);
  }
  return runCGI(app, options);
}
