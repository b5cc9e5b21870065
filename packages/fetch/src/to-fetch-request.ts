/**
 * The request half of `toFetch`: a `Request` → environ, with core's body framing (IN-02, IN-03,
 * SRV-05) and configuration keys (SRV-03, SRV-11). What is decided here is decided in
 * `@tsgi/core` for every adapter; this file only reads the `Request`.
 */
import {
  addConfigKeys,
  addRequestHeader,
  ClientDisconnectError,
  type ConfigKeys,
  createEnviron,
  type Environ,
  type ErrorStream,
  isDigits,
  isValidHost,
  percentDecode,
  type RequestAbort,
  type RequestFraming,
  type RequestInput,
  repairCookieJoin,
  requestFraming,
  requestInput,
  type Status,
  splitScriptName,
} from '@tsgi/core';
import { type RemoteAddress, runtimeRemote } from './connection.js';

export type { RemoteAddress } from './connection.js';

/** What `toFetch` settled at setup, used for every request. */
export interface RequestConfig {
  readonly scriptName: string | undefined;
  readonly config: ConfigKeys | undefined;
  readonly remote: ((request: Request) => RemoteAddress | undefined) | undefined;
  /** `SERVER_SOFTWARE` (ENV-17). */
  readonly software: string;
  readonly limit: number | undefined;
  readonly errors: ErrorStream;
  readonly multithread: boolean;
  readonly multiprocess: boolean;
  readonly runOnce: boolean;
}

function _noop(): void {}

/** What `requestEnviron` decided: an environ with its body framing, or a refusal. */
export type RequestDecision =
  | { readonly environ: Environ; readonly framing: RequestFraming; readonly refused?: undefined }
  | { readonly refused: Status };

/**
 * Builds one request's environ, and says how its body is framed (core decides), or refuses what
 * a fetch runtime lets through that a server must refuse before the application runs
 * (ADP-FETCH-03): a `Host` that is not `uri-host [":" port]` (ENV-34; Bun passes `a b`), a
 * `Content-Length` that is not one decimal number (SRV-14; Bun and Deno join two equal lines into
 * `3, 3`), a fragment or a scheme other than http(s) (SRV-15; both keep `#frag` in `request.url`,
 * Deno passes `ftp://...`). The headers are read in one pass, the one that fills environ (on Bun
 * every `headers.get` is a call into the runtime). `info` is the runtime's second handler
 * argument (connection.ts: REMOTE_ADDR, REMOTE_PORT).
 */
