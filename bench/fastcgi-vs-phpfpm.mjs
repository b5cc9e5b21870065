#!/usr/bin/env node
/**
 * @tsgi/fastcgi against Debian's php-fpm behind the same nginx, "hello world", loopback only.
 *
 *   pnpm build && node bench/fastcgi-vs-phpfpm.mjs [--rounds 3] [--seconds 5] [--connections 16]
 *     [--keep-conn]   also measure @tsgi/fastcgi with fastcgi_keep_conn on (upstream keepalive)
 *     [--unix]        backends listen on Unix sockets instead of loopback TCP
 *
 * One nginx worker; one FastCGI process on each side (php-fpm `pm = static`, one child; one
 * Node process). Both locations use Debian's fastcgi_params and the standard deployment:
 * fastcgi_keep_conn off, so nginx opens an upstream connection per request (php-fpm with one
 * child cannot serve several kept-alive nginx connections). Clients keep their connections
 * alive. Load comes from `wrk` (Debian package) when installed, else from a small Node
 * keep-alive client. Rounds alternate A B A B after a warm-up, and the script prints req/s per
 * round and the ratio of the medians. Needs: nginx, php-fpm (apt-get install php-fpm wrk).
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const BODY = 'Hello, World!\n';
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

if (process.argv[2] === '--server') {
  // The @tsgi/fastcgi backend, in its own process.
  const { serveFastCGI } = await import('../packages/fastcgi/dist/index.js');
  const body = new TextEncoder().encode(BODY);
  const app = (_environ, startResponse) => {
    startResponse('200 OK', [['content-type', 'text/html; charset=UTF-8']]);
    return [body];
  };
  const where = process.argv[3];
  const server = await serveFastCGI(app, {
    ...(/^[0-9]+$/.test(where) ? { port: Number(where) } : { path: where }),
    errors: () => {},
  });
  process.on('SIGTERM', () => server.close({ timeout: 100 }).then(() => process.exit(0)));
  process.on('SIGINT', () => process.exit(0));
  console.log('ready');
} else {
  await main();
}

async function main() {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '5' },
      connections: { type: 'string', default: '16' },
      'keep-conn': { type: 'boolean', default: false },
      unix: { type: 'boolean', default: false },
    },
  });
  const rounds = Number(values.rounds);
  const seconds = Number(values.seconds);
  const connections = Number(values.connections);
  const harness = await import('../packages/harness/dist/index.js');
  const phpFpm = harness.findTool('php-fpm') ?? _findPhpFpm();
  if (phpFpm === undefined || harness.findTool('nginx') === undefined) {
    console.error('needs nginx and php-fpm: apt-get install -y nginx php-fpm wrk');
    process.exit(2);
  }
  const wrk = harness.findTool('wrk');
  const dir = harness.tempDir('tsgi-bench-fcgi-');
  chmodSync(dir.path, 0o755);
  const [phpPort, nodePort] = [await harness.freePort(), await harness.freePort()];
  // Where each backend listens: loopback TCP, or with --unix a Unix socket in the temp dir.
  const phpAddr = values.unix ? `${dir.path}/php.sock` : `127.0.0.1:${phpPort}`;
  const nodeAddr = values.unix ? `${dir.path}/node.sock` : `127.0.0.1:${nodePort}`;
  const pass = (addr) => (values.unix ? `unix:${addr}` : addr);

  writeFileSync(`${dir.path}/hello.php`, `<?php echo ${JSON.stringify(BODY)};\n`);
  writeFileSync(
    `${dir.path}/php-fpm.conf`,
    `[global]
pid = ${dir.path}/php-fpm.pid
error_log = ${dir.path}/php-fpm.log
daemonize = no
[bench]
user = www-data
group = www-data
listen = ${phpAddr}
pm = static
pm.max_children = 1
pm.max_requests = 0
`,
  );
  const php = harness.startDaemon(phpFpm, [
    '-F',
    '-y',
    `${dir.path}/php-fpm.conf`,
    '-d',
    'expose_php=0',
  ]);
  const node = spawn(
    process.execPath,
    [new URL(import.meta.url).pathname, '--server', values.unix ? nodeAddr : String(nodePort)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  await new Promise((resolve) => node.stdout.once('data', resolve));
  if (values.unix) await waitForFile(phpAddr);
  else await harness.waitForPort(phpPort);

  const fcgi = (pass, extra = '') => `
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME ${dir.path}/hello.php;
      fastcgi_pass ${pass};
      ${extra}`;
  const web = await harness.startNginx({
    config: ({ port }) => `
  upstream node_keep { server ${pass(nodeAddr)}; keepalive 16; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location = /php { ${fcgi(pass(phpAddr))} }
    location = /node { ${fcgi(pass(nodeAddr))} }
    location = /node-keep { ${fcgi('node_keep', 'fastcgi_keep_conn on;')} }
  }`,
  });

  const targets = [
    ['php-fpm', `${web.url}/php`],
    ['@tsgi/fastcgi', `${web.url}/node`],
  ];
  if (values['keep-conn']) targets.push(['@tsgi/fastcgi keep_conn', `${web.url}/node-keep`]);
  for (const [name, url] of targets) {
    const res = await fetch(url);
    const text = await res.text();
    if (res.status !== 200 || text !== BODY)
      throw new Error(`${name}: ${res.status} ${JSON.stringify(text)}`);
  }

  const load = wrk === undefined ? nodeLoad : (url, secs) => wrkLoad(wrk, url, secs, connections);
  // CPU time each backend spends per request (utime + stime from /proc): unlike req/s, it does
  // not depend on what else the machine is doing.
  const cpuOf = {
    'php-fpm': () => cpuTicks(php.process.pid, true),
    '@tsgi/fastcgi': () => cpuTicks(node.pid, false),
  };
  cpuOf['@tsgi/fastcgi keep_conn'] = cpuOf['@tsgi/fastcgi'];
  console.log(
    `nginx 1 worker → FastCGI over ${values.unix ? 'Unix sockets' : 'TCP'}, 1 backend process each, ` +
      `${connections} keep-alive client connections, ` +
      `${seconds}s × ${rounds} rounds, load: ${wrk === undefined ? 'node client' : 'wrk -t1'}`,
  );
  for (const [, url] of targets) await load(url, 2, connections); // warm-up (JIT, opcache)
  const results = Object.fromEntries(targets.map(([name]) => [name, []]));
  const cpu = Object.fromEntries(targets.map(([name]) => [name, []]));
  try {
    for (let r = 0; r < rounds; r++) {
      for (const [name, url] of targets) {
        const before = cpuOf[name]();
        const rps = await load(url, seconds, connections);
        const usPerReq = ((cpuOf[name]() - before) * 1e6) / TICKS_PER_SECOND / (rps * seconds);
        results[name].push(rps);
        cpu[name].push(usPerReq);
        console.log(
          `round ${r + 1}  ${name.padEnd(24)} ${rps.toFixed(0).padStart(7)} req/s  ${usPerReq.toFixed(1).padStart(6)} µs CPU/req`,
        );
      }
    }
  } finally {
    await web.stop();
    node.kill('SIGTERM');
    await php.stop();
    dir.remove();
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const phpMedian = median(results['php-fpm']);
  const phpCpu = median(cpu['php-fpm']);
  for (const [name] of targets) {
    const m = median(results[name]);
    const c = median(cpu[name]);
    console.log(
      `median ${name.padEnd(24)} ${m.toFixed(0).padStart(7)} req/s (×${(m / phpMedian).toFixed(2)} php-fpm)  ` +
        `${c.toFixed(1).padStart(6)} µs CPU/req (×${(c / phpCpu).toFixed(2)})`,
    );
  }
}

/** utime + stime of a process (and, with `children`, of its live child processes), in ticks. */
function cpuTicks(pid, children) {
  const stat = (p) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
      return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
    } catch {
      return { ppid: -1, ticks: 0 };
    }
  };
  let total = stat(pid).ticks;
  if (children) {
    for (const p of readdirSync('/proc'))
      if (/^[0-9]+$/.test(p) && stat(p).ppid === pid) total += stat(p).ticks;
  }
  return total;
}

