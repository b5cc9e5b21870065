// Runs wrk (Debian's) against a URL with bench/wrk/bench.lua and parses its one-line summary.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../wrk/bench.lua', import.meta.url));

/**
 * @param {object} o
 * @param {string} o.url
 * @param {number} [o.connections] open connections (default 32)
 * @param {number} [o.threads] wrk threads (default 1)
 * @param {number} [o.seconds] duration, whole seconds (wrk takes no less; default 1)
 * @param {number} [o.postBytes] POST a body of this size
 * @param {number} [o.stopAfter] each thread stops after this many responses (a count, not a time)
 * @param {number} [o.timeoutSeconds] wrk's per-request timeout (default 10)
 */
export function runWrk(o) {
  const seconds = Math.max(1, Math.round(o.seconds ?? 1));
  const connections = o.connections ?? 32;
  const threads = Math.min(o.threads ?? 1, connections);
  const args = [
    `-t${threads}`,
    `-c${connections}`,
    `-d${seconds}s`,
    `--timeout`,
    `${o.timeoutSeconds ?? 10}s`,
    '-s',
    SCRIPT,
    o.url,
  ];
  const env = {
    ...process.env,
    BENCH_POST_BYTES: String(o.postBytes ?? 0),
    BENCH_STOP_AFTER: String(o.stopAfter ?? 0),
  };
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stopped = 0;
    child.stdout.on('data', (d) => {
      out += d;
      // Every thread has reached stopAfter: end wrk now instead of at its duration.
      const n = out.split('BENCH_STOPPED').length - 1;
      if (n >= threads && stopped < threads) {
        stopped = n;
        child.kill('SIGINT');
      }
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || line === undefined) {
        reject(new Error(`wrk ${args.join(' ')} exited ${code}:\n${out}`));
        return;
      }
      resolve(parseWrk(JSON.parse(line.slice('BENCH_JSON '.length))));
    });
  });
}

/** Turns wrk's raw summary into the figures the report uses. */
export function parseWrk(raw) {
  const errors = raw.connect + raw.read + raw.write + raw.status + raw.timeout;
  return {
    requests: raw.requests,
    seconds: raw.duration_us / 1e6,
    rps: raw.requests / (raw.duration_us / 1e6),
    p50_ms: raw.p50_us / 1000,
    p99_ms: raw.p99_us / 1000,
    max_ms: raw.max_us / 1000,
    mb_per_s: raw.bytes / (raw.duration_us / 1e6) / (1024 * 1024),
    errors,
    raw,
  };
}
