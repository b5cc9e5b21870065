/**
 * A Koa 3 app with @koa/router, written as their READMEs teach (`router.routes()`,
 * `router.allowedMethods()`, nested routers with a prefix, `ctx.cookies`), served unmodified
 * through `fromNodeHandler(app.callback())`.
 */
import Router from '@koa/router';
import { fromNodeHandler } from '@tsgi/node-bridge';
import Koa from 'koa';

export const app = new Koa();
// Koa logs errors to stderr unless the app listens for 'error' (koajs.com, "Error handling").
app.on('error', () => {});

const router = new Router();

router.get('/', (ctx) => {
  ctx.body = 'Hello from Koa on TSGI\n';
});

router.all('/echo', async (ctx) => {
  const chunks: Buffer[] = [];
  for await (const chunk of ctx.req) chunks.push(chunk as Buffer);
  ctx.body = {
    method: ctx.method,
    path: ctx.path,
    query: ctx.query,
    header: ctx.get('x-echo') || null,
    body: Buffer.concat(chunks).toString('utf8'),
  };
});

router.get('/stream', async (ctx) => {
  ctx.type = 'text/plain';
  const { Readable } = await import('node:stream');
  ctx.body = Readable.from(
    (async function* () {
      for (let i = 1; i <= 3; i++) {
        yield `chunk ${i}\n`;
        if (i < 3) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })(),
  );
});

router.get('/cookies', (ctx) => {
  ctx.cookies.set('a', '1', { httpOnly: false });
  ctx.cookies.set('b', '2');
  ctx.body = 'cookies set\n';
});

router.get('/users/:id', (ctx) => {
  ctx.body = { id: ctx.params.id };
});

router.get('/error', () => {
  throw new Error('boom');
});

const api = new Router({ prefix: '/api' });
api.get('/hello', (ctx) => {
  ctx.body = { path: ctx.path, originalUrl: ctx.originalUrl };
});

app.use(router.routes()).use(router.allowedMethods());
app.use(api.routes()).use(api.allowedMethods());

export default fromNodeHandler(app.callback());
