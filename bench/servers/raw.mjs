// Baseline: plain node:http, the fastest idiomatic code for each workload.
import { createServer } from 'node:http';
import { bigChunks, CHUNK, CHUNKS, HELLO, host, port, ready, workload } from './common.mjs';

const OCTETS = { 'content-type': 'application/octet-stream' };
const handlers = {
  hello(_req, res) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': HELLO.length });
    res.end(HELLO);
  },
  stream(_req, res) {
    res.writeHead(200, OCTETS);
    for (let i = 0; i < CHUNKS; i++) res.write(CHUNK);
    res.end();
  },
  echo(req, res) {
    res.writeHead(200, OCTETS);
    req.pipe(res);
  },
  async big(_req, res) {
    res.writeHead(200, OCTETS);
    for (const chunk of bigChunks()) {
      if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  },
};

const server = createServer(handlers[workload]);
server.listen(port, host, () => ready(server.address().port));
