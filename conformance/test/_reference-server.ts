/**
 * A minimal node:http TSGI server built from @tsgi/core's pieces, with switches that each break
 * one rule. The suite must fail every broken variant with the right requirement ID; that is
 * the proof it has teeth.
 */
import type { FileHandle } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Application,
  addRequestHeader,
  ClientDisconnectError,
  ContractError,
  createEnviron,
  createErrorStream,
  decodeUtf8,
  environKey,
  percentDecode,
  RequestInput,
  type ResponseBody,
  type ResponseHeaders,
  runApplication,
  splitScriptName,
  splitTarget,
  validateHeaders,
} from '@tsgi/core';

/** One switch per deliberate bug, and `extensions` to offer the registered extensions. */
export interface Breakage {
  /** Not a bug: offer tsgix.early_hints, tsgix.response_finished, tsgi.file_wrapper, tsgix.trailers. */
  extensions?: boolean;
  /** The body's completion hook is never called (BODY-06). */
  neverRelease?: boolean;
  /** PATH_INFO is decoded as UTF-8 text instead of bytes (ENV-06). */
  utf8Path?: boolean;
  /** A repeated header keeps only its last value (ENV-13). */
  lastHeaderOnly?: boolean;
  /** tsgi.signal never aborts (ENV-24). */
  neverAbort?: boolean;
  /** HEAD responses carry the body (BODY-12). */
  headBody?: boolean;
  /** Status and headers go out when startResponse is called (SR-08). */
  eagerHeaders?: boolean;
  /** A body cut short looks like a normal end (IN-04). */
  truncateInput?: boolean;
}

export interface StartedReference {
  url: string;
  close(): Promise<void>;
}

const _flat = (headers: ResponseHeaders): string[] => headers.flat();

function _environ(req: IncomingMessage, res: ServerResponse, mount: string, b: Breakage) {
  const target = req.url ?? '/';
  const { rawPath, query } = splitTarget(target);
  let decoded = percentDecode(rawPath);
  if (b.utf8Path) decoded = decodeUtf8(decoded);
  const [scriptName, pathInfo] = splitScriptName(decoded, mount);
  const controller = new AbortController();
  const cl = req.headers['content-length'];
  const length = cl !== undefined ? Number(cl) : req.headers['transfer-encoding'] ? undefined : 0;
  const input = new RequestInput(
    {
      pause: () => req.pause(),
      resume: () => req.resume(),
      firstRead: () => {
        if (req.headers.expect === '100-continue' && !res.headersSent) res.writeContinue();
      },
    },
    { length: b.truncateInput ? undefined : length },
  );
  req.on('data', (c: Buffer) => input.push(c));
  req.on('end', () => input.end());
  res.on('close', () => {
    if (res.writableFinished) return;
    if (!b.neverAbort) controller.abort(new ClientDisconnectError());
    if (b.truncateInput) input.end();
    else input.fail(new ClientDisconnectError());
  });
  const env = createEnviron(
    {
      method: req.method ?? 'GET',
      scriptName,
      pathInfo,
      queryString: query,
      requestUri: target,
      serverName: '127.0.0.1',
      serverPort: String((req.socket.localPort as number | undefined) ?? 80),
      protocol: `HTTP/${req.httpVersion}`,
    },
    {
      input,
      errors: createErrorStream(() => {}),
      signal: b.neverAbort ? new AbortController().signal : controller.signal,
      urlScheme: 'http',
      multithread: false,
      multiprocess: false,
      runOnce: false,
    },
  ) as Record<string, unknown>;
  const raw: Array<[string, string]> = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const [name, value] = [req.rawHeaders[i]!, req.rawHeaders[i + 1]!];
    raw.push([name, value]);
    const key = environKey(name);
    if (b.lastHeaderOnly && key !== null) env[key] = value;
    else addRequestHeader(env, name, value);
  }
  env['tsgi.raw_headers'] = raw;
  env.REMOTE_ADDR = req.socket.remoteAddress ?? '';
  env.REMOTE_PORT = String(req.socket.remotePort ?? '');
  return env as never;
}

interface _Ext {
  sent: [string, ResponseHeaders] | undefined;
  te: boolean;
  trailerNames: readonly string[] | undefined;
  trailerFields: ResponseHeaders | undefined;
  finish(): void;
}

