/**
 * The matrix's HTTP/2 column (issue 20): the suite speaks raw HTTP/1.x, so a small gateway carries
 * each of its requests over HTTP/2 to `@tsgi/node` serving cleartext HTTP/2 (h2c, the same request
 * path as h2 over TLS, ADP-NODE-15), as nginx carries them over FastCGI for the FastCGI columns.
 * node:http parses the suite's bytes (so what llhttp refuses never reaches HTTP/2: those cases are
 * the gateway's findings), and every request is one stream of a single shared session.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';

/** RFC 9113 §8.2.2: HTTP/1.1 connection fields that have no place on an HTTP/2 stream. */
const _HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
]);

/** Starts the gateway in front of `target` (an `http://` h2c URL); resolves with its own URL. */
export async function startH2Gateway(
  target: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const session: ClientHttp2Session = connect(target);
  session.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    session.once('connect', () => resolve());
    session.once('error', reject);
  });
  const sockets = new Set<Socket>();
  const server = createServer({ requireHostHeader: false }, (req, res) =>
    forward(session, req, res),
  );
  server.on('checkContinue', (req, res) => forward(session, req, res));
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
      session.destroy();
    },
  };
}

/** One HTTP/1.1 request as one HTTP/2 stream, and its response back, bytes as they come. */
function forward(session: ClientHttp2Session, req: IncomingMessage, res: ServerResponse): void {
  const headers: Record<string, string | string[]> = { ':method': req.method!, ':path': req.url! };
  const hosts: string[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    const value = raw[i + 1]!;
    if (name === 'host') hosts.push(value);
    else if (!_HOP.has(name)) {
      const seen = headers[name];
      headers[name] =
        seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
    }
  }
  // RFC 9113 §8.3.1: Host becomes :authority; several Host lines go as fields, for the server to
  // refuse. An absolute-form target (RFC 9112 §3.2.2) becomes :scheme, :authority and :path, its
  // authority replacing Host, as an intermediary translating to HTTP/2 does.
  const absolute = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(req.url!);
  if (absolute !== null) {
    headers[':scheme'] = absolute[1]!.toLowerCase();
    headers[':authority'] = absolute[2]!;
    headers[':path'] = absolute[3] === '' ? '/' : absolute[3]!;
  } else if (hosts.length === 1) headers[':authority'] = hosts[0]!;
  else if (hosts.length > 1) headers.host = hosts;
  const hasBody =
    req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined;
  let stream: ReturnType<ClientHttp2Session['request']>;
  try {
    stream = session.request(headers, { endStream: !hasBody });
  } catch {
    res.writeHead(400, { 'content-length': '0' }).end();
    return;
  }
  let answered = false;
  stream.on('continue', () => res.writeContinue());
  // The third argument is the field lines as received: repeats stay separate lines (SR-03).
  stream.on('response', (h, _flags, rawLines: string[]) => {
    answered = true;
    const lines = rawLines.filter((_, i) => !rawLines[i - (i % 2)]!.startsWith(':'));
    res.writeHead(Number(h[':status']), lines);
  });
  stream.on('data', (chunk: Buffer) => {
    if (!res.write(chunk)) stream.pause();
  });
  res.on('drain', () => stream.resume());
  stream.on('end', () => res.end());
  stream.on('error', () => {});
  stream.on('close', () => {
    // A reset stream (the adapter aborted the response, ERR-03) is a cut-short response here too.
    if (stream.rstCode !== constants.NGHTTP2_NO_ERROR || !answered) res.destroy();
  });
  // The client left: the stream is cancelled, which the adapter sees as a disconnect (ERR-04).
  res.on('close', () => {
    if (!res.writableFinished && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
  });
  if (hasBody) req.pipe(stream);
  else req.resume();
}