export function requestEnviron(
  request: Request,
  url: URL,
  options: RequestConfig,
  abort: RequestAbort,
  info: unknown,
): RequestDecision {
  const protocol = url.protocol;
  if (
    (protocol !== 'http:' && protocol !== 'https:') ||
    url.hash !== '' ||
    request.url.endsWith('#')
  )
    return _REFUSED;
  const https = protocol === 'https:';
  // The URL parser has already percent-encoded the path (non-ASCII as UTF-8), so decoding it
  // once gives a byte string (ENV-06).
  const decoded = percentDecode(url.pathname);
  const [scriptName, pathInfo] =
    options.scriptName === undefined ? ['', decoded] : splitScriptName(decoded, options.scriptName);
  const search = url.search;
  const errors = options.errors;
  const environ = createEnviron(
    {
      method: request.method,
      scriptName,
      pathInfo,
      queryString: search.slice(1),
      requestUri: url.pathname + search,
      serverName: url.hostname,
      serverPort: url.port || (https ? '443' : '80'),
      protocol: 'HTTP/1.1', // fetch does not expose the version
    },
    {
      input: _ended, // replaced below once the headers say how the body is framed
      errors,
      signal: abort, // created on first access (ENV-01): most requests never read it
      urlScheme: https ? 'https' : 'http',
      multithread: options.multithread,
      multiprocess: options.multiprocess,
      runOnce: options.runOnce,
      software: options.software, // ENV-17
    },
  );
  // Headers iterate lower-cased and already joined with ", " (ENV-13). Values are ByteStrings.
  request.headers.forEach((value, name) => {
    addRequestHeader(environ, name, value);
  });
  const host = environ.HTTP_HOST;
  if (host !== undefined && !isValidHost(host)) return _REFUSED; // ENV-34
  const length = environ.CONTENT_LENGTH;
  if (length !== undefined && !isDigits(length)) return _REFUSED; // SRV-14
  const body = request.body;
  // A Request without a body has none, whatever its headers say; one with a body declares its
  // length or streams it (fetch hides the transfer coding).
  const framing = requestFraming({
    contentLength: body === null ? undefined : length,
    streamed: body !== null,
    limit: options.limit,
  });
  // A refused body is never read: the application is not invoked (SRV-05).
  if (body !== null && framing.kind !== 'refuse')
    environ['tsgi.input'] = _input(body, framing, errors, abort);
  // ENV-13: workerd joins Cookie lines with ", "; core undoes it where that is provably safe.
  const cookie = environ.HTTP_COOKIE;
  if (typeof cookie === 'string') environ.HTTP_COOKIE = repairCookieJoin(cookie);
  if (host === undefined) environ.HTTP_HOST = url.host;
  else if (host !== url.host && _isAbsoluteForm(host, url)) {
    // ENV-35, ENV-07: Deno builds the URL from an absolute-form target as received (Bun from Host).
    environ.HTTP_HOST = url.host;
    environ.REQUEST_URI = url.href;
  }
  if (https) environ.HTTPS = 'on';
  const remote =
    options.remote !== undefined ? options.remote(request) : runtimeRemote(request, info);
  if (remote !== undefined) {
    // ENV-17; ENV-02: string values, and absent rather than empty.
    if (remote.addr !== undefined && remote.addr !== '') environ.REMOTE_ADDR = remote.addr;
    if (remote.port !== undefined && remote.port !== '') environ.REMOTE_PORT = String(remote.port);
  }
  addConfigKeys(environ, options.config); // SRV-03, checked at setup (SRV-11)
  return { environ, framing };
}

const _REFUSED: RequestDecision = Object.freeze({ refused: '400 Bad Request' as Status });

const _ended = requestInput({ kind: 'none' }, null);

/**
 * True when the URL's authority is not the one `Host` names: the runtime built the URL from an
 * absolute-form request-target (Bun, Deno), whose authority ENV-35 makes `HTTP_HOST`. The URL
 * parser normalises what it builds from `Host` (case, a default port), so the two are compared
 * after the same parse; the parse runs only when the strings differ.
 */
function _isAbsoluteForm(host: string, url: URL): boolean {
  try {
    return new URL(`${url.protocol}//${host}`).host !== url.host;
  } catch {
    return false;
  }
}

/**
 * `tsgi.input` fed from the request body. Reading starts at the application's first read (so an
 * unread body is never pulled) and follows RequestInput's pause/resume backpressure.
 */
function _input(
  body: ReadableStream<Uint8Array>,
  framing: RequestFraming,
  errors: ErrorStream,
  abort: RequestAbort,
): RequestInput {
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
          input.end(); // short of the declared length: InputTruncatedError (IN-04)
          break;
        }
        input.push(r.value);
      }
    } catch (err) {
      // The runtime failed the upload (Bun `AbortError`, Deno `BadResource`, workerd `Network
      // connection lost`): the client is gone. ERR-05 and IN-15 want TSGI's error, not the
      // runtime's, and ENV-24 an aborted tsgi.signal (Deno never aborts request.signal then).
      const gone = new ClientDisconnectError(
        `client disconnected during the request body: ${_message(err)}`,
      );
      abort.abort(gone);
      input.fail(gone);
    } finally {
      pumping = false;
    }
  };
  const input: RequestInput = requestInput(
    framing,
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
    { errors },
  );
  return input;
}

function _message(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
