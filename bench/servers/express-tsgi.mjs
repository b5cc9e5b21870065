// Express 5 through @tsgi/node-bridge's fromNodeHandler on @tsgi/node's serve (`tsgi serve`):
// the same app as express-node.mjs, unmodified (issue 19).

import { serve } from '@tsgi/node';
import { fromNodeHandler } from '@tsgi/node-bridge';
import { host, port, ready, workload } from './common.mjs';
import { expressApp } from './express-app.mjs';

const handle = await serve(fromNodeHandler(expressApp(workload)), { host, port });
ready(Number(new URL(handle.url).port));
