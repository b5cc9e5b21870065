// Group 1, node:http: TSGI's `serve` against raw node:http, srvx, Hono and Fastify, each in its
// own child process (bench/servers/*.mjs), one at a time, loaded by wrk.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BEFORE, beforePath, beforeSubject } from '../lib/before.mjs';
import { checkHello, checkLength } from '../lib/checks.mjs';
import { interleave } from '../lib/measure.mjs';
import { startNodeServer } from '../lib/proc.mjs';
import { runWrk } from '../lib/wrk.mjs';

const SERVERS = fileURLToPath(new URL('../servers/', import.meta.url));
export const group = 'node:http';

/** The first subject is the baseline the ratios are taken against. */
export const subjects = [
  { id: 'raw', name: 'node:http (raw)', script: 'raw.mjs' },
  { id: 'tsgi', name: 'TSGI @tsgi/node', script: 'tsgi-node.mjs' },
  { id: 'srvx', name: 'srvx', script: 'srvx.mjs' },
  { id: 'hono', name: '@hono/node-server', script: 'hono.mjs' },
  { id: 'fastify', name: 'fastify', script: 'fastify.mjs' },
  // The same baseline ending with a string body (one write with the head): see raw-string.mjs.
  {
    id: 'raw-string',
    name: 'node:http (raw, string body)',
    script: 'raw-string.mjs',
    workloads: ['hello'],
  },
];
if (BEFORE !== undefined) {
  subjects.splice(
    2,
    0,
    beforeSubject(subjects[1], { BENCH_TSGI_NODE: beforePath('packages/node/dist/index.js') }),
  );
}

// Warm-up requests, before each round's measurement of a fresh process (lib/measure.mjs): enough
// for V8 to have optimised the subject's path. Measured in windows of 1 s from a fresh process
// (2026-12-07): @tsgi/node's 1 MiB echo went 534 -> 1,515 req/s over its first six windows (about
// 5,000 requests) before it settled, raw node:http's in two; hello world settles within its
// first 60,000 requests.
export function workloads(quick) {
  return [
    {
      id: 'hello',
      name: 'hello world',
      connections: 32,
      warmRequests: quick ? 3000 : 60000,
      check: checkHello,
    },
    {
      id: 'stream',
      name: '64 KiB in 4 KiB chunks',
      connections: 32,
      warmRequests: quick ? 1000 : 20000,
      check: checkLength(65536),
    },
    {
      id: 'echo',
      name: '1 MiB POST echoed',
      connections: 8,
      postBytes: 1024 * 1024,
      warmRequests: quick ? 50 : 5000,
      check: checkLength(1024 * 1024),
    },
  ];
}

/**
 * The command line of a one-question tool (instructions.mjs, old-generation.mjs): `--subjects`,
 * `--workloads`, `--processes`, `--warm` and `--requests` with the tool's defaults, plus its own
 * `extra` options. Returns the parsed values and the subjects (those that run every workload) and
 * workloads they name.
 */
export function toolArgs(defaults, extra = {}) {
  const option = (value) => ({ type: 'string', default: value });
  const { values } = parseArgs({
    options: {
      subjects: option('raw,tsgi,tsgi-before'),
      workloads: option(defaults.workloads),
      processes: option('3'),
      warm: option(defaults.warm),
      requests: option(defaults.requests),
      ...extra,
    },
  });
  const wanted = values.subjects.split(',');
  const ids = values.workloads.split(',');
  return {
    values,
    subjects: subjects.filter((s) => wanted.includes(s.id) && s.workloads === undefined),
    workloads: workloads(false).filter((w) => ids.includes(w.id)),
  };
}

/** Starts one subject's server for one workload; `nodeArgs` e.g. ['--cpu-prof']. */
export async function startSubject(subject, workload, { nodeArgs = [] } = {}) {
  const h = await startNodeServer(join(SERVERS, subject.script), [workload.id], {
    nodeArgs,
    env: subject.env ?? {},
  });
  return { url: `http://127.0.0.1:${h.port}/`, pids: () => [h.pid], stop: () => h.stop() };
}

export function run(ctx) {
  return interleave({
    group,
    subjects,
    workloads: workloads(ctx.quick),
    start: (s, w) => startSubject(s, w),
    ctx,
  });
}

/**
 * wrk against a subject on `port` for a count of responses (8 connections, the workload's POST
 * body), for the one-question tools: `(count) => Promise<wrk result>`.
 */
export function countedLoad(port, workload) {
  return (count) =>
    runWrk({
      url: `http://127.0.0.1:${port}/`,
      connections: 8,
      postBytes: workload.postBytes,
      stopAfter: count,
      seconds: 900,
    });
}
