// Group express (issue 19): Express 5 on its own node:http against the same Express app through
// @tsgi/node-bridge's fromNodeHandler on @tsgi/node, hello world and a 1 MiB POST echoed
// (`req.pipe(res)`). Target: the bridge at >= 0.9x Express's own req/s.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHello, checkLength } from '../lib/checks.mjs';
import { interleave } from '../lib/measure.mjs';
import { startNodeServer } from '../lib/proc.mjs';

const SERVERS = fileURLToPath(new URL('../servers/', import.meta.url));
export const group = 'express';

/** The first subject is the baseline the ratios are taken against. */
export const subjects = [
  { id: 'express', name: 'Express 5 on node:http', script: 'express-node.mjs' },
  {
    id: 'express-tsgi',
    name: 'Express 5 via fromNodeHandler on @tsgi/node',
    script: 'express-tsgi.mjs',
  },
];

export function workloads(quick) {
  return [
    {
      id: 'hello',
      name: 'hello world',
      connections: 32,
      warmRequests: quick ? 3000 : 20000,
      check: checkHello,
    },
    {
      id: 'echo',
      name: '1 MiB POST echoed',
      connections: 8,
      postBytes: 1024 * 1024,
      warmRequests: quick ? 50 : 400,
      check: checkLength(1024 * 1024),
    },
  ];
}

export async function startSubject(subject, workload, { nodeArgs = [] } = {}) {
  const h = await startNodeServer(join(SERVERS, subject.script), [workload.id], { nodeArgs });
  return { url: `http://127.0.0.1:${h.port}/`, pids: () => [h.pid], stop: () => h.stop() };
}

export function run(ctx) {
  return interleave({
    group,
    subjects,
    workloads: workloads(ctx.quick),
    start: (s, w) => startSubject(s, w),
    ctx,
  });
}
