// TSGI over HTTP/2 for the HTTP/2 bench (http2.mjs): `serve` from @tsgi/node with TLS (HTTP/2
// and HTTP/1.1 by ALPN, its default) and the same TSGI application as every other subject.
import { readFileSync } from 'node:fs';
import { host, port, ready } from './common.mjs';
import { tsgiApp } from './tsgi-apps.mjs';

const { serve } = await import(process.env.BENCH_TSGI_NODE || '@tsgi/node');
const tls = { key: readFileSync(process.env.TLS_KEY), cert: readFileSync(process.env.TLS_CERT) };
const handle = await serve(tsgiApp('tsgi-node-h2', ['hello', 'stream']), { host, port, tls });
ready(Number(new URL(handle.url).port));
