/**
 * `toNodeHandler`: a TSGI application as a node `(req, res)` handler, to mount inside Express,
 * Koa or Fastify as a route or middleware. It is `@tsgi/node`'s `createRequestListener`, the very
 * listener `serve()` uses, so the application sees what it sees on `tsgi serve`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Application } from '@tsgi/core';
import { createRequestListener, type ListenerOptions } from '@tsgi/node';

/** A node request listener that runs a TSGI application. */
export type TsgiNodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Wraps a TSGI application as a node request listener.
 *
 * ```ts
 * app.use('/tsgi', toNodeHandler(tsgiApp, { scriptName: '/tsgi' })); // Express
 * ```
 *
 * Pass the mount path as `scriptName`: SCRIPT_NAME is then that prefix and PATH_INFO the rest
 * (ENV-04); under Express, whose mounting strips the prefix from `req.url`, the whole path is
 * taken from `req.originalUrl`. Without it, PATH_INFO is `req.url` as the framework left it.
 * Response fields set by middleware before the handler (`setHeader`) are kept, joined by the
 * application's (a name the application sends replaces the middleware's, as in node). The request body must still be unread: mount it before body-parsing middleware (in
 * Fastify, `reply.hijack()` and a content-type parser that leaves the body alone).
 */
export function toNodeHandler(app: Application, options: ListenerOptions = {}): TsgiNodeHandler {
  const listener = createRequestListener(app, options);
  const prefix = options.scriptName ?? '';
  return (req, res) => {
    // Express hands a mounted handler `req.url` without the mount path; the listener splits
    // SCRIPT_NAME from the whole path (ENV-04), which `req.originalUrl` still has.
    const original = (req as { originalUrl?: unknown }).originalUrl;
    if (prefix !== '' && typeof original === 'string' && original.startsWith(prefix))
      req.url = original;
    // Middleware before us may have called setHeader (Express's X-Powered-By, CORS): node's
    // writeHead then takes only a flat [name, value, ...] list and keeps one value per name, so
    // the listener's tuple list would be refused. Its fields join those, repeated names intact.
    if (res.getHeaderNames().length > 0) res.writeHead = _mergingWriteHead(res);
    listener(req, res);
  };
}

type _WriteHead = ServerResponse['writeHead'];

function _mergingWriteHead(res: ServerResponse): _WriteHead {
  const writeHead = res.writeHead;
  return function (this: ServerResponse, code: number, ...rest: unknown[]) {
    const [reason, headers] = rest;
    if (typeof reason !== 'string' || !Array.isArray(headers) || !Array.isArray(headers[0]))
      return (writeHead as (...a: unknown[]) => ServerResponse).call(this, code, ...rest);
    const fields = new Map<string, { name: string; values: string[] }>();
    for (const [name, value] of headers as Array<[string, string]>) {
      const key = name.toLowerCase();
      const f = fields.get(key);
      if (f === undefined) fields.set(key, { name, values: [value] });
      else f.values.push(value);
    }
    // SR-03: a name the application sends replaces the middleware's, as in node's writeHead.
    for (const { name, values } of fields.values())
      this.setHeader(name, values.length === 1 ? (values[0] as string) : values);
    return (writeHead as (...a: unknown[]) => ServerResponse).call(this, code, reason);
  } as _WriteHead;
}