/** The registered extensions (10-extensions.md), simply done. */
function _extensions(
  env: Record<string, unknown>,
  req: IncomingMessage,
  res: ServerResponse,
): _Ext {
  const finished: Array<(...a: unknown[]) => void> = [];
  const ext: _Ext = {
    sent: undefined,
    te: /\btrailers\b/.test(String(req.headers.te ?? '')),
    trailerNames: undefined,
    trailerFields: undefined,
    finish() {
      for (const cb of [...finished].reverse())
        cb(env, ext.sent?.[0] ?? null, ext.sent?.[1] ?? null, null);
    },
  };
  env['tsgix.response_finished'] = finished;
  env['tsgix.early_hints'] = (headers: ResponseHeaders) => {
    validateHeaders(headers);
    if (res.headersSent) throw new ContractError('EXT-02', 'final headers already sent');
    res.writeEarlyHints(Object.fromEntries(headers));
    return Promise.resolve();
  };
  env['tsgix.trailers'] = (names: readonly string[]) => {
    ext.trailerNames = names;
    return (fields: ResponseHeaders) => {
      ext.trailerFields = fields;
    };
  };
  env['tsgi.file_wrapper'] = (
    file: FileHandle,
    block = 8192,
  ): AsyncIterable<Uint8Array> & { close(): Promise<void> } => ({
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const buf = new Uint8Array(block);
        const { bytesRead } = await file.read(buf, 0, block, null);
        if (bytesRead === 0) return;
        yield buf.subarray(0, bytesRead);
      }
    },
    close: () => file.close(),
  });
  return ext;
}

/** Starts the reference server on a free loopback port. */
export async function startReference(
  app: Application,
  options: { mount?: string; broken?: Breakage } = {},
): Promise<StartedReference> {
  const b = options.broken ?? {};
  const mount = options.mount ?? '';
  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const env = _environ(req, res, mount, b) as Record<string, unknown>;
    const isHead = req.method === 'HEAD';
    const ext = b.extensions ? _extensions(env, req, res) : undefined;
    // headBody: the engine is told GET so it sends the body; the app still sees HEAD.
    if (b.headBody && isHead) env.REQUEST_METHOD = 'GET';
    const wrapped: Application = (e, start) => {
      if (b.headBody && isHead) e.REQUEST_METHOD = 'HEAD';
      const sr: typeof start = (status, headers, exc) => {
        const w = exc === undefined ? start(status, headers) : start(status, headers, exc);
        if (b.eagerHeaders && !res.headersSent) {
          res.writeHead(Number(status.slice(0, 3)), status.slice(4), _flat(headers));
          res.flushHeaders();
        }
        return w;
      };
      const result = app(e, sr);
      if (!b.neverRelease) return result;
      // Hide the completion hooks: only the iterator reaches the engine.
      const hide = (body: ResponseBody): ResponseBody => {
        const o = body as unknown as Record<PropertyKey, unknown>;
        if (Array.isArray(body)) return body;
        if (typeof o[Symbol.asyncIterator] === 'function')
          return {
            [Symbol.asyncIterator]: () =>
              (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator](),
          };
        return { [Symbol.iterator]: () => (body as Iterable<Uint8Array>)[Symbol.iterator]() };
      };
      return result instanceof Promise ? result.then(hide) : hide(result as ResponseBody);
    };
    void runApplication(wrapped, env as never, {
      head(status, headers) {
        if (res.headersSent) return;
        if (ext !== undefined) ext.sent = [status, headers];
        // The headers are final: a content-length the engine knew is among them (BODY-10).
        const flat = _flat(headers);
        if (ext?.trailerNames !== undefined && ext.te)
          flat.push('trailer', ext.trailerNames.join(', '));
        res.writeHead(Number(status.slice(0, 3)), status.slice(4), flat);
      },
      write(chunk) {
        if (b.headBody && isHead) {
          res.flushHeaders();
          res.socket?.write(chunk);
          return;
        }
        if (!res.write(chunk)) return new Promise<void>((r) => res.once('drain', () => r()));
      },
      end() {
        if (ext?.trailerFields !== undefined && ext.te)
          res.addTrailers(ext.trailerFields as Array<[string, string]>);
        res.end();
      },
      abort() {
        setImmediate(() => res.destroy());
      },
    }).then(() => ext?.finish());
  };
  const server = createServer();
  server.on('request', handle);
  server.on('checkContinue', handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
