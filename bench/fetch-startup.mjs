#!/usr/bin/env node
// What @tsgi/fetch costs at startup. In Node, `Request`/`Response`/`Headers` are lazy globals:
// the first touch loads undici. A CGI process (tsgi.run_once) pays that on every request, so the
// figure goes in packages/fetch/README.md. Run after `pnpm build`:
//   node bench/fetch-startup.mjs [--runs 15] [--json]
// Each scenario is a fresh `node` process, timed from spawn to exit; the median is reported,
// with the in-process time of the first request measured by performance.now().
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 15;
const json = args.includes('--json');
const root = fileURLToPath(new URL('..', import.meta.url));
const core = pathToFileURL(`${root}packages/core/dist/index.js`).href;
const fetchPkg = pathToFileURL(`${root}packages/fetch/dist/index.js`).href;

// One request through the real engine with a do-nothing sink, timing only the request.
const RUN = `
const sink = { head() {}, write() {}, end() {}, abort() {} };
const input = new c.RequestInput(null, { length: 0 });
const env = c.createEnviron(
  { method: 'GET', scriptName: '', pathInfo: '/', queryString: '', requestUri: '/',
    serverName: 'localhost', serverPort: '80', protocol: 'HTTP/1.1' },
  { input, errors: c.createErrorStream(() => {}), signal: new AbortController().signal,
    urlScheme: 'http', multithread: false, multiprocess: false, runOnce: true });
const t0 = performance.now();
await c.runApplication(app, env, sink);
process.stdout.write(String(performance.now() - t0));
`;

const scenarios = [
  { name: 'node (empty script)', code: '' },
  { name: 'import @tsgi/core', code: `await import('${core}');` },
  { name: 'import @tsgi/fetch', code: `await import('${core}'); await import('${fetchPkg}');` },
  {
    name: 'TSGI-native app, first request',
    code: `const c = await import('${core}');
const app = (e, sr) => { sr('200 OK', [['content-type', 'text/plain']]); return [new Uint8Array(2)]; };
${RUN}`,
  },
  {
    name: 'fromFetch app, first request (loads undici)',
    code: `const c = await import('${core}'); const f = await import('${fetchPkg}');
const app = f.fromFetch(() => new Response('ok'));
${RUN}`,
  },
];

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

// Round-robin over the scenarios so a burst of load on the machine hits them all alike.
const wall = scenarios.map(() => []);
const first = scenarios.map(() => []);
for (let i = 0; i < runs; i++) {
  scenarios.forEach((s, k) => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', s.code], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    wall[k].push(performance.now() - t0);
    if (r.status !== 0) throw new Error(`${s.name} failed: ${r.stderr}`);
    if (r.stdout !== '') first[k].push(Number(r.stdout));
  });
}
const results = scenarios.map((s, k) => ({
  scenario: s.name,
  wallMs: Number(median(wall[k]).toFixed(1)),
  firstRequestMs: first[k].length > 0 ? Number(median(first[k]).toFixed(2)) : null,
}));

if (json) {
  console.log(JSON.stringify({ node: process.version, runs, results }, null, 2));
} else {
  console.log(`node ${process.version}, median of ${runs} fresh processes\n`);
  console.log('| scenario | process wall time (ms) | first request in-process (ms) |');
  console.log('| --- | ---: | ---: |');
  for (const r of results)
    console.log(`| ${r.scenario} | ${r.wallMs} | ${r.firstRequestMs ?? '–'} |`);
}
