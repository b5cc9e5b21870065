// TSGI: `serve` from @tsgi/node with a plain TSGI application per workload (tsgi-apps.mjs).
import { host, port, ready } from './common.mjs';
import { tsgiApp } from './tsgi-apps.mjs';

// BENCH_TSGI_NODE=/path/to/dist/index.js runs a scratch copy of the adapter instead (see README).
const { serve } = await import(process.env.BENCH_TSGI_NODE || '@tsgi/node');

const handle = await serve(tsgiApp('tsgi-node'), { host, port });
ready(Number(new URL(handle.url).port));
