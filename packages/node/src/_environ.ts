/**
 * `IncomingMessage` or HTTP/2 stream → environ (ADP-NODE-01, ADP-NODE-16, spec section 02).
 *
 * Byte transparency (ENV-06, ENV-07, ENV-15) comes for free: node:http's parser turns the
 * request-target and header values into strings with one code unit per octet (latin-1), which is
 * exactly TSGI's byte-string form. So `req.url` is REQUEST_URI as is, and PATH_INFO is its path
 * percent-decoded once. `req.headers` is never read: it lowercases names, drops duplicates of
 * some fields and joins others with `, ` (including Cookie), none of which ENV-13 allows.
 */
import type { TLSSocket } from 'node:tls';
import {
  addConfigKeys,
  addRequestHeaders,
  type ConfigKeys,
  createEnviron,
  type Environ,
  type ErrorStream,
  type InputStream,
  percentDecode,
  splitHost,
  splitScriptName,
  splitTarget,
  targetAuthority,
  WEBSOCKET_NOT_REQUESTED,
} from '@tsgi/core';
import type { ExchangeState } from './_exchange-state.js';
import { _h2Fields } from './_h2-request.js';
import { type TlsVars, tlsVars } from './_tls-environ.js';

/** Per-listener settings the environ builder needs; computed once, not per request. */
export interface _EnvironConfig {
  readonly scriptName: string;
  readonly errors: ErrorStream;
  readonly multiprocess: boolean;
  readonly software: string;
  /** SRV-03 configuration keys, checked at setup by core's `checkConfigKeys` (SRV-11). */
  readonly extra: ConfigKeys | undefined;
  /** WS-02: the server offers WebSockets, so every request carries `tsgix.websocket`. */
  websocket: boolean;
}

// ENV-11: the two versions node:http speaks, as constants so the hot path does not concatenate.
const _HTTP11 = 'HTTP/1.1';
const _HTTP10 = 'HTTP/1.0';
// ADP-NODE-16: HTTP/2 has no minor version (RFC 9113 §3; ENV-11 allows `HTTP/2`).
const _HTTP2 = 'HTTP/2';

/** What is the same for every request on a connection, computed on its first request. */
interface _Conn {
  readonly https: boolean;
  readonly remoteAddr: string | undefined;
  readonly remotePort: string;
  /** ADP-NODE-18: mod_ssl's variables, on TLS connections only. */
  readonly tls: TlsVars | undefined;
  /** The socket, for its local address (SERVER_NAME without Host). */
  readonly socket: _Socket;
  /** The Host value `name`/`port` were derived from; `null` before the first request. */
  host: string | undefined | null;
  name: string;
  port: string;
}

const kConn = Symbol('tsgi.conn');
type _Socket = Partial<TLSSocket> & { [kConn]?: _Conn };

/**
 * What environ is built from: an exchange, or the request of a WebSocket handshake (HTTP/1.1,
 * `_websocket.ts`). `stream` is read only when `h2`, `http1Request` only when not.
 */
export type EnvironSource = Pick<
  ExchangeState,
  'h2' | 'method' | 'target' | 'http1Request' | 'abortState'
> & { readonly stream?: ExchangeState['stream'] };

/**
 * Builds environ for the request of `ex`, with the `tsgi.input` core made for its body's framing.
 * `rawHeaders`: node's header lines (on HTTP/2 with the pseudo-headers).
 */
