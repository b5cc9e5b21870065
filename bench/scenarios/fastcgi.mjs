// Group 2, FastCGI behind the same nginx (one worker, fastcgi_keep_conn on, upstream
// keepalive, backends on a Unix socket): @tsgi/fastcgi against Debian's php-fpm (pm = static,
// one child) and the npm node-fastcgi package, each a single process.
//
// One php-fpm child serves one connection at a time and, with FCGI_KEEP_CONN, stays on that
// connection until nginx closes it: with more client connections than children the others
// starve. So the comparison with php-fpm runs at 1 client connection (the cost of one request
// through the whole chain); @tsgi/fastcgi and node-fastcgi, which multiplex connections, are
// also measured at 32 (not with --quick).

import { BEFORE, beforePath, beforeSubject } from '../lib/before.mjs';
import { checkHello } from '../lib/checks.mjs';
import {
  behindNginx,
  gatewayWorkloads,
  startFront,
  startNodeBackend,
  startPhpFpm,
} from '../lib/fcgi-stack.mjs';
import { interleave } from '../lib/measure.mjs';

export const group = 'FastCGI (nginx)';

export const subjects = [
  { id: 'php-fpm', name: 'php-fpm (1 child)' },
  { id: 'tsgi', name: 'TSGI @tsgi/fastcgi', script: 'tsgi-fastcgi.mjs' },
  { id: 'node-fastcgi', name: 'node-fastcgi', script: 'node-fastcgi.mjs' },
];
if (BEFORE !== undefined) {
  subjects.push(
    beforeSubject(subjects[1], {
      BENCH_TSGI_FASTCGI: beforePath('packages/fastcgi/dist/index.js'),
    }),
  );
}

/** hello world and 64 KiB over one connection, as php-fpm serves them (fcgi-stack.mjs). */
export const workloads = gatewayWorkloads;

/** The concurrent run: the Node backends only (php-fpm cannot take it, see above). */
export function concurrentWorkloads(quick) {
  return [
    {
      id: 'hello',
      name: 'hello world, 32 conns',
      connections: 32,
      warmRequests: quick ? 4000 : 20000,
      check: checkHello,
    },
  ];
}

/** php-fpm or a Node backend, with nginx in front; `url` is nginx's. */
export async function startSubject(subject, workload, { nodeArgs = [] } = {}) {
  const backend =
    subject.id === 'php-fpm'
      ? await startPhpFpm({ workers: 1 })
      : await startNodeBackend(subject.script, workload.id, nodeArgs, subject.env);
  return behindNginx(
    backend,
    (socket) => startFront(socket, workload.id, backend.dir),
    `/${workload.id}`,
  );
}

export async function run(ctx) {
  const rows = await interleave({
    group,
    subjects,
    workloads: workloads(ctx.quick),
    start: (s, w) => startSubject(s, w),
    ctx,
  });
  if (ctx.quick) return rows; // --quick: the 1-connection comparison only
  const concurrent = await interleave({
    group,
    // baseline node-fastcgi: the ratio is TSGI's lead (and the earlier build's, BENCH_BEFORE)
    subjects: [subjects[2], subjects[1], ...subjects.slice(3)],
    workloads: concurrentWorkloads(ctx.quick),
    start: (s, w) => startSubject(s, w),
    ctx,
  });
  return [...rows, ...concurrent];
}
