// TSGI: `serve` from @tsgi/node with a plain TSGI application per workload.
import { bigChunks, chunks, HELLO, host, port, ready, workload } from './common.mjs';

// BENCH_TSGI_NODE=/path/to/dist/index.js runs a scratch copy of the adapter instead (see README).
const { serve } = await import(process.env.BENCH_TSGI_NODE || '@tsgi/node');

const TEXT = [['content-type', 'text/plain']];
const OCTETS = [['content-type', 'application/octet-stream']];
const apps = {
  // An Array body: the engine knows the length and frames it with Content-Length.
  hello: (_environ, startResponse) => {
    startResponse('200 OK', TEXT);
    return [HELLO];
  },
  stream: (_environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return chunks();
  },
  // tsgi.input is an AsyncIterable<Uint8Array>: the request body is the response body.
  echo: (environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return environ['tsgi.input'];
  },
  big: (_environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return bigChunks();
  },
};

const handle = await serve(apps[workload], { host, port });
ready(Number(new URL(handle.url).port));
