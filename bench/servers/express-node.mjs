// Express 5 on its own node:http (`app.listen`): the baseline of scenarios/express.mjs.

import { host, port, ready, workload } from './common.mjs';
import { expressApp } from './express-app.mjs';

const server = expressApp(workload).listen(port, host, () => ready(server.address().port));
