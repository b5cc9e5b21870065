// Baseline variant: plain node:http ending hello world with a string, the other idiomatic form.
// node:http sends a string body in one write with the head, a Uint8Array beside it with writev
// (raw.mjs), and the two differ by more than TSGI's own overhead (bench/node-overhead.mjs).
import { createServer } from 'node:http';
import { host, port, ready, workload } from './common.mjs';

if (workload !== 'hello') throw new Error(`raw-string serves hello only, not ${workload}`);
const BODY = 'Hello, World!';
const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': BODY.length });
  res.end(BODY);
});
server.listen(port, host, () => ready(server.address().port));