async function waitForFile(path) {
  for (let i = 0; i < 200 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 25));
}

function _findPhpFpm() {
  for (const dir of ['/usr/sbin', '/usr/bin']) {
    const hit = readdirSync(dir).find((f) => /^php-fpm[0-9.]*$/.test(f));
    if (hit !== undefined && existsSync(`${dir}/${hit}`)) return `${dir}/${hit}`;
  }
  return undefined;
}

/** Requests/second from `wrk -t1 -cN -dS` (non-2xx responses make the run fail). */
function wrkLoad(wrk, url, seconds, connections) {
  const out = execFileSync(wrk, ['-t1', `-c${connections}`, `-d${seconds}s`, url], {
    encoding: 'utf8',
  });
  if (/Non-2xx|Socket errors/.test(out)) throw new Error(`wrk reported errors:\n${out}`);
  const m = /Requests\/sec:\s+([0-9.]+)/.exec(out);
  if (m === null) throw new Error(`unexpected wrk output:\n${out}`);
  return Number(m[1]);
}

/** A minimal keep-alive HTTP/1.1 load loop: `connections` sockets, one request in flight each. */
function nodeLoad(url, seconds, connections) {
  const { hostname, port, pathname } = new URL(url);
  const request = Buffer.from(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\n\r\n`);
  const deadline = Date.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise((resolve, reject) => {
      const s = connect({ host: hostname, port: Number(port) });
      let buf = '';
      s.setEncoding('latin1');
      s.on('connect', () => s.write(request));
      s.on('error', reject);
      s.on('data', (d) => {
        buf += d;
        // Responses are small and chunked or length-delimited; count one per terminator.
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.slice(0, end);
          const cl = /content-length: *([0-9]+)/i.exec(head);
          const bodyEnd = cl ? end + 4 + Number(cl[1]) : buf.indexOf('0\r\n\r\n', end + 4) + 5;
          if (bodyEnd < 5 || buf.length < bodyEnd) return;
          buf = buf.slice(bodyEnd);
          done++;
          if (Date.now() > deadline) {
            s.destroy();
            resolve();
            return;
          }
          s.write(request);
        }
      });
    });
  const start = Date.now();
  return Promise.all(Array.from({ length: connections }, one)).then(
    () => (done * 1000) / (Date.now() - start),
  );
}
