// Baseline for the HTTP/2 bench (http2.mjs): node:http2 over TLS, the fastest idiomatic handler.
// API=stream uses the core stream API (`server.on('stream')`, which @tsgi/node builds on); the
// default is the compat API `(req, res)`, the one Express, Koa and Fastify's `http2: true` use.
// TLS_KEY/TLS_CERT are PEM file paths.
import { readFileSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { CHUNK, CHUNKS, HELLO, host, port, ready, workload } from './common.mjs';

const tls = { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT) };
const TEXT = { 'content-type': 'text/plain', 'content-length': HELLO.length };
const OCTETS = { 'content-type': 'application/octet-stream' };
const server = createSecureServer({ ...tls, allowHTTP1: true });
if (process.env.API === 'stream') {
  server.on('stream', (stream) => {
    if (workload === 'hello') {
      stream.respond({ ':status': 200, ...TEXT });
      stream.end(HELLO);
    } else {
      stream.respond({ ':status': 200, ...OCTETS });
      for (let i = 0; i < CHUNKS; i++) stream.write(CHUNK);
      stream.end();
    }
  });
} else {
  server.on('request', (_req, res) => {
    if (workload === 'hello') {
      res.writeHead(200, TEXT);
      res.end(HELLO);
    } else {
      res.writeHead(200, OCTETS);
      for (let i = 0; i < CHUNKS; i++) res.write(CHUNK);
      res.end();
    }
  });
}
server.listen(port, host, () => ready(server.address().port));
