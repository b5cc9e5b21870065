/**
 * `serve(app)` on Deno: `Deno.serve` with `toFetch`. Deno calls the handler with its info object,
 * from which `toFetch` takes REMOTE_ADDR and REMOTE_PORT (`info.remoteAddr`, ENV-17); a whole body
 * is answered with `new Response(bytes)`, Deno's fastest path, and `request.signal` is only
 * subscribed for a request still running (Deno's legacy abort fires after every response).
 * @module
 */
import type { Application } from '@tsgi/core';
import { toFetch } from '@tsgi/fetch';
import { DEFAULT_HOSTNAME, DEFAULT_PORT, fetchOptions, urlOf } from './_options.js';
import { denoWebSockets, goingAway } from './_websocket.js';
import type { ServeOptions, TsgiServer } from './types.js';

export type { Runtime, ServeOptions, TsgiServer } from './types.js';

/** The part of Deno's API used here (the package does not depend on Deno's types). */
interface _Deno {
  version: { deno: string };
  serve(
    options: {
      hostname: string;
      port: number;
      cert?: string;
      key?: string;
      onListen?: (addr: { port: number }) => void;
    },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
  upgradeWebSocket: Parameters<typeof denoWebSockets>[1];
}

/** Serves `app` with `Deno.serve`; resolves once it listens. */
export async function serve(app: Application, options: ServeOptions = {}): Promise<TsgiServer> {
  const deno = (globalThis as { Deno?: _Deno }).Deno;
  if (deno === undefined) throw new Error('@tsgi/serve/deno: Deno.serve is not available here');
  // Spec 20: WebSockets unless turned off (ADP-FETCH-12).
  const ws =
    options.websocket === false
      ? undefined
      : denoWebSockets(options.websocket ?? {}, deno.upgradeWebSocket.bind(deno));
  const fetch = toFetch(app, {
    ...fetchOptions(options, `Deno/${deno.version.deno}`),
    ...(ws !== undefined ? { websocket: ws } : {}),
  });
  const hostname = options.hostname ?? DEFAULT_HOSTNAME;
  const server = deno.serve(
    {
      hostname,
      port: options.port ?? DEFAULT_PORT,
      ...(options.tls !== undefined ? { cert: options.tls.cert, key: options.tls.key } : {}),
      onListen() {}, // Deno's default prints a line to stdout, which a CGI-minded host may not want
    },
    fetch,
  );
  let closed: Promise<void> | undefined;
  return {
    runtime: 'deno',
    url: urlOf(options.tls !== undefined ? 'https' : 'http', hostname, server.addr.port),
    fetch,
    close() {
      if (ws !== undefined) goingAway(ws); // WS-16: 1001
      closed ??= server.shutdown();
      return closed;
    },
  };
}
