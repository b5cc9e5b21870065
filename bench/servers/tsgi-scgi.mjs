// TSGI over SCGI: serveSCGI from @tsgi/scgi, one process, the node:http apps' bodies.
import { listenOptions, ready } from './common.mjs';
import { tsgiApp } from './tsgi-apps.mjs';

const { serveSCGI } = await import('@tsgi/scgi');

const app = tsgiApp('tsgi-scgi', ['hello', 'stream']);
const server = await serveSCGI(app, { ...listenOptions, errors: () => {} });
ready(server.address.kind === 'tcp' ? server.address.port : 0);
