/**
 * `serve(app)` on Node.js: `@tsgi/node` (node:http), the reference server, which sees what the
 * fetch runtimes hide (raw headers, the HTTP version, the raw request-target). `fetch` is the
 * `toFetch` bridge, for hosts that want a fetch handler on Node too.
 * @module
 */
import type { Application } from '@tsgi/core';
import { toFetch } from '@tsgi/fetch';
import { serve as serveNode } from '@tsgi/node';
import { DEFAULT_HOSTNAME, DEFAULT_PORT, fetchOptions } from './_options.js';
import type { ServeOptions, TsgiServer } from './types.js';

export type { Runtime, ServeOptions, TsgiServer } from './types.js';

/** Serves `app` with `@tsgi/node`; resolves once it listens. */
export async function serve(app: Application, options: ServeOptions = {}): Promise<TsgiServer> {
  const errors = options.errors;
  const handle = await serveNode(app, {
    host: options.hostname ?? DEFAULT_HOSTNAME,
    port: options.port ?? DEFAULT_PORT,
    ...(options.tls !== undefined ? { tls: options.tls } : {}),
    ...(options.scriptName !== undefined ? { scriptName: options.scriptName } : {}),
    ...(options.environ !== undefined ? { environ: options.environ } : {}),
    ...(options.maxBodySize !== undefined ? { maxBodySize: options.maxBodySize } : {}),
    ...(options.exposeErrors !== undefined ? { exposeErrors: options.exposeErrors } : {}),
    ...(options.software !== undefined ? { serverSoftware: options.software } : {}),
    ...(options.websocket !== undefined ? { websocket: options.websocket } : {}),
    ...(errors !== undefined ? { errors: (text: string) => errors.write(text) } : {}),
  });
  let fetch: TsgiServer['fetch'] | undefined;
  return {
    runtime: 'node',
    url: handle.url,
    get fetch() {
      fetch ??= toFetch(app, fetchOptions(options, `Node.js/${process.versions.node}`));
      return fetch;
    },
    close: () => handle.close(),
  };
}
