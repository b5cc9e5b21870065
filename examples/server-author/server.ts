/**
 * A TSGI server over node:http, written from the spec with @tsgi/core's public helpers: the
 * adapter pattern in one file. The server authors' guide shows it whole, and
 * conformance/test/server-author.test.ts runs the conformance suite against it (profile http).
 * In production use @tsgi/node, which also covers HTTPS, limits, mounting, access logs and
 * graceful shutdown.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import {
  type Application,
  addRequestHeaders,
  ClientDisconnectError,
  createEnviron,
  createErrorStream,
  InputTruncatedError,
  isValidHost,
  percentDecode,
  RequestAbort,
  type ResponseSink,
  refusalResponse,
  requestFraming,
  requestInput,
  requestTargetForm,
  runApplication,
  type Status,
  splitHost,
  splitTarget,
  statusCode,
  targetAuthority,
} from '@tsgi/core';

/** Serves `app` on `host:port` (port 0 picks one: read it from `server.address()`). */
export function toyServer(app: Application, port = 8000, host = '127.0.0.1'): Server {
  const server = createServer((req, res) => handle(app, req, res, false));
  // IN-07: without this listener node answers `Expect: 100-continue` at once; with it, the
  // request comes here and 100 Continue waits until the application reads the body.
  server.on('checkContinue', (req, res) => handle(app, req, res, true));
  server.on('clientError', parserRefusal);
  return server.listen(port, host);
}

/**
 * A request node's parser refused: its answer, as node gives without this listener, except
 * that a well-formed version above 1.1 (`HTTP/1.2`, `HTTP/3.0`) gets 505, not 400 (SRV-16).
 */
function parserRefusal(err: Error & { code?: string; reason?: string }, socket: Duplex): void {
  const version = err.code === 'HPE_INVALID_VERSION' && err.reason === 'Invalid HTTP version';
  const code =
    version || err.code === 'HPE_PAUSED_H2_UPGRADE'
      ? 505
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? 431
        : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? 408
          : 400;
  if (socket.writable)
    socket.write(`HTTP/1.1 ${code} ${STATUS_CODES[code]}\r\nconnection: close\r\n\r\n`);
  socket.destroy();
}

/** The last value of a header, from the raw lines (node's `req.headers` joins and drops some). */
function header(req: IncomingMessage, name: string): string | undefined {
  let value: string | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    if (req.rawHeaders[i]!.toLowerCase() === name) value = req.rawHeaders[i + 1];
  return value;
}

/** Why a request must be answered without the application (section 11), or null. */
function refusal(req: IncomingMessage): Status | null {
  // SRV-16: node passes HTTP/2.0 and a request line without a version (as 0.9) to us.
  if (req.httpVersionMajor !== 1 || req.httpVersionMinor > 1)
    return req.httpVersionMajor === 0 ? '400 Bad Request' : '505 HTTP Version Not Supported';
  // ENV-34: exactly one valid Host in HTTP/1.1, at most one in HTTP/1.0.
  const hosts = req.rawHeaders.filter((v, i) => i % 2 === 0 && v.toLowerCase() === 'host');
  const host = header(req, 'host');
  if (hosts.length > 1 || (hosts.length === 0 && req.httpVersionMinor === 1))
    return '400 Bad Request';
  if (host !== undefined && !isValidHost(host)) return '400 Bad Request';
  // SRV-15: node lets `GET *`, `ftp://...` and `#` through.
  if (requestTargetForm(req.url!, req.method!) === null) return '400 Bad Request';
  return null;
}

/** SRV-02: the server's own answer, then the connection is closed. */
function refuse(res: ServerResponse, status: Status): void {
  const own = refusalResponse(status);
  for (const [name, value] of own.headers) res.setHeader(name, value);
  res.setHeader('connection', 'close');
  res.writeHead(statusCode(status), status.slice(4));
  res.end(own.body);
}

