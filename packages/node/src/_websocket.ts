/**
 * `tsgix.websocket` on node:http (spec 20, ADP-NODE-20..18). A request that asks to upgrade
 * arrives on the server's 'upgrade' event with its raw socket; it runs through the same
 * application as any request (environ from _environ.ts, the engine, an _UpgradeSink). The
 * framing of accepted connections is the `ws` package's (RFC 6455 masking, fragmentation, UTF-8
 * checks, permessage-deflate; Autobahn-clean), driven with `noServer` and `handleUpgrade` only
 * when the application accepts; the message API itself is core's `WebSocketSession`.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import {
  ContractError,
  RequestAbort,
  refusalResponse,
  requestFraming,
  requestInput,
  runApplication,
  WEBSOCKET_DEFAULTS,
  type WebSocketAcceptOptions,
  type WebSocketConnection,
  type WebSocketLimits,
  WebSocketSession,
  type WebSocketTransport,
  websocketHandshake,
  websocketUpgrade,
} from '@tsgi/core';
import type { WebSocketServer, WebSocket as WsSocket } from 'ws';
import { formatAccess, requestEntry } from './_access-log.js';
import { markUpgraded } from './_connection-limit.js';
import { buildEnviron } from './_environ.js';
import type { ListenerContext } from './_listener.js';
import { _checkRequest } from './_reject.js';
import { _UpgradeSink, _writeOwn } from './_upgrade-sink.js';

const kAccept = Symbol('tsgi.ws.accept');
type _Req = IncomingMessage & { [kAccept]?: WebSocketAcceptOptions };

/** The server's WebSocket side: the upgrade listener and what shutdown needs of it. */
export class _WebSockets {
  readonly #state: ListenerContext;
  readonly #limits: Required<WebSocketLimits>;
  /** ws's servers, made on the first upgrade request (see `upgrade`). */
  #servers: { plain: WebSocketServer; deflate: WebSocketServer } | undefined = undefined;
  readonly #open = new Set<WebSocketSession>();

  constructor(state: ListenerContext, limits: WebSocketLimits = {}) {
    this.#state = state;
    this.#limits = { ...WEBSOCKET_DEFAULTS, ...limits };
    // WS-02: every request of this server carries the key (_environ.ts adds the shared "not a
    // handshake" value); a handshake's own value is set below.
    state.env.websocket = true;
  }

