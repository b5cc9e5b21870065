// Group "SCGI (nginx)" (issue 21): @tsgi/scgi against @tsgi/fastcgi and Debian's php-fpm behind
// the same nginx (one worker), every backend a single process on a Unix socket, hello world and
// 64 KiB at 1 client connection.
//
// SCGI has one request per connection, so nginx opens an upstream connection per request. The
// FastCGI backends are measured both ways: with fastcgi_keep_conn and upstream keepalive (how
// scenarios/fastcgi.mjs runs them, FastCGI's best) and with a connection per request (the
// deployment SCGI is compared with like for like, and nginx's default).

import { startNginx } from '@tsgi/harness';
import {
  behindNginx,
  gatewayWorkloads,
  PHP_FPM,
  startNodeBackend,
  startPhpFpm,
} from '../lib/fcgi-stack.mjs';
import { interleave } from '../lib/measure.mjs';

export const group = 'SCGI (nginx)';

export const subjects = [
  { id: 'php-fpm', name: 'php-fpm (1 child), keep_conn', proto: 'fastcgi', keep: true },
  { id: 'tsgi-fcgi-keep', name: 'TSGI @tsgi/fastcgi, keep_conn', proto: 'fastcgi', keep: true },
  { id: 'tsgi-fcgi', name: 'TSGI @tsgi/fastcgi, conn/request', proto: 'fastcgi', keep: false },
  { id: 'tsgi-scgi', name: 'TSGI @tsgi/scgi (conn/request)', proto: 'scgi', keep: false },
];

/** hello world and 64 KiB over one connection, as php-fpm serves them (fcgi-stack.mjs). */
export const workloads = gatewayWorkloads;

/** nginx in front of `socket`, speaking the subject's protocol. */
function startFront(subject, socket, workload, scriptDir = '/nonexistent') {
  const pass =
    subject.proto === 'scgi'
      ? `include /etc/nginx/scgi_params;
      scgi_pass backend;
      scgi_buffer_size 16k;
      scgi_buffers 16 16k;`
      : `include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME ${scriptDir}/${workload}.php;
      fastcgi_pass backend;
      ${subject.keep ? 'fastcgi_keep_conn on;' : ''}
      fastcgi_buffer_size 16k;
      fastcgi_buffers 16 16k;`;
  return startNginx({
    config: ({ port }) => `
  upstream backend {
    server unix:${socket} max_fails=0;
    ${subject.keep ? 'keepalive 32;\n    keepalive_requests 1000000;' : ''}
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      ${pass}
    }
  }`,
  });
}

async function startSubject(subject, workload) {
  const backend =
    subject.id === 'php-fpm'
      ? await startPhpFpm({ workers: 1 })
      : await startNodeBackend(
          subject.proto === 'scgi' ? 'tsgi-scgi.mjs' : 'tsgi-fastcgi.mjs',
          workload.id,
        );
  return behindNginx(
    backend,
    (socket) => startFront(subject, socket, workload.id, backend.dir),
    `/${workload.id}`,
  );
}

export async function run(ctx) {
  return interleave({
    group,
    subjects: PHP_FPM === undefined ? subjects.slice(1) : subjects,
    workloads: workloads(ctx.quick),
    start: startSubject,
    ctx,
  });
}
