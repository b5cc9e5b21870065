/**
 * `toNodeHandler`: a TSGI application mounted inside Express, Koa and Fastify apps that serve
 * themselves on plain node:http. It is `@tsgi/node`'s `createRequestListener`, so environ is what
 * `tsgi serve` gives, with SCRIPT_NAME from the `scriptName` option (ENV-04).
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import type { Application } from '@tsgi/core';
import { toNodeHandler } from '@tsgi/node-bridge';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { describe, expect, it } from 'vitest';

const tsgiApp: Application = async (environ, startResponse) => {
  let body = '';
  for await (const c of environ['tsgi.input']) body += Buffer.from(c).toString();
  startResponse('200 OK', [['content-type', 'application/json']]);
  const out = {
    script: environ.SCRIPT_NAME,
    path: environ.PATH_INFO,
    query: environ.QUERY_STRING,
    body,
  };
  return [Buffer.from(JSON.stringify(out))];
};

async function ask(server: http.Server, path: string, body?: string): Promise<unknown> {
  await once(server.listen(0, '127.0.0.1'), 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body }),
    });
    return await res.json();
  } finally {
    server.close();
  }
}

describe('toNodeHandler: a TSGI app inside node frameworks', () => {
  it('ENV-04: Express app.use(prefix, toNodeHandler(app, { scriptName })) gives SCRIPT_NAME and PATH_INFO', async () => {
    const app = express();
    app.use('/tsgi', toNodeHandler(tsgiApp, { scriptName: '/tsgi' }));
    expect(await ask(http.createServer(app), '/tsgi/a/b?x=1', 'posted')).toEqual({
      script: '/tsgi',
      path: '/a/b',
      query: 'x=1',
      body: 'posted',
    });
  });

  it('ENV-05: a Koa route hands ctx.req and ctx.res over (ctx.respond = false)', async () => {
    const app = new Koa();
    const router = new Router();
    const handler = toNodeHandler(tsgiApp);
    router.all('/tsgi/{*rest}', (ctx) => {
      ctx.respond = false;
      handler(ctx.req, ctx.res);
    });
    app.use(router.routes());
    expect(await ask(http.createServer(app.callback()), '/tsgi/k?y=2')).toEqual({
      script: '',
      path: '/tsgi/k',
      query: 'y=2',
      body: '',
    });
  });

  it('ENV-05: a Fastify route hands request.raw and reply.raw over (reply.hijack())', async () => {
    let server: http.Server | undefined;
    const app = Fastify({
      serverFactory: (h) => {
        server = http.createServer(h);
        return server;
      },
    });
    const handler = toNodeHandler(tsgiApp);
    app.get('/tsgi/*', (request, reply) => {
      reply.hijack();
      handler(request.raw, reply.raw);
    });
    await app.ready();
    if (server === undefined) throw new Error('no server');
    expect(await ask(server, '/tsgi/f?z=3')).toEqual({
      script: '',
      path: '/tsgi/f',
      query: 'z=3',
      body: '',
    });
  });
});
