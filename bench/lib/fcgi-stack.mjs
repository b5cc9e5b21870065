// FastCGI behind nginx: php-fpm (Debian's, pm = static) or a Node FastCGI server as the backend,
// on a Unix socket (Debian's default for php-fpm; it also keeps TCP_NODELAY choices out of the
// comparison), and one nginx worker in front with fastcgi_keep_conn on and upstream keepalive.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findTool, startNginx } from '@tsgi/harness';
import { checkHello, checkLength } from './checks.mjs';
import { descendants, sleep, startNodeServer } from './proc.mjs';

const BENCH = fileURLToPath(new URL('..', import.meta.url));
export const PHP_FPM = ['php-fpm8.2', 'php-fpm'].map(findTool).find((p) => p !== undefined);

/**
 * Starts php-fpm in the foreground: one pool, `pm = static` with `workers` children, opcache as
 * Debian configures it. Returns { socket, dir, pids(), stop() }.
 */
export async function startPhpFpm({ workers = 1 } = {}) {
  if (PHP_FPM === undefined) throw new Error('php-fpm not found (apt-get install php-fpm)');
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-bench-fpm-'));
  chmodSync(dir, 0o755);
  for (const f of ['hello.php', 'stream.php']) copyFileSync(join(BENCH, 'php', f), join(dir, f));
  const socket = join(dir, 'php-fpm.sock');
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  writeFileSync(
    join(dir, 'php-fpm.conf'),
    `[global]
pid = ${dir}/php-fpm.pid
error_log = ${dir}/php-fpm.log
daemonize = no
[bench]
${root ? 'user = www-data\ngroup = www-data\n' : ''}listen = ${socket}
listen.mode = 0666
listen.backlog = 511
pm = static
pm.max_children = ${workers}
pm.max_requests = 0
`,
  );
  const child = spawn(PHP_FPM, ['--nodaemonize', '--fpm-config', join(dir, 'php-fpm.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 10_000;
  while (!existsSync(socket)) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`php-fpm did not start:\n${out}`);
    }
    await sleep(20);
  }
  return {
    socket,
    dir,
    pids: () => [child.pid, ...descendants(child.pid)],
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGQUIT'); // graceful stop
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Node FastCGI backend from bench/servers on a Unix socket: { socket, pids(), stop() }. */
export async function startNodeBackend(script, workload, nodeArgs = [], env = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'tsgi-bench-fcgi-'));
  const socket = join(dir, 'backend.sock');
  const h = await startNodeServer(join(BENCH, 'servers', script), [workload], {
    nodeArgs,
    env: { ...env, SOCKET: socket },
  });
  return {
    socket,
    dir: undefined,
    pids: () => [h.pid],
    handle: h,
    async stop() {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** One nginx worker in front of a backend on the Unix socket `socket`, its `location /` given. */
function _front(socket, location) {
  return startNginx({
    config: ({ port }) => `
  upstream backend {
    server unix:${socket} max_fails=0;
    keepalive 32;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {${location}
    }
  }`,
  });
}

/**
 * nginx in front of a FastCGI backend listening on the Unix socket `socket`. `scriptDir` is where
 * php-fpm finds `${workload}.php` (the Node backends ignore SCRIPT_FILENAME).
 */
export function startFront(socket, workload, scriptDir = '/nonexistent') {
  return _front(
    socket,
    `
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME ${scriptDir}/${workload}.php;
      fastcgi_pass backend;
      fastcgi_keep_conn on;
      fastcgi_buffer_size 16k;
      fastcgi_buffers 16 16k;`,
  );
}

/**
 * nginx as a reverse proxy (proxy_pass over HTTP/1.1 with upstream keepalive) in front of an HTTP
 * server on the Unix socket `socket`: how a Node app is put behind nginx today, the baseline of
 * the FastCGI comparison in scenarios/express.mjs.
 */
export function startProxyFront(socket) {
  return _front(
    socket,
    `
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;`,
  );
}

/**
 * A backend (`{ socket, pids(), stop() }`) with nginx in front (`front(socket)`): `url` is
 * nginx's with `path`, `pids` the backend's (the CPU measured is the backend's own).
 */
export async function behindNginx(backend, front, path = '/') {
  let nginx;
  try {
    nginx = await front(backend.socket);
  } catch (err) {
    await backend.stop();
    throw err;
  }
  return {
    url: `${nginx.url}${path}`,
    pids: backend.pids,
    async stop() {
      await nginx.stop();
      await backend.stop();
    },
  };
}

/**
 * The workloads of the gateway scenarios (FastCGI, SCGI): hello world and 64 KiB over one
 * connection, which php-fpm's one child serves too.
 */
export function gatewayWorkloads(quick) {
  return [
    {
      id: 'hello',
      name: 'hello world, 1 conn',
      connections: 1,
      warmRequests: quick ? 2000 : 10000,
      check: checkHello,
    },
    {
      id: 'stream',
      name: '64 KiB, 1 conn',
      connections: 1,
      warmRequests: quick ? 1000 : 5000,
      check: checkLength(65536),
    },
  ];
}
