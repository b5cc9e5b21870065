#!/usr/bin/env node
/**
 * Overhead of @tsgi/node over raw node:http on "hello world", same machine, loopback only.
 *
 *   pnpm build && node bench/node-overhead.mjs [--requests 100000] [--connections 32] [--rounds 3]
 *
 * Each server runs in its own child process; the load generator is this process, a lean
 * raw-socket HTTP/1.1 keep-alive client (one request in flight per connection, no pipelining),
 * so the client costs far less per request than either server. Rounds alternate A B A B so
 * drift (CPU frequency, other load) hits both. Prints req/s per round and the ratio of medians;
 * on Linux also the server's CPU time per request (from /proc), which is steadier than req/s on
 * a busy machine.
 *
 * Two raw baselines, because they differ by more than TSGI's overhead: `raw` ends with the body
 * as a string, which node:http sends in one write with the head; `raw-bytes` ends with the same
 * Uint8Array the TSGI app returns (as the bench/ servers do), which node:http sends beside the
 * head with writev. TSGI sends a whole body of up to 1 KiB as a latin-1 string, so it is close
 * to `raw-bytes` and behind `raw` by its own overhead alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const BODY = 'Hello, World!';

if (process.argv[2] === '--server') {
  const kind = process.argv[3];
  // Exit normally on SIGINT so `node --cpu-prof` can write its profile.
  process.on('SIGINT', () => process.exit(0));
  if (kind === 'raw' || kind === 'raw-bytes') {
    const body = kind === 'raw' ? BODY : new TextEncoder().encode(BODY);
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(body.length) });
      res.end(body);
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  } else {
    const { serve } = await import('../packages/node/dist/index.js');
    const body = new TextEncoder().encode(BODY);
    const app = (_environ, startResponse) => {
      startResponse('200 OK', [
        ['content-type', 'text/plain'],
        ['content-length', String(body.length)],
      ]);
      return [body];
    };
    const handle = await serve(app, { port: 0 });
    console.log(new URL(handle.url).port);
  }
} else {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '100000' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '3' },
    },
  });
  const requests = Number(values.requests);
  const connections = Number(values.connections);
  const rounds = Number(values.rounds);
  const names = ['raw', 'raw-bytes', 'tsgi'];
  const servers = {};
  for (const name of names) servers[name] = await start(name);
  try {
    // Warm-up: let the JITs settle before measuring.
    for (const name of names)
      await load(servers[name].port, Math.min(requests, 30000), connections);
    const results = { raw: [], 'raw-bytes': [], tsgi: [] };
    const cpu = { raw: [], 'raw-bytes': [], tsgi: [] };
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        const before = cpuMicros(servers[name].child.pid);
        const rps = await load(servers[name].port, requests, connections);
        const after = cpuMicros(servers[name].child.pid);
        results[name].push(rps);
        const perRequest = before === undefined ? undefined : (after - before) / requests;
        if (perRequest !== undefined) cpu[name].push(perRequest);
        const cpuText = perRequest === undefined ? '' : `, ${perRequest.toFixed(2)} us CPU/req`;
        console.log(`round ${r + 1} ${name.padEnd(9)} ${Math.round(rps)} req/s${cpuText}`);
      }
    }
    const tsgi = median(results.tsgi);
    for (const base of ['raw', 'raw-bytes']) {
      const raw = median(results[base]);
      console.log(`median ${base} ${Math.round(raw)} req/s, tsgi ${Math.round(tsgi)} req/s`);
      console.log(`ratio tsgi/${base} = ${(tsgi / raw).toFixed(3)} (throughput)`);
      if (cpu[base].length > 0) {
        const [cr, ct] = [median(cpu[base]), median(cpu.tsgi)];
        console.log(`CPU per request: ${base} ${cr.toFixed(2)} us, tsgi ${ct.toFixed(2)} us`);
        console.log(`ratio ${base}/tsgi = ${(cr / ct).toFixed(3)} (CPU cost; 1.0 = no overhead)`);
      }
    }
  } finally {
    for (const s of Object.values(servers)) s.child.kill();
  }
}

/** utime + stime of a process in microseconds (Linux), or undefined. */
function cpuMicros(pid) {
  const file = `/proc/${pid}/stat`;
  if (!existsSync(file)) return undefined;
  const fields = readFileSync(file, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks of 10 ms
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function start(kind) {
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--server', kind], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
  });
}

/** Sends `total` GET requests over `connections` keep-alive sockets; resolves to req/s. */
function load(port, total, connections) {
  const request = Buffer.from(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  let sent = 0;
  let done = 0;
  const t0 = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    for (let i = 0; i < connections; i++) {
      const socket = connect({ port, host: '127.0.0.1', noDelay: true });
      let buf = Buffer.alloc(0);
      const next = () => {
        if (sent >= total) {
          socket.end();
          return;
        }
        sent++;
        socket.write(request);
      };
      socket.on('connect', next);
      socket.on('error', reject);
      socket.on('data', (chunk) => {
        buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) return;
          const head = buf.toString('latin1', 0, end).toLowerCase();
          const m = /content-length: *(\d+)/.exec(head);
          const length = m ? Number(m[1]) : 0;
          if (buf.length < end + 4 + length) return;
          if (!head.startsWith('http/1.1 200')) return reject(new Error(`bad response: ${head}`));
          buf = buf.subarray(end + 4 + length);
          done++;
          if (done === total) {
            resolve(total / (Number(process.hrtime.bigint() - t0) / 1e9));
          }
          next();
        }
      });
    }
  });
}
