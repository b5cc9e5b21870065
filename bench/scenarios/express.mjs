// Group express (issue 19): Express 5 on its own node:http against the same Express app through
// @tsgi/node-bridge's fromNodeHandler on @tsgi/node, hello world and a 1 MiB POST echoed
// (`req.pipe(res)`). Target: the bridge at >= 0.9x Express's own req/s. Then the same app behind
// nginx, as deployed: Express on node:http behind proxy_pass (what people do today) against
// Express through the bridge on @tsgi/fastcgi behind fastcgi_pass (lib/fcgi-stack.mjs), hello world.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkHello, checkLength } from '../lib/checks.mjs';
import { behindNginx, startFront, startNodeBackend, startProxyFront } from '../lib/fcgi-stack.mjs';
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

/** Behind nginx: the first is the baseline. */
export const nginxSubjects = [
  {
    id: 'express-proxy',
    name: 'Express 5 on node:http behind nginx proxy_pass',
    script: 'express-node.mjs',
    front: startProxyFront,
  },
  {
    id: 'express-tsgi-fastcgi',
    name: 'Express 5 via fromNodeHandler on @tsgi/fastcgi behind nginx',
    script: 'express-tsgi-fastcgi.mjs',
    front: (socket) => startFront(socket, 'express'),
  },
];

export function workloads(quick) {
  return [
    {
      id: 'hello',
      name: 'hello world',
      connections: 32,
      warmRequests: quick ? 3000 : 60000, // see node-http.mjs
      check: checkHello,
    },
    {
      id: 'echo',
      name: '1 MiB POST echoed',
      connections: 8,
      postBytes: 1024 * 1024,
      // Through the bridge the echo settles only after about 10 s of load (issue 19's windows).
      warmRequests: quick ? 50 : 10000,
      check: checkLength(1024 * 1024),
    },
  ];
}

export async function startSubject(subject, workload, { nodeArgs = [] } = {}) {
  const h = await startNodeServer(join(SERVERS, subject.script), [workload.id], { nodeArgs });
  return { url: `http://127.0.0.1:${h.port}/`, pids: () => [h.pid], stop: () => h.stop() };
}

/** An Express backend on a Unix socket with nginx in front; `url` is nginx's, CPU the backend's. */
export async function startBehindNginx(subject, workload, { nodeArgs = [] } = {}) {
  const backend = await startNodeBackend(subject.script, workload.id, nodeArgs);
  return behindNginx(backend, subject.front);
}

export async function run(ctx) {
  const direct = await interleave({
    group,
    subjects,
    workloads: workloads(ctx.quick),
    start: (s, w) => startSubject(s, w),
    ctx,
  });
  // Hello world only: a 1 MiB echo through a proxy that buffers the request body (nginx's
  // default) stalls once the backend's reply fills the socket before nginx reads it.
  const behindNginx = await interleave({
    group: `${group} (nginx)`,
    subjects: nginxSubjects,
    workloads: workloads(ctx.quick).filter((w) => w.id === 'hello'),
    start: (s, w) => startBehindNginx(s, w),
    ctx,
  });
  return [...direct, ...behindNginx];
}