export function buildEnviron(
  ex: EnvironSource,
  rawHeaders: readonly string[],
  config: _EnvironConfig,
  input: InputStream,
): Environ {
  const h2 = ex.h2;
  const target = ex.target;
  // HTTP/2: what is per connection is kept on the session.
  const holder = (h2 ? ex.stream!.session : ex.http1Request.socket) as _Holder;
  const conn = holder[kConn] ?? _newConn(holder, h2);
  const split = splitTarget(target);
  let pathInfo = percentDecode(split.rawPath); // ENV-06: decoded exactly once, %2F becomes '/'.
  let scriptName = '';
  // ENV-04: SCRIPT_NAME comes from deployment configuration only, never from the request.
  if (config.scriptName !== '')
    [scriptName, pathInfo] = splitScriptName(pathInfo, config.scriptName);
  const version = h2 ? '2' : ex.http1Request.httpVersion;
  const env = createEnviron(
    {
      method: ex.method,
      scriptName,
      pathInfo,
      queryString: split.query,
      requestUri: target, // ENV-07: raw, %2F stays %2F.
      serverName: '',
      serverPort: '',
      protocol: h2
        ? _HTTP2
        : version === '1.1'
          ? _HTTP11
          : version === '1.0'
            ? _HTTP10
            : `HTTP/${version}`,
    },
    {
      input,
      errors: config.errors,
      signal: ex.abortState,
      urlScheme: conn.https ? 'https' : 'http',
      // ENV-22: one event loop per process; cluster workers are separate processes.
      multithread: false,
      multiprocess: config.multiprocess,
      runOnce: false,
      software: config.software,
    },
  );
  // ENV-12..15, ENV-28: every field line, in order; repeats are joined and `_` names dropped.
  let host: string | undefined;
  if (h2) {
    // ADP-NODE-16: pseudo-headers are not fields; `:authority` stands for a missing Host (RFC
    // 9113 §8.3.1). Cookie crumbs are joined with "; " by ENV-13 (RFC 9113 §8.2.3).
    const [fields, authority] = _h2Fields(rawHeaders);
    env['tsgi.raw_headers'] = addRequestHeaders(env, fields);
    if (env.HTTP_HOST === undefined && authority !== undefined) env.HTTP_HOST = authority;
    host = env.HTTP_HOST;
  } else {
    env['tsgi.raw_headers'] = addRequestHeaders(env, rawHeaders);
    host = env.HTTP_HOST;
  }
  // ENV-35: an absolute-form target's authority replaces Host (the Host lines stay in
  // tsgi.raw_headers). The listener has refused every target but origin-form, `*` for OPTIONS and
  // a valid http(s) absolute-form (SRV-15), so anything not starting with `/` or `*` is the latter.
  const first = target.charCodeAt(0);
  if (!h2 && first !== 0x2f && first !== 0x2a) {
    const authority = targetAuthority(target);
    if (authority !== undefined) env.HTTP_HOST = host = authority;
  }
  if (host !== conn.host) _setServerName(conn, host, conn.socket);
  env.SERVER_NAME = conn.name;
  env.SERVER_PORT = conn.port;
  // ENV-17: absent when the socket was already gone (ENV-02: omit rather than undefined).
  if (conn.remoteAddr !== undefined) {
    env.REMOTE_ADDR = conn.remoteAddr;
    env.REMOTE_PORT = conn.remotePort;
  }
  if (conn.https) {
    env.HTTPS = 'on';
    for (const [key, value] of conn.tls!) env[key] = value; // ADP-NODE-18
  }
  // WS-02: the shared "not a handshake" value (_websocket.ts sets a handshake's own). A store
  // under a constant name: added through `addConfigKeys`' computed key, the same key cost 2 µs
  // of server CPU per hello world (two builds side by side under wrk, servers/tsgi-node.mjs).
  if (config.websocket) env['tsgix.websocket'] = WEBSOCKET_NOT_REQUESTED;
  addConfigKeys(env, config.extra); // SRV-03
  return env;
}

/**
 * The last Host value (or absolute-form authority) environ was built from on this connection:
 * it passed ENV-34 then, so `_checkRequest` need not check an equal value again.
 */
export function _lastHost(socket: object | null): string | undefined | null {
  return (socket as _Holder | null)?.[kConn]?.host;
}

/** A node:http socket, or an HTTP/2 session (whose `socket` is the connection's). */
type _Holder = { [kConn]?: _Conn; socket?: _Socket };

function _newConn(holder: _Holder, h2: boolean): _Conn {
  const socket = (h2 ? holder.socket : holder) as _Socket;
  const https = socket.encrypted === true;
  const conn: _Conn = {
    https,
    remoteAddr: socket.remoteAddress,
    remotePort: String(socket.remotePort),
    tls: https ? tlsVars(socket) : undefined,
    socket,
    host: null,
    name: '',
    port: '',
  };
  holder[kConn] = conn;
  return conn;
}

/**
 * ENV-10: SERVER_NAME/SERVER_PORT from the absolute-form authority or Host (`host`, already valid
 * by ENV-34), so URL reconstruction gives the URL the client used, the port defaulting by scheme;
 * without a usable Host (none, or an empty name), the socket's local address; on a unix socket,
 * `localhost` and `80`/`443`. An IPv6 literal keeps its brackets so `name:port` stays an authority.
 */
function _setServerName(conn: _Conn, host: string | undefined, socket: _Socket): void {
  conn.host = host;
  const split = host === undefined ? undefined : splitHost(host);
  if (split !== undefined && split[0] !== '') {
    conn.name = split[0];
    conn.port = split[1] !== '' ? split[1] : conn.https ? '443' : '80';
    return;
  }
  const local = socket.localAddress;
  if (local === undefined) {
    conn.name = 'localhost';
    conn.port = conn.https ? '443' : '80';
  } else {
    conn.name = local.includes(':') ? `[${local}]` : local;
    conn.port = String(socket.localPort);
  }
}
