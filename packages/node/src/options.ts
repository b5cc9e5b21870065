/**
 * Public option and handle types of `@tsgi/node`.
 * @module
 */
import type { Server as HttpServer } from 'node:http';
import type { Http2SecureServer, Http2Server } from 'node:http2';
import type { Server as HttpsServer, ServerOptions as HttpsServerOptions } from 'node:https';
import type { WebSocketLimits } from '@tsgi/core';
import type { LifecycleOptions } from '@tsgi/server-node';

/** Options for `createRequestListener` (and `serve`). */
export interface ListenerOptions {
  /**
   * Where `tsgi.errors` text goes (ERRS-01). Default: `process.stderr`.
   * The function receives text as the application wrote it, newlines included.
   */
  errors?: (text: string) => void;
  /**
   * One Common Log Format line per request: `true` writes to `process.stdout`, a function
   * receives each line without its newline. Default: off.
   */
  accessLog?: boolean | ((line: string) => void);
  /**
   * The access log's format: `'common'` (Apache's Common Log Format, the default), `'combined'`
   * (with referer and user agent, nginx's default) or `'json'` (one object per line).
   */
  accessLogFormat?: 'common' | 'combined' | 'json';
  /**
   * Largest request body accepted, in bytes (IN-08). A larger `Content-Length` is answered with
   * 413 before the application runs; a chunked body that grows past it fails `tsgi.input` with
   * `InputTooLargeError` and is answered with 413 if the response has not started.
   */
  maxBodySize?: number;
  /**
   * Most header lines a request may have (SRV-07); more are answered 431 before the
   * application runs, never dropped silently. `serve` sets the server's `maxHeadersCount` to
   * match; on your own server keep its `maxHeadersCount` above this. Default 100.
   */
  maxHeaders?: number;
  /**
   * Where the application is mounted (ENV-04), e.g. `/api`: requests under it get that
   * SCRIPT_NAME and the rest as PATH_INFO. Default `''` (the root).
   */
  scriptName?: string;
  /** Put the error's stack in 500 bodies. For development only (ERR-02). Default false. */
  exposeErrors?: boolean;
  /**
   * Extra keys added to every environ (SRV-03), e.g. `{ 'myapp.config': config }`. Extension
   * keys contain a `.` (ENV-25). A key the request already produced is never replaced (SRV-11);
   * `tsgi.*` and `HTTP_*` keys are refused with a `TypeError` at startup.
   */
  environ?: Readonly<Record<string, unknown>>;
  /**
   * `tsgi.multiprocess` (ADP-NODE-11). Default: true in a `node:cluster` worker, else false.
   * Set it when you run several processes behind a balancer yourself.
   */
  multiprocess?: boolean;
  /** `SERVER_SOFTWARE` (ENV-17). Default `tsgi-node/<version>`. */
  serverSoftware?: string;
}

/**
 * Options for `serve`. Listening (`fd`, the unix socket's `socketMode`, `socketOwner` and
 * `socketGroup`), `shutdownTimeout` and `signals` are the shared lifecycle options of
 * `@tsgi/server-node`, the same as `serveFastCGI`'s.
 */
export interface ServeOptions extends ListenerOptions, LifecycleOptions {
  /** Interface to listen on, IPv4 or IPv6. Default `127.0.0.1`. Ignored with `path` or `fd`. */
  host?: string;
  /** TCP port; `0` picks a free one (read it back from `handle.url`). Default `8000`. */
  port?: number;
  /**
   * Listen on this unix domain socket instead of TCP. A stale socket file (nothing answers on
   * it) is replaced; one a running server answers on fails with EADDRINUSE.
   */
  path?: string;
  /**
   * Serve HTTPS with these TLS options (`key`, `cert`, `ca`, `requestCert`...). With `tls`, HTTP/2
   * and HTTP/1.1 share the port (ALPN) unless `http2` is `false`.
   */
  tls?: HttpsServerOptions;
  /**
   * Speak HTTP/2 (ADP-NODE-15). Default: on with `tls`, where clients that do not offer `h2` by
   * ALPN get HTTP/1.1 on the same port (node:http2 `allowHTTP1`); `false` serves HTTP/1.1 only
   * (node:https). Without `tls`, `true` serves cleartext HTTP/2 with prior knowledge (h2c, RFC 9113
   * §3.3) only: HTTP/1.1 clients cannot use that port.
   */
  http2?: boolean;
  /**
   * `server.headersTimeout` in ms: the header section must arrive within it (SRV-06; node
   * default 60 000). node checks both timeouts periodically; `serve` makes that period at most
   * a quarter of the shorter timeout, and at most 1 s, so either fires close to its time.
   */
  headersTimeout?: number;
  /** `server.requestTimeout` in ms: the whole request must arrive within it (default 300 000). */
  requestTimeout?: number;
  /** `server.keepAliveTimeout` in ms: how long an idle keep-alive connection stays open (node default 5 000). */
  keepAliveTimeout?: number;
  /**
   * Most open connections (SRV-08). A connection beyond it is answered `503 Service Unavailable`
   * with `Retry-After: 1` and closed, without reaching node:http (over TLS it is closed). Default
   * 4096, well under the usual descriptor limit, so a flood of idle or slow connections (a
   * slowloris) is refused cleanly instead of exhausting descriptors for everything else.
   */
  maxConnections?: number;
  /**
   * Most open connections from one peer address (SRV-08, issue 22): beyond it a connection from
   * that address is refused as beyond `maxConnections`, while other addresses are still served.
   * Default: `maxConnections` (no separate limit). Behind a reverse proxy every connection has the
   * proxy's address: leave it unset there.
   */
  maxConnectionsPerAddress?: number;
  /** Largest request header section in bytes; larger gets 431 (SRV-07). node default 16 KiB. */
  maxHeaderSize?: number;
  /**
   * WebSocket connections (spec 20, ADP-NODE-20): the limits, each with its default
   * (`maxMessageSize` 16 MiB, `highWaterMark` 1 MiB, `pingInterval` and `pingTimeout` 20 s),
   * or `false` to leave `tsgix.websocket` out of environ and answer upgrades as plain requests.
   */
  websocket?: WebSocketLimits | false;
}

/** Options for `ServerHandle.close`. */
export interface CloseOptions {
  /**
   * How long in-flight requests may take, in ms. After it their `tsgi.signal` is aborted and
   * their connections are destroyed (ENV-24).
   */
  timeout?: number;
}

/** A listening server, as returned by `serve`. */
export interface ServerHandle {
  /** The underlying `node:http`, `node:https` or (with HTTP/2) `node:http2` server. */
  readonly server: HttpServer | HttpsServer | Http2SecureServer | Http2Server;
  /**
   * Where it listens: `http://127.0.0.1:8000`, `https://[::1]:8443` or `unix:/path/to.sock`
   * (with `fd`, the inherited socket's address).
   */
  readonly url: string;
  /**
   * Graceful shutdown: stop accepting, close idle keep-alive connections, let in-flight requests
   * finish (up to the timeout), then abort and destroy what is left. Idempotent.
   */
  close(options?: CloseOptions): Promise<void>;
}
