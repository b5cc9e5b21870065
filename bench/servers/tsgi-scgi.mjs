// TSGI over SCGI: serveSCGI from @tsgi/scgi, one process, the node:http apps' bodies.
import { chunks, HELLO, listenOptions, ready, workload } from './common.mjs';

const { serveSCGI } = await import('@tsgi/scgi');

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
if (!(workload in apps)) throw new Error(`tsgi-scgi serves hello and stream, not ${workload}`);

const server = await serveSCGI(apps[workload], { ...listenOptions, errors: () => {} });
ready(server.address.kind === 'tcp' ? server.address.port : 0);
