// Baseline on Bun or Deno: the runtime's own server (Bun.serve, Deno.serve) with the fastest
// idiomatic fetch handler per workload. Run by bench/runtimes.mjs with `bun` or `deno run -A`.
import { CHUNK, CHUNKS, HELLO, host, port, ready, workload } from './common.mjs';

const TEXT = { 'content-type': 'text/plain' };
const OCTETS = { 'content-type': 'application/octet-stream' };
const handlers = {
  hello: () => new Response(HELLO, { headers: TEXT }),
  stream: () => {
    let i = 0;
    const body = new ReadableStream({
      pull(c) {
        if (i++ < CHUNKS) c.enqueue(CHUNK);
        else c.close();
      },
    });
    return new Response(body, { headers: OCTETS });
  },
  echo: (request) => new Response(request.body, { headers: OCTETS }),
};

// BENCH_READ=1: the hello handler also reads what any environ is built from (the URL, every
// header, the peer address), which the plain baseline never touches and the runtimes materialise
// lazily: the floor of a gateway interface on that runtime.
const read = (request, info) => {
  const url = new URL(request.url);
  request.headers.forEach(() => {});
  const peer = typeof info?.requestIP === 'function' ? info.requestIP(request) : info?.remoteAddr;
  return url.pathname !== '' && peer !== undefined ? handlers.hello() : undefined;
};
const handler = process.env.BENCH_READ === '1' && workload === 'hello' ? read : handlers[workload];
if (globalThis.Bun !== undefined) {
  const server = Bun.serve({ hostname: host, port, fetch: handler });
  ready(server.port);
} else {
  const server = Deno.serve({ hostname: host, port, onListen() {} }, handler);
  ready(server.addr.port);
}
