/** Options and address types of the SCGI server. */
import type { LifecycleOptions, ListenAddress } from '@tsgi/server-node';

/**
 * Options for `createSCGIServer` and `serveSCGI`. The unix socket's `socketMode`, `socketOwner`
 * and `socketGroup`, `shutdownTimeout` and `signals` are the shared lifecycle options of
 * `@tsgi/server-node`, the same as `serveFastCGI`'s.
 */
export interface SCGIServerOptions extends LifecycleOptions {
  /** TCP port to listen on (0 picks a free one). */
  port?: number;
  /** TCP address to listen on with `port`, IPv4 or IPv6. Default `127.0.0.1`. */
  host?: string;
  /** Unix socket path to listen on (a stale socket file is replaced). */
  path?: string;
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
   * Extra environ keys for every request (SRV-03), checked once at setup by core (SRV-11): a key
   * naming request data throws a `TypeError` naming it.
   */
  environ?: Readonly<Record<string, unknown>>;
  /**
   * Where diagnostics (refused and malformed requests) and `tsgi.errors` text go: SCGI has no
   * error channel to the front end (ADP-SCGI-09). Default: process.stderr.
   */
  errors?: (text: string) => void;
  /** Put the error's stack in 500 bodies (development only; ERR-02). Default false. */
  exposeErrors?: boolean;
  /** Largest netstring of headers, in bytes (ADP-SCGI-03); more is refused. Default 65536. */
  maxHeaderSize?: number;
  /**
   * Largest request body accepted, in bytes (IN-08, SRV-05): a larger CONTENT_LENGTH is answered
   * `413` by core without invoking the application. Default: no limit.
   */
  maxBodySize?: number;
  /** Most concurrent connections, that is requests (ADP-SCGI-01); more are closed at once. Default 1024. */
  maxConns?: number;
  /**
   * Milliseconds the front end may leave the connection silent while the request (netstring or
   * body) is incomplete (ADP-SCGI-03); then the connection is refused and closed. Not applied
   * while the application holds the body back (backpressure), nor once the request is read.
   * Default 30 000.
   */
  readTimeout?: number;
  /** Value of `tsgi.multiprocess` (true when several worker processes serve the application). */
  multiprocess?: boolean;
}

/** Where a server listens. */
export type SCGIAddress = ListenAddress;

/** Options for `SCGIServer.close`. */
export interface CloseOptions {
  /** Milliseconds to let running requests finish before aborting them. Default `shutdownTimeout`. */
  timeout?: number;
}
