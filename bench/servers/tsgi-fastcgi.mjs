// TSGI over FastCGI: serveFastCGI from @tsgi/fastcgi, one process, the node:http apps' bodies.
import { chunks, HELLO, listenOptions, ready, workload } from './common.mjs';

// BENCH_TSGI_FASTCGI=/path/to/dist/index.js runs a scratch copy of the adapter instead (see README).
const { serveFastCGI } = await import(process.env.BENCH_TSGI_FASTCGI || '@tsgi/fastcgi');

const apps = {
  hello: (_environ, startResponse) => {
    startResponse('200 OK', [['content-type', 'text/plain']]);
    return [HELLO];
  },
  stream: (_environ, startResponse) => {
    startResponse('200 OK', [['content-type', 'application/octet-stream']]);
    return chunks();
  },
};
if (!(workload in apps)) throw new Error(`tsgi-fastcgi serves hello and stream, not ${workload}`);

const server = await serveFastCGI(apps[workload], { ...listenOptions, errors: () => {} });
ready(server.address.kind === 'tcp' ? server.address.port : 0);
