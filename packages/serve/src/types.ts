/**
 * `@tsgi/serve`: one `serve(app)` for every TypeScript runtime. The package's export conditions
 * pick the file (as srvx does): `bun` → bun.ts (`Bun.serve`), `deno` → deno.ts (`Deno.serve`),
 * `workerd` → workerd.ts (a module worker's `{ fetch }`), `node` and anything else → node.ts
 * (`@tsgi/node`). Each is a thin adapter: the runtime's server and `toFetch` or `@tsgi/node`
 * build environ and move bytes; the one response engine of `@tsgi/core` does the rest.
 * This file holds the types every entry shares.
 * @module
 */
import type { Application, WebSocketLimits } from '@tsgi/core';
import type { ToFetchOptions } from '@tsgi/fetch';

/** The runtimes `serve` runs on. */
export type Runtime = 'bun' | 'deno' | 'workerd' | 'node';

/** Options for `serve`, the same on every runtime. */
export interface ServeOptions
  extends Pick<
    ToFetchOptions,
    'scriptName' | 'environ' | 'maxBodySize' | 'errors' | 'exposeErrors' | 'software'
  > {
  /** Interface to listen on. Default `127.0.0.1` (workerd: the config's socket decides). */
  hostname?: string;
  /** Port; 0 picks a free one. Default 8000 (workerd: the config's socket decides). */
  port?: number;
  /** TLS certificate and key, PEM (Bun, Deno, node); the scheme becomes `https` (ENV-19). */
  tls?: { cert: string; key: string };
  /**
   * WebSocket limits (spec 20: `maxMessageSize` 16 MiB, `highWaterMark` 1 MiB, `pingInterval`
   * and `pingTimeout` 20 s), or `false` to leave `tsgix.websocket` out. Bun, Deno and node
   * carry WebSockets; workerd does not (the key is absent there).
   */
  websocket?: WebSocketLimits | false;
}

/** A running server. */
export interface TsgiServer {
  /** The runtime serving. */
  readonly runtime: Runtime;
  /** `http://127.0.0.1:8000`; on workerd, where the config's socket decides, `undefined`. */
  readonly url: string | undefined;
  /**
   * The fetch handler (a module worker's `export default server` uses it; Bun and Deno
   * already call it): `(request, info?) => Response | Promise<Response>`.
   */
  readonly fetch: (request: Request, info?: unknown) => Response | Promise<Response>;
  /** Stops listening and lets in-flight requests finish. Idempotent; nothing on workerd. */
  close(): Promise<void>;
}

/**
 * Serves `app` on the runtime this module was loaded on (see the module comment). Resolves once
 * the server listens.
 */
export declare function serve(app: Application, options?: ServeOptions): Promise<TsgiServer>;
