/**
 * A Fastify 5 app written as Fastify's docs teach (route shorthands, a plugin registered with a
 * `prefix`, `reply.header`, a custom `serverFactory` handing Fastify's request handler to the
 * caller), served unmodified through `fromNodeHandler`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { fromNodeHandler } from '@tsgi/node-bridge';
import Fastify from 'fastify';

let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;

// Fastify's "Server" reference, `serverFactory`: the handler is Fastify's routing function.
export const app = Fastify({
  serverFactory: (h) => {
    handler = h;
    return createServer(h);
  },
});

app.get('/', async (_request, reply) => {
  reply.type('text/plain; charset=utf-8');
  return 'Hello from Fastify on TSGI\n';
});

app.all('/echo', async (request) => ({
  method: request.method,
  path: request.url.split('?')[0],
  query: request.query,
  header: request.headers['x-echo'] ?? null,
  body: typeof request.body === 'string' ? request.body : '',
}));

app.get('/stream', async (_request, reply) => {
  reply.type('text/plain; charset=utf-8');
  return reply.send(
    Readable.from(
      (async function* () {
        for (let i = 1; i <= 3; i++) {
          yield `chunk ${i}\n`;
          if (i < 3) await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })(),
    ),
  );
});

app.get('/cookies', async (_request, reply) => {
  reply.header('set-cookie', ['a=1; Path=/', 'b=2; Path=/; HttpOnly']);
  reply.type('text/plain; charset=utf-8');
  return 'cookies set\n';
});

app.get<{ Params: { id: string } }>('/users/:id', async (request) => ({ id: request.params.id }));

app.get('/error', async () => {
  throw new Error('boom');
});

await app.register(
  async (api) => {
    api.get('/hello', async (request) => ({ url: request.url }));
  },
  { prefix: '/api' },
);

await app.ready();
if (handler === undefined) throw new Error('fastify: serverFactory was not called');

export default fromNodeHandler(handler);
