// Child processes: benchmark servers (one JSON line {"port":N} when ready), /proc memory
// readings, and clean stops.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** VmRSS and VmHWM (peak RSS) of a process, in MiB; undefined once it is gone. */
export function memory(pid) {
  let text;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { rss_mb: kb('VmRSS') / 1024, hwm_mb: kb('VmHWM') / 1024 };
}

/** Resets VmHWM to the current RSS (Linux >= 4.0, `echo 5 > /proc/PID/clear_refs`). */
export function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS over a set of pids (the sum of each one's peak: an upper bound for a process group). */
export function peakOf(pids) {
  let total = 0;
  for (const pid of pids) total += memory(pid)?.hwm_mb ?? 0;
  return total;
}

/**
 * Starts `node [nodeArgs] script [args]`, waits for its {"ready":true,...} line, and returns
 * { pid, port, path, stop(), output() }.
 */
export function startNodeServer(
  script,
  args = [],
  { env = {}, nodeArgs = [], timeoutMs = 15_000 } = {},
) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return waitReady(child, `${script} ${args.join(' ')}`, timeoutMs);
}

/** Waits for a child's {"ready":true,...} line (it may print more afterwards; that is drained). */
export function waitReady(child, name, timeoutMs = 15_000) {
  let out = '';
  let err = '';
  let partial = '';
  const waiting = [];
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const handle = {
    pid: child.pid,
    port: 0,
    path: undefined,
    ready: false,
    process: child,
    output: () => `${out}${err}`,
    /** Sends `signal` and resolves with the next stdout JSON line that has `key` true. */
    ask(signal, key, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no ${key} reply`)), timeoutMs);
        waiting.push({
          key,
          resolve: (v) => {
            clearTimeout(timer);
            resolve(v);
          },
        });
        child.kill(signal);
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      handle.stop();
      reject(new Error(`${name} not ready after ${timeoutMs} ms:\n${out}${err}`));
    }, timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready:\n${out}${err}`));
    });
    child.stdout.on('data', (d) => {
      out += d;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop();
      for (const line of lines) {
        if (waiting.length === 0 || !line.startsWith('{')) continue;
        const msg = JSON.parse(line);
        const i = waiting.findIndex((w) => msg[w.key] === true);
        if (i >= 0) waiting.splice(i, 1)[0].resolve(msg);
      }
      if (handle.ready) return;
      const line = out.split('\n').find((l) => l.startsWith('{"ready":true'));
      if (line === undefined) return;
      const msg = JSON.parse(line);
      handle.ready = true;
      handle.port = msg.port ?? 0;
      handle.path = msg.path;
      clearTimeout(timer);
      resolve(handle);
    });
  });
}

/** Resolves after `ms`. */
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every process whose ancestor is `pid` (read from /proc/<n>/stat). */
export function descendants(pid) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const out = [];
  const want = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [child, ppid] of parent) {
      if (want.has(ppid) && !want.has(child)) {
        want.add(child);
        out.push(child);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * CPU time used so far by the processes, all their threads included (GC and libuv helpers),
 * in seconds, from /proc/<pid>/task/<tid>/schedstat (nanoseconds on CPU). On a shared machine
 * CPU time per request is steadier than requests per second, which also depends on how much
 * of the machine the server got.
 */
export function cpuSeconds(pids) {
  let ns = 0;
  for (const pid of pids) {
    let tids;
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // thread gone
      }
    }
  }
  return ns / 1e9;
}
