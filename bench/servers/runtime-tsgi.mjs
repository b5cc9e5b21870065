// TSGI on Bun or Deno: `serve` from @tsgi/serve (Bun.serve or Deno.serve with the toFetch bridge
// and core's engine), the same applications as tsgi-node.mjs. Run by bench/runtimes.mjs.
import { chunks, HELLO, host, port, ready, workload } from './common.mjs';

const runtime = globalThis.Bun !== undefined ? 'bun' : 'deno';
const { serve } = await import(`../../packages/serve/dist/${runtime}.js`);

const TEXT = [['content-type', 'text/plain']];
const OCTETS = [['content-type', 'application/octet-stream']];
const apps = {
  hello: (_environ, startResponse) => {
    startResponse('200 OK', TEXT);
    return [HELLO];
  },
  stream: (_environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return chunks();
  },
  echo: (environ, startResponse) => {
    startResponse('200 OK', OCTETS);
    return environ['tsgi.input'];
  },
};

const server = await serve(apps[workload], { hostname: host, port });
ready(Number(new URL(server.url).port));
