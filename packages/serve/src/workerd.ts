/**
 * `serve(app)` on workerd (Cloudflare Workers): a module worker has no listen call, the config's
 * socket decides where it serves, so `serve` returns the object to `export default`:
 *
 * ```ts
 * import { serve } from '@tsgi/serve'; // the `workerd` condition picks this file
 * export default await serve(app);
 * ```
 *
 * workerd tells a worker nothing about the peer (its second argument is the bindings), so
 * REMOTE_ADDR is absent unless `remote` says otherwise (ENV-17 is a SHOULD; ENV-02: absent
 * rather than empty). Isolates share no state and a request that waits on another is cancelled
 * as hung: host the conformance probe stateless there.
 * @module
 */
import type { Application } from '@tsgi/core';
import { type RemoteAddress, toFetch } from '@tsgi/fetch';
import { fetchOptions } from './_options.js';
import type { ServeOptions, TsgiServer } from './types.js';

export type { Runtime, ServeOptions, TsgiServer } from './types.js';

/** Options for workerd's `serve`. */
export interface WorkerdServeOptions extends ServeOptions {
  /**
   * The client's address, e.g. from `cf-connecting-ip` behind Cloudflare's edge (which sets it);
   * on a bare workerd any client can send that header, so it is not trusted by default.
   */
  remote?: (request: Request) => RemoteAddress | undefined;
}

/** The module worker for `app`: `export default await serve(app)`. */
export async function serve(
  app: Application,
  options: WorkerdServeOptions = {},
): Promise<TsgiServer> {
  // SR-12: workerd sends no Date header of its own.
  const base = { ...fetchOptions(options, 'workerd'), date: true };
  const handler = toFetch(
    app,
    options.remote !== undefined ? { ...base, remote: options.remote } : base,
  );
  // workerd calls fetch(request, env, ctx): the bindings are no connection info, so none is passed.
  const fetch = (request: Request): Response | Promise<Response> => handler(request);
  return { runtime: 'workerd', url: undefined, fetch, close: () => Promise.resolve() };
}
