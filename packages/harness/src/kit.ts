/**
 * The test kit's small pieces, one of each for every package's tests, stress and conformance:
 * `deferred()`, the default environ (`testEnviron`), and core's `utf8` (the one text-to-bytes
 * helper; tests do not define their own `enc`). The raw HTTP client is `@tsgi/harness/http`.
 */
import {
  createEnviron,
  createErrorStream,
  type Environ,
  type InputStream,
  type RequestAbort,
  RequestInput,
} from '@tsgi/core';

export { utf8 } from '@tsgi/core';

/** A promise with its resolve and reject functions, for tests that settle it from outside. */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

/** A promise to settle from outside (`Promise.withResolvers`, which Node 20 lacks). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What `testEnviron` varies. */
export interface TestEnvironOptions {
  /** Default GET. */
  method?: string;
  /** `SERVER_SOFTWARE` (ENV-17), passed to `createEnviron`; default absent. */
  software?: string;
  /** `tsgi.signal`, or a `RequestAbort` that creates it lazily as adapters do. */
  signal?: AbortSignal | RequestAbort;
  /** Receives what is written to `tsgi.errors` (default: dropped). */
  errors?: (text: string) => void;
  /** Default an empty body. */
  input?: InputStream;
  /** Keys set (or replaced, even with invalid values) after the environ is built. */
  overrides?: Readonly<Record<string, unknown>>;
}

/**
 * The default environ of a test: `GET /` on localhost:80 over HTTP/1.1, an empty body, built by
 * core's `createEnviron` as an adapter would, then `overrides` applied as they are.
 */
export function testEnviron(options: TestEnvironOptions = {}): Environ {
  const env = createEnviron(
    {
      method: options.method ?? 'GET',
      scriptName: '',
      pathInfo: '/',
      queryString: '',
      requestUri: '/',
      serverName: 'localhost',
      serverPort: '80',
      protocol: 'HTTP/1.1',
    },
    {
      input: options.input ?? new RequestInput(null, { length: 0 }),
      errors: createErrorStream(options.errors ?? (() => {})),
      signal: options.signal ?? new AbortController().signal,
      urlScheme: 'http',
      multithread: false,
      multiprocess: false,
      runOnce: false,
      software: options.software,
    },
  );
  return options.overrides === undefined ? env : Object.assign(env, options.overrides);
}