function handle(app: Application, req: IncomingMessage, res: ServerResponse, expect: boolean) {
  const status = refusal(req);
  if (status !== null) return refuse(res, status);
  const target = req.url!;
  const { rawPath, query } = splitTarget(target);
  const errors = createErrorStream((text) => process.stderr.write(text));
  const abort = new RequestAbort(); // tsgi.signal, aborted with a ClientDisconnectError (ENV-32)
  // IN-02, IN-03: core decides the body's framing; node has removed the chunked coding.
  const framing = requestFraming({
    contentLength: header(req, 'content-length'),
    streamed: header(req, 'transfer-encoding') !== undefined,
  });
  const source = {
    pause: () => req.pause(),
    resume: () => req.resume(),
    // IN-07: 100 Continue on the first read, never once the response has begun.
    firstRead: () => expect && !res.headersSent && res.writeContinue(),
  };
  const input = requestInput(framing, source, { errors });
  const length = framing.kind === 'length' ? framing.length : -1;
  // IN-04 / ERR-05: a body cut short by the client's FIN is truncated; any other end is a
  // disconnect (IN-15).
  const failInput = (): void => {
    if (framing.kind === 'none' || input.ended) return;
    const truncated = length >= 0 && req.socket.readableEnded && input.received < length;
    input.fail(
      truncated ? new InputTruncatedError(length, input.received) : new ClientDisconnectError(),
    );
  };
  if (framing.kind !== 'none') {
    req.on('data', (chunk: Buffer) => input.push(chunk));
    req.on('end', () => input.end());
    req.on('close', () => req.complete || failInput());
  }
  let closed = false;
  res.on('close', () => {
    if (res.writableFinished) return;
    closed = true;
    abort.abort(new ClientDisconnectError()); // ENV-24, ERR-04
    failInput();
  });

  const environ = createEnviron(
    {
      method: req.method!,
      scriptName: '',
      pathInfo: percentDecode(rawPath), // ENV-05, ENV-06: decoded exactly once
      queryString: query,
      requestUri: target, // ENV-07: as received
      serverName: '',
      serverPort: '',
      protocol: `HTTP/${req.httpVersion}`,
    },
    {
      input,
      errors,
      signal: abort,
      urlScheme: 'http',
      multithread: false,
      multiprocess: false,
      runOnce: false,
    },
  );
  // ENV-12..15: every header line, in order, repeats joined; the lines as received too.
  environ['tsgi.raw_headers'] = addRequestHeaders(environ, req.rawHeaders);
  // ENV-35: an absolute-form target's authority is the Host.
  const authority = targetAuthority(target);
  if (authority !== undefined) environ.HTTP_HOST = authority;
  // ENV-10: the name and port the client used, else the socket's own address.
  const [name, port] = splitHost(environ.HTTP_HOST ?? '') ?? ['', ''];
  const local = req.socket.localAddress ?? 'localhost';
  environ.SERVER_NAME = name || (local.includes(':') ? `[${local}]` : local);
  environ.SERVER_PORT = port || (name ? '80' : String(req.socket.localPort));
  environ.SERVER_SOFTWARE = 'toy-server/0.1'; // ENV-17
  // ENV-17: the peer's address, when the socket still knows it.
  if (req.socket.remoteAddress !== undefined) {
    environ.REMOTE_ADDR = req.socket.remoteAddress;
    environ.REMOTE_PORT = String(req.socket.remotePort);
  }

  const sink: ResponseSink = {
    head(status, headers, _framing, code) {
      res.statusCode = code;
      res.statusMessage = status.slice(4);
      for (const [n, v] of headers) res.appendHeader(n, v);
      // SR-17: a 426 naming a protocol in `upgrade` lists it in `connection` too.
      if (code === 426 && headers.some(([n]) => n.toLowerCase() === 'upgrade'))
        res.appendHeader('connection', 'upgrade');
    },
    // BODY-19: node keeps `chunk` until it is written, and the application may reuse the buffer
    // once this settles, so settle on the write's callback. ERR-05: reject after a disconnect.
    write(chunk) {
      if (closed) return Promise.reject(new ClientDisconnectError());
      return new Promise<void>((resolve, reject) => {
        const gone = (): void => reject(new ClientDisconnectError());
        res.once('close', gone);
        res.write(chunk, (err) => {
          res.off('close', gone);
          if (err) gone();
          else resolve();
        });
      });
    },
    // The completion hook runs after this settles: node has then flushed the last bytes.
    end() {
      return new Promise<void>((resolve) => {
        res.once('close', resolve);
        res.end(resolve);
      });
    },
    abort() {
      res.destroy(); // ERR-03: the client sees an incomplete response
    },
  };
  void runApplication(app, environ, sink);
}
