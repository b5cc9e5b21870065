/** Options and address types of the SCGI server. */
import type { GatewayServerOptions, ListenAddress } from '@tsgi/server-node';

/**
 * Options for `createSCGIServer` and `serveSCGI`. `port`, `host`, `path`, `environ`,
 * `exposeErrors`, `maxBodySize` and `multiprocess` are the gateway options of
 * `@tsgi/server-node`, and `socketMode`, `socketOwner`, `socketGroup`, `shutdownTimeout` and
 * `signals` its lifecycle options: the same as `serveFastCGI`'s.
 */
export interface SCGIServerOptions extends GatewayServerOptions {
  /**
   * An inherited listening socket. When none of `port`, `path` and `fd` is given, fd 0 is used
   * if it is a socket (ADP-SCGI-01), as for FastCGI.
   */
  fd?: number;
  /**
   * The mount point (ADP-SCGI-05): SCRIPT_NAME is this value and PATH_INFO the rest of the
   * decoded REQUEST_URI path, whatever the front end sent. Without it, a front end's
   * SCRIPT_NAME/PATH_INFO are used when it sends them (lighttpd, Apache), else (nginx sends
   * neither) SCRIPT_NAME is `''` and PATH_INFO the decoded REQUEST_URI path.
   */
  scriptName?: string;
  /**
   * Where diagnostics (refused and malformed requests) and `tsgi.errors` text go: SCGI has no
   * error channel to the front end (ADP-SCGI-09). Default: process.stderr.
   */
  errors?: (text: string) => void;
  /** Largest netstring of headers, in bytes (ADP-SCGI-03); more is refused. Default 65536. */
  maxHeaderSize?: number;
  /** Most concurrent connections, that is requests (ADP-SCGI-01); more are closed at once. Default 1024. */
  maxConns?: number;
  /**
   * Milliseconds the front end may leave the connection silent while the request (netstring or
   * body) is incomplete (ADP-SCGI-03); then the connection is refused and closed. Not applied
   * while the application holds the body back (backpressure), nor once the request is read.
   * Default 30 000.
   */
  readTimeout?: number;
}

/** Where a server listens. */
export type SCGIAddress = ListenAddress;

/** Options for `SCGIServer.close`. */
export interface CloseOptions {
  /** Milliseconds to let running requests finish before aborting them. Default `shutdownTimeout`. */
  timeout?: number;
}
