// The npm `node-fastcgi` package (an http.createServer look-alike over FastCGI), one process.
import fcgi from 'node-fastcgi';
import { CHUNK, CHUNKS, HELLO, listenOptions, ready, socketPath, workload } from './common.mjs';

const HELLO_BUF = Buffer.from(HELLO);
const handlers = {
  hello(_req, res) {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': HELLO_BUF.length });
    res.end(HELLO_BUF);
  },
  stream(_req, res) {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    for (let i = 0; i < CHUNKS; i++) res.write(CHUNK);
    res.end();
  },
};
if (!(workload in handlers))
  throw new Error(`node-fastcgi serves hello and stream, not ${workload}`);

const server = fcgi.createServer(handlers[workload]);
server.listen(listenOptions, () => ready(socketPath ? 0 : server.address().port));
