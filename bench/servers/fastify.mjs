// Fastify (no logger, body left unparsed so it can be streamed back).
import { Readable } from 'node:stream';
import Fastify from 'fastify';
import { bigChunks, chunks, HELLO, host, port, ready, workload } from './common.mjs';

const HELLO_BUF = Buffer.from(HELLO);
const handlers = {
  hello: (_req, reply) => reply.type('text/plain').send(HELLO_BUF),
  stream: (_req, reply) => reply.type('application/octet-stream').send(Readable.from(chunks())),
  echo: (req, reply) => reply.type('application/octet-stream').send(req.raw),
  big: (_req, reply) => reply.type('application/octet-stream').send(Readable.from(bigChunks())),
};

const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
app.addContentTypeParser('*', (_req, _payload, done) => done(null));
app.all('*', handlers[workload]);
await app.listen({ host, port });
ready(app.server.address().port);
