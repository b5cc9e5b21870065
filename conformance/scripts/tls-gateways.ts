/**
 * The matrix's TLS columns (issue 20): the suite speaks raw HTTP/1.x in cleartext, so a small
 * gateway carries each of its requests to `@tsgi/node` serving TLS on one port, as
 * `tsgi serve --certfile --keyfile` does: either over HTTP/2 (`startH2Gateway`: node:http parses
 * the suite's bytes, so what llhttp refuses never reaches HTTP/2: those cases are the gateway's
 * findings; every request is one stream of a single shared session), or over HTTP/1.1 chosen by
 * ALPN (`startTlsPipe`: the suite's bytes unchanged inside TLS, a connection for a connection).
 * Both trust only the certificate they are given, as a client of that server would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type ClientHttp2Session, connect, constants } from 'node:http2';
import {
  type AddressInfo,
  createServer as createTcpServer,
  type Server as NetServer,
  connect as netConnect,
  type Socket,
} from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** How the gateway reaches the server: its certificate (PEM), issued to `localhost`. */
export interface Upstream {
  /** The server's URL (`https://127.0.0.1:port`, or `http://` for h2c). */
  url: string;
  ca?: string | Buffer;
}

/** TLS options trusting `ca` for a server that listens on 127.0.0.1 and is named `localhost`. */
function _trust(ca: string | Buffer | undefined): { ca?: string | Buffer; servername?: string } {
  return ca === undefined ? {} : { ca, servername: 'localhost' };
}

/** RFC 9113 §8.2.2: HTTP/1.1 connection fields that have no place on an HTTP/2 stream. */
const _HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
]);

/** Starts the HTTP/2 gateway in front of `upstream`; resolves with its own URL. */
export async function startH2Gateway(upstream: Upstream): Promise<LocalGateway> {
  const session: ClientHttp2Session = connect(upstream.url, _trust(upstream.ca));
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
  server.on('connection', (s: Socket) => _track(sockets, s));
  return _listen(server, sockets, () => session.destroy());
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

/**
 * Starts a TLS pipe in front of `upstream`: each cleartext connection becomes one TLS connection
 * offering only `http/1.1` by ALPN, bytes copied both ways as they come. Half-closes travel as
 * half-closes (IN-04's truncation cases end their request with a FIN), and the suite's resets as
 * resets (IN-15's end it with an RST): they reset the server's TCP connection.
 */
export async function startTlsPipe(upstream: Upstream): Promise<LocalGateway> {
  const target = new URL(upstream.url);
  const sockets = new Set<Socket>();
  const server = createTcpServer({ allowHalfOpen: true }, (client) => {
    const raw = netConnect({
      host: target.hostname,
      port: Number(target.port),
      allowHalfOpen: true,
    });
    const tls = tlsConnect({
      socket: raw,
      ALPNProtocols: ['http/1.1'],
      allowHalfOpen: true,
      ..._trust(upstream.ca),
    });
    _track(sockets, client);
    _track(sockets, raw);
    client.on('error', () => raw.resetAndDestroy());
    // The server's side failing (a reset after its last answer, as after a 431 while the suite
    // still sends) ends the suite's side once what arrived is written: a response cut short stays
    // visibly short, and an answer that came first is not lost to a reset.
    tls.on('error', () => client.end());
    // Once one side is wholly closed, nothing more can pass: the other goes too.
    client.on('close', () => tls.destroy());
    tls.on('close', () => client.end());
    client.pipe(tls);
    tls.pipe(client);
  });
  return _listen(server, sockets);
}

/** A gateway: the URL the suite is given, and how to stop it. */
export interface LocalGateway {
  url: string;
  stop(): Promise<void>;
}

/** Keeps `socket` in `sockets` while it is open, for `stop`. */
function _track(sockets: Set<Socket>, socket: Socket): void {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
}

/** Listens on a free loopback port; `stop` destroys the open sockets, then closes. */
async function _listen(
  server: NetServer,
  sockets: Set<Socket>,
  after: () => void = () => {},
): Promise<LocalGateway> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
      after();
    },
  };
}
