/**
 * `serve(app)` on Bun: `Bun.serve` with `toFetch`. Bun calls the handler with its `Server`, from
 * which `toFetch` takes REMOTE_ADDR and REMOTE_PORT (`server.requestIP`, ENV-17); a whole body
 * is answered with `new Response(bytes)`, Bun's fastest path.
 * @module
 */
import type { Application } from '@tsgi/core';
import { toFetch } from '@tsgi/fetch';
import { DEFAULT_HOSTNAME, DEFAULT_PORT, fetchOptions, urlOf } from './_options.js';
import { bunWebSockets, goingAway } from './_websocket.js';
import type { ServeOptions, TsgiServer } from './types.js';

export type { Runtime, ServeOptions, TsgiServer } from './types.js';

/** The part of Bun's API used here (the package does not depend on bun-types). */
interface _Bun {
  version: string;
  serve(options: {
    hostname: string;
    port: number;
    tls?: { cert: string; key: string };
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
    websocket?: object;
  }): { port: number; stop(closeActiveConnections?: boolean): Promise<void> | void };
}

/** Serves `app` with `Bun.serve`; resolves once it listens. */
export async function serve(app: Application, options: ServeOptions = {}): Promise<TsgiServer> {
  const bun = (globalThis as { Bun?: _Bun }).Bun;
  if (bun === undefined) throw new Error('@tsgi/serve/bun: Bun.serve is not available here');
  // Spec 20: WebSockets unless turned off (ADP-FETCH-12).
  const ws = options.websocket === false ? undefined : bunWebSockets(options.websocket ?? {});
  const fetch = toFetch(app, {
    ...fetchOptions(options, `Bun/${bun.version}`),
    ...(ws !== undefined ? { websocket: ws.upgrader } : {}),
  });
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  const server = bun.serve({
    hostname,
    port: options.port ?? DEFAULT_PORT,
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    fetch,
    ...(ws !== undefined ? { websocket: ws.handlers } : {}),
  });
  let closed: Promise<void> | undefined;
  return {
    runtime: 'bun',
    url: urlOf(options.tls !== undefined ? 'https' : 'http', hostname, server.port),
    fetch,
    close() {
      // Not forced: in-flight requests finish (BODY-16).
      if (ws !== undefined) goingAway(ws.upgrader); // WS-16: 1001
      closed ??= Promise.resolve(server.stop(false));
      return closed;
    },
  };
}
