// Express 5 on its own node:http (`app.listen`): the baseline of scenarios/express.mjs, on
// 127.0.0.1 or, behind nginx's proxy_pass, on the Unix socket $SOCKET.

import { listenOptions, ready, workload } from './common.mjs';
import { expressApp } from './express-app.mjs';

const server = expressApp(workload).listen(listenOptions, () => {
  const address = server.address();
  ready(typeof address === 'object' && address !== null ? address.port : 0);
});
