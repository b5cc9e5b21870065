// Express 5 through @tsgi/node-bridge's fromNodeHandler on @tsgi/fastcgi (`tsgi fastcgi`), on
// the Unix socket $SOCKET behind nginx's fastcgi_pass (scenarios/express.mjs, issue 19).
import { serveFastCGI } from '@tsgi/fastcgi';
import { fromNodeHandler } from '@tsgi/node-bridge';
import { listenOptions, ready, workload } from './common.mjs';
import { expressApp } from './express-app.mjs';

const server = await serveFastCGI(fromNodeHandler(expressApp(workload)), {
  ...listenOptions,
  errors: () => {},
});
ready(server.address.kind === 'tcp' ? server.address.port : 0);
