#!/usr/bin/env node
// Start-up cost of a CGI request: spawns each variant N times, interleaved round-robin (the
// order rotates every round so no variant always runs after another), each with a CGI
// environment and its stdout on a pipe as a web server would, and prints median/p10/p90 and
// the ratio of medians to the bare baseline of the same module format (a CommonJS main starts
// without Node's ESM loader, about 3 ms sooner, so `tsgi cgi hello.cjs` is compared with
// bare.cjs and the rest with bare.mjs). Usage:
//   node packages/cgi/bench/startup.mjs [rounds=60] [--json]
// Needs `pnpm build` first. Variants that need the CLI or esbuild are skipped when missing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const fixtures = join(here, '../test/fixtures');
const root = join(here, '../../..');
const args = process.argv.slice(2);
const rounds = Number(args.find((a) => /^\d+$/.test(a)) ?? 60);
const node = process.execPath;
const tmp = mkdtempSync(join(tmpdir(), 'tsgi-cgi-bench-'));

const variants = [
  { name: 'bare node script (baseline)', cmd: [node, join(fixtures, 'bare.mjs')] },
  {
    name: 'runCGI, static import (hello-direct.mjs)',
    cmd: [node, join(fixtures, 'hello-direct.mjs')],
  },
];
const cli = join(root, 'packages/cli/bin/tsgi.cjs');
const hasCli = existsSync(cli) && existsSync(join(root, 'packages/cli/dist/commands/cgi.js'));
if (hasCli) {
  variants.push({
    name: 'tsgi cgi hello.mjs',
    cmd: [node, cli, 'cgi', join(fixtures, 'hello.mjs')],
  });
}
variants.push({
  name: 'bare CommonJS script (baseline for .cjs)',
  cmd: [node, join(fixtures, 'bare.cjs')],
  baseline: true,
});
if (hasCli) {
  variants.push({
    name: 'tsgi cgi hello.cjs',
    cmd: [node, cli, 'cgi', join(fixtures, 'hello.cjs')],
    cjs: true,
  });
}

let esbuild;
try {
  esbuild = createRequire(join(root, 'packages/cgi/package.json'))('esbuild');
} catch {
  esbuild = undefined;
}
if (esbuild !== undefined) {
  const { bundleCGI, snapshotCGI } = await import('../dist/bundle.js');
  const bundle = join(tmp, 'hello.bundle.mjs');
  await bundleCGI({ app: join(fixtures, 'hello.mjs'), outfile: bundle });
  variants.push({ name: 'bundleCGI single file (tsgi cgi --bundle)', cmd: [node, bundle] });
  // A V8 start-up snapshot holding the adapter and the app (tsgi cgi --snapshot).
  try {
    const blob = join(tmp, 'snap.blob');
    await snapshotCGI({ app: join(fixtures, 'hello.mjs'), outfile: blob });
    variants.push({
      name: 'V8 start-up snapshot (tsgi cgi --snapshot)',
      cmd: [node, '--snapshot-blob', blob],
    });
  } catch (err) {
    console.error(`snapshot build failed: ${err.message}`);
  }
}

const env = {
  PATH: process.env.PATH,
  GATEWAY_INTERFACE: 'CGI/1.1',
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: '/cgi-bin/hello',
  PATH_INFO: '/',
  QUERY_STRING: '',
  SERVER_NAME: '127.0.0.1',
  SERVER_PORT: '80',
  SERVER_PROTOCOL: 'HTTP/1.1',
  REMOTE_ADDR: '127.0.0.1',
};
const expected = spawnSync(variants[0].cmd[0], variants[0].cmd.slice(1), { env }).stdout.toString(
  'latin1',
);
for (const v of variants) {
  const out = spawnSync(v.cmd[0], v.cmd.slice(1), { env }).stdout.toString('latin1');
  if (out !== expected)
    throw new Error(`${v.name} printed ${JSON.stringify(out)}, not ${JSON.stringify(expected)}`);
  v.times = [];
}
// CPU time of waited-for children (utime + stime, in clock ticks) from /proc/self/stat: less
// disturbed than wall time when other work shares the machine. Ticks are coarse (10 ms), so
// the CPU column is a mean over all rounds.
const hasProc = existsSync('/proc/self/stat');
const tick = hasProc
  ? 1000 / Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout || 100)
  : 0;
const childCpu = () => {
  if (!hasProc) return 0;
  const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(f[13]) + Number(f[14])) * tick; // cutime, cstime (fields 16 and 17)
};
for (const v of variants) v.cpu = 0;
for (let r = 0; r < 5 + rounds; r++) {
  for (let i = 0; i < variants.length; i++) {
    const v = variants[(i + r) % variants.length];
    const c0 = childCpu();
    const t0 = process.hrtime.bigint();
    spawnSync(v.cmd[0], v.cmd.slice(1), { env, stdio: ['ignore', 'pipe', 'inherit'] });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    const cpu = childCpu() - c0;
    if (r >= 5) {
      // the first 5 rounds warm the page cache
      v.times.push(ms);
      v.cpu += cpu;
    }
  }
}
rmSync(tmp, { recursive: true, force: true });

const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
};
const cjsBase = variants.find((v) => v.baseline) ?? variants[0];
const rows = variants.map((v) => {
  const base = v.cjs || v === cjsBase ? cjsBase : variants[0];
  return {
    variant: v.name,
    median: q(v.times, 0.5),
    p10: q(v.times, 0.1),
    p90: q(v.times, 0.9),
    ratio: q(v.times, 0.5) / q(base.times, 0.5),
    cpu: v.cpu / rounds,
    cpuRatio: v.cpu / base.cpu,
  };
});
if (args.includes('--json')) {
  console.log(JSON.stringify({ node: process.version, rounds, rows }, null, 2));
} else {
  console.log(`Node ${process.version}, ${rounds} interleaved rounds, milliseconds per request\n`);
  console.log('| variant | wall median | p10 | p90 | ratio to bare | CPU mean | CPU ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const cells = [r.median, r.p10, r.p90].map((x) => x.toFixed(1));
    console.log(
      `| ${r.variant} | ${cells.join(' | ')} | ${r.ratio.toFixed(2)} | ${r.cpu.toFixed(1)} | ${r.cpuRatio.toFixed(2)} |`,
    );
  }
}
