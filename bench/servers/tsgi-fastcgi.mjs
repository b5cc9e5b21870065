// TSGI over FastCGI: serveFastCGI from @tsgi/fastcgi, one process, the node:http apps' bodies.
import { listenOptions, ready } from './common.mjs';
import { tsgiApp } from './tsgi-apps.mjs';

// BENCH_TSGI_FASTCGI=/path/to/dist/index.js runs a scratch copy of the adapter instead (see README).
const { serveFastCGI } = await import(process.env.BENCH_TSGI_FASTCGI || '@tsgi/fastcgi');

const app = tsgiApp('tsgi-fastcgi', ['hello', 'stream']);
const server = await serveFastCGI(app, { ...listenOptions, errors: () => {} });
ready(server.address.kind === 'tcp' ? server.address.port : 0);
