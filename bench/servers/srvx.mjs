// srvx (fetch-style handler on node:http), with its FastResponse as its docs advise for Node.
import { FastResponse as Response, serve } from 'srvx';
import { bigChunks, chunks, HELLO, host, port, ready, webStream, workload } from './common.mjs';

const TEXT = { 'content-type': 'text/plain' };
const OCTETS = { 'content-type': 'application/octet-stream' };
const handlers = {
  hello: () => new Response(HELLO, { headers: TEXT }),
  stream: () => new Response(webStream(chunks()), { headers: OCTETS }),
  echo: (req) => new Response(req.body, { headers: OCTETS }),
  big: () => new Response(webStream(bigChunks()), { headers: OCTETS }),
};

const server = serve({ fetch: handlers[workload], hostname: host, port, silent: true });
await server.ready();
ready(Number(new URL(server.url).port));
