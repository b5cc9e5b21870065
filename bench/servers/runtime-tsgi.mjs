// TSGI on Bun or Deno: `serve` from @tsgi/serve (Bun.serve or Deno.serve with the toFetch bridge
// and core's engine), the same applications as tsgi-node.mjs. Run by bench/runtimes.mjs.
import { host, port, ready } from './common.mjs';
import { tsgiApp } from './tsgi-apps.mjs';

const runtime = globalThis.Bun !== undefined ? 'bun' : 'deno';
const { serve } = await import(`../../packages/serve/dist/${runtime}.js`);

const app = tsgiApp('runtime-tsgi', ['hello', 'stream', 'echo']);
const server = await serve(app, { hostname: host, port });
ready(Number(new URL(server.url).port));