  #makeServers({ WebSocketServer }: _Ws): { plain: WebSocketServer; deflate: WebSocketServer } {
    const common = {
      noServer: true,
      clientTracking: false,
      maxPayload: this.#limits.maxMessageSize, // WS-14: ws closes 1009 past it
      // WS-05: the application chose; ws calls this only when the client offered some.
      handleProtocols: (_offered: Set<string>, req: IncomingMessage) =>
        (req as _Req)[kAccept]?.protocol ?? false,
    };
    const plain = new WebSocketServer({ ...common, perMessageDeflate: false });
    const deflate = new WebSocketServer({ ...common, perMessageDeflate: true });
    for (const wss of [plain, deflate]) {
      wss.on('headers', (headers: string[], req: IncomingMessage) => {
        for (const [name, value] of (req as _Req)[kAccept]?.headers ?? []) {
          headers.push(`${name}: ${value}`);
        }
      });
    }
    return { plain, deflate };
  }

  /**
   * Handles `server`'s 'upgrade' event, and follows the shutdown through the listener's state:
   * whichever shutdown the server has (HTTP/1.1's in _serve.ts, HTTP/2's in _http2.ts) calls
   * `beginClosing` when it drains, which sends 1001 (WS-16), and `beginAborting` when out of
   * time, which drops what is left; so the shutdown needs to know nothing of WebSockets.
   */
  listen(server: { on(event: 'upgrade', listener: _UpgradeListener): unknown }): void {
    server.on('upgrade', this.upgrade);
    this.#state.watchShutdown({
      closing: () => this.goingAway(),
      aborting: () => this.terminate(),
    });
  }

  /**
   * The server's 'upgrade' listener. The `ws` package is loaded on the first upgrade request,
   * not with this module: importing it is about 55 ms of a server's start-up (node 20 here;
   * `import '@tsgi/node'` took 82-102 ms with it, ~30 without), which every server paid,
   * WebSockets used or not. Until it is loaded the socket holds what the client sent next
   * (node stops reading an upgraded socket until someone listens).
   */
  readonly upgrade = (req: IncomingMessage, socket: Socket, head: Buffer): void => {
    socket.on('error', () => {}); // a reset is seen as 'close' (ENV-24)
    markUpgraded(socket); // not idle while it carries a WebSocket (SRV-09)
    if (this.#servers !== undefined) {
      this.#upgrade(req, socket, head);
      return;
    }
    import('ws').then(
      (ws) => {
        this.#servers ??= this.#makeServers(ws);
        if (!socket.destroyed) this.#upgrade(req, socket, head);
      },
      () => socket.destroy(),
    );
  };

  #upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    const state = this.#state;
    const start = state.accessLog === undefined ? 0 : Date.now();
    const refusal = _checkRequest(req, state.maxHeaders, state.body);
    if (refusal !== null) {
      const own = refusalResponse(`${refusal[0]} ${refusal[1]}` as `400 ${string}`);
      this.#log(req, refusal[0], _writeOwn(socket, own), start);
      return;
    }
    const abort = new RequestAbort();
    const framing = requestFraming(state.body);
    // 'upgrade' is node:http's event: an HTTP/1.1 request, never an HTTP/2 stream.
    const source = { h2: false, method: req.method!, target: req.url!, http1Request: req };
    const environ = buildEnviron(
      { ...source, abortState: abort },
      req.rawHeaders,
      state.env,
      requestInput({ kind: 'none' }, null),
    );
    const handshake = websocketHandshake(environ);
    // WS-04: a malformed handshake is the server's to refuse; ADP-NODE-22: another protocol's
    // upgrade with a body is refused too (node hands the body over unparsed).
    if (handshake.kind === 'refuse' || framing.kind !== 'none') {
      const own =
        handshake.kind === 'refuse' ? handshake.response : refusalResponse('501 Not Implemented');
      this.#log(req, Number(own.status.slice(0, 3)), _writeOwn(socket, own), start);
      return;
    }
    const sink = new _UpgradeSink(socket, abort);
    socket.once('close', () => abort.abort()); // ENV-24 before and after the takeover
    if (handshake.kind === 'valid') {
      environ['tsgix.websocket'] = websocketUpgrade(handshake, (options) =>
        this.#accept(req as _Req, socket, head, sink, abort, options),
      );
    }
    state.active++;
    const run = runApplication(state.app, environ, sink, state.run);
    const done = (): void => {
      if (sink.session !== null) this.#open.delete(sink.session);
      state.active--;
      this.#log(req, sink.upgraded ? 101 : sink.status, sink.bytes, start);
      if (state.closing) state.onDrained?.();
    };
    // The request is in flight until the application returned and, when it accepted, the
    // connection closed (SRV-09 waits for both).
    const settled = (): void => {
      if (sink.session === null) done();
      else void sink.session.closed.then(done);
    };
    run.then(settled, settled); // rejects only when a sink throws: still counted out
  }

  /** WS-05: the application accepted: ws writes the 101 and frames from now on. */
  #accept(
    req: _Req,
    socket: Socket,
    head: Buffer,
    sink: _UpgradeSink,
    abort: RequestAbort,
    options: WebSocketAcceptOptions,
  ): WebSocketConnection {
    if (sink.headSent) {
      throw new ContractError('WS-05', 'accept() after the response started');
    }
    sink.upgraded = true;
    req[kAccept] = options;
    const servers = this.#servers!; // #upgrade runs only once they exist
    const wss = options.compress === true ? servers.deflate : servers.plain;
    let ws: WsSocket | undefined;
    // ws completes the handshake synchronously (writes the 101 and calls back) when the socket
    // is still open, which is what lets accept() return the connection at once.
    if (!abort.aborted) wss.handleUpgrade(req, socket, head, (w) => (ws = w));
    const session = new WebSocketSession(
      ws === undefined ? _DEAD : _transport(ws),
      ws?.protocol ?? '',
      ws?.extensions ?? '',
      this.#limits,
    );
    sink.session = session;
    this.#open.add(session);
    // WS-07: tsgi.signal aborts once the connection is closed.
    session.onEnded = () => abort.abort();
    if (ws === undefined) session.ended(1006, '');
    else _wire(ws, socket, session);
    if (this.#state.closing) session.goingAway();
    return session.connection;
  }

  /** WS-16: shutdown began: every open connection is told 1001 Going Away. */
  goingAway(): void {
    for (const session of this.#open) session.goingAway();
  }

  /** Shutdown ran out of time: what is still open is dropped. */
  terminate(): void {
    for (const session of this.#open) session.terminate();
  }

  #log(req: IncomingMessage, status: number, bytes: number, start: number): void {
    const state = this.#state;
    if (state.accessLog === undefined) return;
    state._log(formatAccess(requestEntry(req, status, bytes, start), state.accessLogFormat));
  }
}

type _UpgradeListener = (req: IncomingMessage, socket: Socket, head: Buffer) => void;

type _Ws = typeof import('ws');

/** Turns `target[key]` into an accessor that runs `onTrue` whenever it is set to true. */
const _DEAD: WebSocketTransport = {
  send: (_m: unknown, done: (e?: unknown) => void) => done(new Error('closed')),
  bufferedAmount: 0,
  drainEvents: true,
  close: () => {},
  terminate: () => {},
};

function _transport(ws: WsSocket): WebSocketTransport {
  return {
    send(message: string | Uint8Array, done: (error?: unknown) => void): void {
      // ws keeps a reference to the bytes until the socket wrote them: `done` comes then.
      ws.send(message, { binary: typeof message !== 'string' }, done);
    },
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    drainEvents: true,
    close: (code: number, reason: string) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    ping: () => ws.ping(),
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

function _wire(ws: WsSocket, socket: Socket, session: WebSocketSession): void {
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    // ws has joined the fragments (WS-10) and checked the UTF-8 of text (1007).
    session.message(
      isBinary ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : data.toString(),
    );
  });
  ws.on('pong', () => session.pong());
  ws.on('error', () => {}); // ws closes with the code the error calls for (1002, 1007, 1009)
  ws.on('close', (code: number, reason: Buffer) => session.ended(code, reason.toString()));
  socket.on('drain', () => session.progress());
}
