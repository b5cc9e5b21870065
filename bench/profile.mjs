#!/usr/bin/env node
/**
 * Profiles one subject with `node --cpu-prof` under the same load the benchmark applies, then
 * prints bench/profile-summary.mjs's summary. Profiles go to bench/results/profiles/ (ignored).
 *
 *   node bench/profile.mjs node tsgi hello [--seconds 5]     a node:http server (raw, tsgi, srvx, ...)
 *   node bench/profile.mjs fastcgi tsgi hello                 a FastCGI backend behind nginx
 *   node bench/profile.mjs express express-tsgi hello         Express (express) or Express via the bridge
 *   node bench/profile.mjs cgi [runs=30]                      the TSGI CGI script, merged over runs
 *
 * BENCH_TSGI_NODE / BENCH_TSGI_FASTCGI / BENCH_TSGI_CGI point the servers at a scratch copy of an
 * adapter's dist/index.js, to measure a change before proposing it.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runWrk } from './lib/wrk.mjs';
import { report, summarise } from './profile-summary.mjs';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string' },
    top: { type: 'string', default: '25' },
  },
});
const [groupName, subjectId = 'tsgi', workloadId = 'hello'] = positionals;
const outDir = join(BENCH, 'results', 'profiles');
mkdirSync(outDir, { recursive: true });
const stamp = `${groupName}-${subjectId}-${workloadId}-${Date.now()}`;
const profDir = join(outDir, stamp);
mkdirSync(profDir);
const nodeArgs = ['--cpu-prof', `--cpu-prof-dir=${profDir}`];

if (groupName === 'cgi') {
  // One process per request: merge many short profiles, sampled every 100 µs.
  const runs = Number(subjectId === 'tsgi' ? 30 : subjectId);
  const dir = mkdtempSync(join(BENCH, '.tmp', 'cgi-prof-'));
  writeFileSync(
    join(dir, 'app.mjs'),
    "const body = new TextEncoder().encode('Hello, World!');\nexport default (e, sr) => { sr('200 OK', [['content-type', 'text/plain']]); return [body]; };\n",
  );
  writeFileSync(
    join(dir, 'tsgi.mjs'),
    `import { runCGIModule } from '${process.env.BENCH_TSGI_CGI || '@tsgi/cgi'}';\nawait runCGIModule('${dir}/app.mjs');\n`,
  );
  chmodSync(join(dir, 'tsgi.mjs'), 0o755);
  const env = {
    PATH: process.env.PATH,
    GATEWAY_INTERFACE: 'CGI/1.1',
    REQUEST_METHOD: 'GET',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SCRIPT_NAME: '/cgi-bin/tsgi.mjs',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: '80',
    QUERY_STRING: '',
  };
  for (let i = 0; i < runs; i++) {
    spawnSync(process.execPath, [...nodeArgs, '--cpu-prof-interval=100', join(dir, 'tsgi.mjs')], {
      env,
    });
  }
  rmSync(dir, { recursive: true, force: true });
} else {
  const scenario = { fastcgi: 'fastcgi', express: 'express' }[groupName] ?? 'node-http';
  const mod = await import(`./scenarios/${scenario}.mjs`);
  const subject = mod.subjects.find((s) => s.id === subjectId);
  const workload = mod.workloads(false).find((w) => w.id === workloadId);
  if (!subject?.script || !workload) {
    console.error(`no Node subject ${subjectId} / workload ${workloadId} in ${groupName}`);
    process.exit(2);
  }
  const started = await mod.startSubject(subject, workload, { nodeArgs });
  try {
    const connections = Number(values.connections ?? workload.connections);
    const m = await runWrk({
      url: started.url,
      connections,
      postBytes: workload.postBytes,
      seconds: Number(values.seconds),
    });
    console.log(
      `${subject.name}, ${workload.name}: ${Math.round(m.rps)} req/s, p99 ${m.p99_ms} ms (under the profiler)`,
    );
  } finally {
    await started.stop();
  }
}
const files = readdirSync(profDir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .map((f) => join(profDir, f));
console.log(`${files.length} profile(s) in ${profDir}\n`);
console.log(
  report(summarise(files.map((f) => JSON.parse(readFileSync(f, 'utf8')))), Number(values.top)),
);
