/** Options and address types of the FastCGI server. */
import type { GatewayServerOptions, ListenAddress } from '@tsgi/server-node';

/**
 * Options for `createFastCGIServer` and `serveFastCGI`. `port`, `host`, `path`, `environ`,
 * `exposeErrors`, `maxBodySize` and `multiprocess` are the gateway options of
 * `@tsgi/server-node`, the same as `serveSCGI`'s; the unix socket's `socketMode`, `socketOwner`
 * and `socketGroup`, `shutdownTimeout` and `signals` its lifecycle options, the same as `serve`'s
 * in `@tsgi/node`.
 */
export interface FastCGIServerOptions extends GatewayServerOptions {
  /**
   * An inherited listening socket, e.g. 0 (`FCGI_LISTENSOCK_FILENO`). When none of `port`, `path`
   * and `fd` is given, fd 0 is used if it is a socket: how lighttpd `bin-path`, spawn-fcgi and
   * `cgi-fcgi -start` run an application.
   */
  fd?: number;
  /**
   * The mount point (ADP-FCGI-04). When set, SCRIPT_NAME is this value and PATH_INFO the rest of
   * the decoded REQUEST_URI path, whatever split the web server made; use it behind front-ends that
   * split differently (nginx without `fastcgi_split_path_info`, Apache `ProxyPass`). Default: the
   * web server's SCRIPT_NAME/PATH_INFO, normalised.
   */
  scriptName?: string;
  /**
   * Where server diagnostics go (protocol errors, refused peers, and `tsgi.errors` text written
   * after its request ended). Default: process.stderr. While a request is active, `tsgi.errors`
   * goes to the web server as FCGI_STDERR records.
   */
  errors?: (text: string) => void;
  /** Largest total PARAMS size per request, in bytes; more closes the connection. Default 65536. */
  maxParamsSize?: number;
  /**
   * Milliseconds a connection may wait for bytes it needs (ADP-FCGI-24): the first record of a
   * new connection, the rest of a record begun, the rest of a request's PARAMS. A web server
   * writes each of these at once, so a peer that stalls in one is closed after this long and its
   * connection slot freed. Default 10 000 (nginx's `fastcgi_connect_timeout`-like scale; its
   * `client_header_timeout` is 60 s for clients on the network).
   */
  readTimeout?: number;
  /**
   * Milliseconds a kept-alive connection may stay without a request in flight before it is
   * closed (ADP-FCGI-24). Default 75 000: longer than nginx's upstream `keepalive_timeout`
   * (60 s), so nginx, not the application, ends its idle connections.
   */
  idleTimeout?: number;
  /**
   * Request body bytes one connection may hold unread by the applications on it
   * (ADP-FCGI-25). Past it the socket is paused even while other requests on the connection
   * still need records, so one application that does not read cannot make the process buffer
   * without bound. Default 1 MiB.
   */
  maxBufferedInput?: number;
  /** Most concurrent connections (FCGI_MAX_CONNS); more are accepted and closed at once. Default 1024. */
  maxConns?: number;
  /** Most concurrent requests over all connections (FCGI_MAX_REQS); more get OVERLOADED. Default 4096. */
  maxReqs?: number;
  /**
   * Accept several concurrent requests on one connection (FCGI_MPXS_CONNS=1). Default true; when
   * false a second BEGIN_REQUEST on a busy connection gets CANT_MPX_CONN.
   */
  multiplex?: boolean;
  /**
   * Peer IPs allowed to connect over TCP (spec §3.2), as a list or a comma-separated string.
   * Default: the `FCGI_WEB_SERVER_ADDRS` environment variable; empty allows everyone. Unix-socket
   * peers are not checked (as in libfcgi): file permissions guard them.
   */
  webServerAddrs?: readonly string[] | string;
}

/** Where a server listens. */
export type FastCGIAddress = ListenAddress;

/** Options for `FastCGIServer.close`. */
export interface CloseOptions {
  /**
   * Milliseconds to let running requests finish before aborting them. Default
   * `shutdownTimeout`, itself 10 000 by default.
   */
  timeout?: number;
}
