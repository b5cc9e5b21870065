/**
 * The request half of `toFetch`: a `Request` → environ, with core's body framing (IN-02, IN-03,
 * SRV-05) and configuration keys (SRV-03, SRV-11). What is decided here is decided in
 * `@tsgi/core` for every adapter; this file only reads the `Request`.
 */
import {
  addConfigKeys,
  addRequestHeader,
  type ConfigKeys,
  createEnviron,
  type Environ,
  type ErrorStream,
  percentDecode,
  type RequestFraming,
  type RequestInput,
  requestFraming,
  requestInput,
  splitScriptName,
} from '@tsgi/core';

/** The client's address as the fetch runtime knows it (ENV-17). */
export interface RemoteAddress {
  /** `REMOTE_ADDR`. */
  addr?: string | undefined;
  /** `REMOTE_PORT`. */
  port?: string | number | undefined;
}

/** What `toFetch` settled at setup, used for every request. */
export interface RequestConfig {
  readonly scriptName: string | undefined;
  readonly config: ConfigKeys | undefined;
  readonly remote: ((request: Request) => RemoteAddress | undefined) | undefined;
  readonly limit: number | undefined;
  readonly errors: ErrorStream;
  readonly multithread: boolean;
  readonly multiprocess: boolean;
  readonly runOnce: boolean;
}

function _noop(): void {}

/** Builds one request's environ, and says how its body is framed (core decides). */
export function requestEnviron(
  request: Request,
  options: RequestConfig,
  signal: AbortSignal,
): { environ: Environ; framing: RequestFraming } {
  const url = new URL(request.url);
  const https = url.protocol === 'https:';
  // The URL parser has already percent-encoded the path (non-ASCII as UTF-8), so decoding it
  // once gives a byte string (ENV-06).
  const decoded = percentDecode(url.pathname);
  const [scriptName, pathInfo] =
    options.scriptName === undefined ? ['', decoded] : splitScriptName(decoded, options.scriptName);
  const body = request.body;
  // A Request without a body has none, whatever its headers say; one with a body declares its
  // length or streams it (fetch hides the transfer coding).
  const framing = requestFraming({
    contentLength: body === null ? undefined : (request.headers.get('content-length') ?? undefined),
    streamed: body !== null,
    limit: options.limit,
  });
  const errors = options.errors;
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
      // A refused body is never read: the application is not invoked (SRV-05).
      input: framing.kind === 'refuse' || body === null ? _ended : _input(body, framing, errors),
      errors,
      signal,
      urlScheme: https ? 'https' : 'http',
      multithread: options.multithread,
      multiprocess: options.multiprocess,
      runOnce: options.runOnce,
    },
  );
  // Headers iterate lower-cased and already joined with ", " (ENV-13). Values are ByteStrings.
  request.headers.forEach((value, name) => {
    addRequestHeader(environ, name, value);
  });
  if (environ.HTTP_HOST === undefined) environ.HTTP_HOST = url.host;
  if (https) environ.HTTPS = 'on';
  const remote = options.remote?.(request);
  if (remote !== undefined) {
    // ENV-17; ENV-02: string values, and absent rather than empty.
    if (remote.addr !== undefined && remote.addr !== '') environ.REMOTE_ADDR = remote.addr;
    if (remote.port !== undefined && remote.port !== '') environ.REMOTE_PORT = String(remote.port);
  }
  addConfigKeys(environ, options.config); // SRV-03, checked at setup (SRV-11)
  return { environ, framing };
}

const _ended = requestInput({ kind: 'none' }, null);

/**
 * `tsgi.input` fed from the request body. Reading starts at the application's first read (so an
 * unread body is never pulled) and follows RequestInput's pause/resume backpressure.
 */
function _input(
  body: ReadableStream<Uint8Array>,
  framing: RequestFraming,
  errors: ErrorStream,
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
      input.fail(err);
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
