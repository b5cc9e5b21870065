// Hono on @hono/node-server.
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { bigChunks, chunks, HELLO, host, port, ready, webStream, workload } from './common.mjs';

const OCTETS = { 'content-type': 'application/octet-stream' };
const handlers = {
  hello: (c) => c.body(HELLO, 200, { 'content-type': 'text/plain' }),
  stream: (c) => c.body(webStream(chunks()), 200, OCTETS),
  echo: (c) => c.body(c.req.raw.body, 200, OCTETS),
  big: (c) => c.body(webStream(bigChunks()), 200, OCTETS),
};

const app = new Hono();
app.all('*', handlers[workload]);
serve({ fetch: app.fetch, hostname: host, port }, (info) => ready(info.port));
