// Group 3, CGI: the whole process per request. TSGI (a runCGIModule script as the package README
// shows, the `tsgi cgi` command behind a two-line sh wrapper, and a `tsgi cgi --bundle` single
// file) against a bare Node script printing the same response, php-cgi and a shell script.
// (a) each script spawned directly N times with a CGI environment, interleaved, timed from
// spawn to exit; (b) the same scripts behind Apache httpd (mod_cgid), loaded by wrk at low
// concurrency. The scripts live under bench/.tmp so that '@tsgi/cgi' resolves from bench's
// node_modules as it would from a project's.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { findTool, startApache } from '@tsgi/harness';
import { BEFORE, beforePath } from '../lib/before.mjs';
import { checkHello } from '../lib/checks.mjs';
import { interleave } from '../lib/measure.mjs';
import { median, percentile, rotate, round } from '../lib/stats.mjs';

const BENCH = fileURLToPath(new URL('..', import.meta.url));
const ROOT = join(BENCH, '..');
const TSGI_BIN = join(ROOT, 'packages/cli/bin/tsgi.cjs');
const NODE = process.execPath;
const PHP_CGI = findTool('php-cgi');
const HEAD = 'Status: 200 OK\\r\\nContent-Type: text/plain\\r\\nContent-Length: 13\\r\\n\\r\\n';

export const group = 'CGI';

const APP = `// The application every TSGI variant runs.
const body = new TextEncoder().encode('Hello, World!');
export default function hello(_environ, startResponse) {
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [body];
}
`;
// The same application as CommonJS, compared with a bare CommonJS script: a CommonJS main
// starts without Node's ESM loader, about 3 ms sooner than an ES module one.
const APP_CJS = APP.replace('export default function', 'module.exports = function');

/** The variants: id, display name, file name in cgi-bin, its text (or a builder). */
function variants(dir) {
  const cgiModule = process.env.BENCH_TSGI_CGI || '@tsgi/cgi';
  const list = [
    {
      id: 'bare',
      name: 'bare node script',
      file: 'bare.mjs',
      text: `#!${NODE}\nprocess.stdout.write('${HEAD}Hello, World!');\n`,
    },
    {
      id: 'tsgi',
      name: 'TSGI runCGIModule',
      file: 'tsgi.mjs',
      text: `#!${NODE}\nimport { runCGIModule } from '${cgiModule}';\nawait runCGIModule('${dir}/app.mjs');\n`,
    },
  ];
  // `tsgi cgi` behind the README's two-line sh wrapper, for an ES module and a CommonJS APP.
  const cli = (app) => `#!/bin/sh\nexec ${NODE} ${TSGI_BIN} cgi ${dir}/${app}\n`;
  const hasCli = existsSync(TSGI_BIN) && existsSync(join(ROOT, 'packages/cli/dist/main.js'));
  if (hasCli) {
    list.push({
      id: 'tsgi-cli',
      name: 'TSGI tsgi cgi (sh wrapper)',
      file: 'tsgi-cli',
      text: cli('app.mjs'),
    });
  }
  if (BEFORE !== undefined) {
    // BENCH_BEFORE: the same two TSGI paths from the earlier build (lib/before.mjs). The script
    // imports '@tsgi/cgi' by name like the working tree's: it lives in the earlier tree's
    // bench/.tmp, where the name resolves to that build, and cgi-bin holds a symlink to it (node
    // runs a main module from its real path). An import by absolute path skipped the package
    // resolution, about 1 ms of a request, and so favoured the earlier build.
    list.push({
      id: 'tsgi-before',
      name: 'TSGI runCGIModule (before)',
      file: 'tsgi-before.mjs',
      text: `#!${NODE}\nimport { runCGIModule } from '@tsgi/cgi';\nawait runCGIModule('${dir}/app.mjs');\n`,
      home: beforePath('bench/.tmp'),
    });
    list.push({
      id: 'tsgi-cli-before',
      name: 'TSGI tsgi cgi (sh wrapper) (before)',
      file: 'tsgi-cli-before',
      text: `#!/bin/sh\nexec ${NODE} ${beforePath('packages/cli/bin/tsgi.cjs')} cgi ${dir}/app.mjs\n`,
    });
  }
  list.push({
    id: 'bare-cjs',
    name: 'bare node script, CommonJS',
    file: 'bare.cjs',
    text: `#!${NODE}\nprocess.stdout.write('${HEAD}Hello, World!');\n`,
  });
  if (hasCli) {
    list.push({
      id: 'tsgi-cli-cjs',
      name: 'TSGI tsgi cgi app.cjs (sh wrapper)',
      file: 'tsgi-cli-cjs',
      text: cli('app.cjs'),
      base: 'bare-cjs',
    });
  }
  list.push({
    id: 'tsgi-bundle',
    name: 'TSGI tsgi cgi --bundle',
    file: 'tsgi-bundle',
    bundle: true,
  });
  if (PHP_CGI !== undefined) {
    list.push({
      id: 'php-cgi',
      name: 'php-cgi',
      file: 'hello.php',
      text: `#!${PHP_CGI} -dcgi.force_redirect=0\n<?php\nheader('Content-Type: text/plain');\necho 'Hello, World!';\n`,
    });
  }
  list.push({
    id: 'shell',
    name: 'shell script (dash)',
    file: 'hello.sh',
    text: `#!/bin/sh\nprintf '${HEAD}Hello, World!'\n`,
  });
  return list;
}

/** Writes app.mjs and every variant into a fresh cgi-bin under bench/.tmp. */
async function setup(log) {
  mkdirSync(join(BENCH, '.tmp'), { recursive: true });
  const dir = mkdtempSync(join(BENCH, '.tmp', 'cgi-bin-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'app.mjs'), APP);
  writeFileSync(join(dir, 'app.cjs'), APP_CJS);
  const list = [];
  const skipped = [];
  const elsewhere = [];
  for (const v of variants(dir)) {
    const path = join(dir, v.file);
    if (v.bundle) {
      try {
        // The real path: esbuild finds its platform binary next to itself in pnpm's store, not
        // beside a symlinked copy of @tsgi/cgi.
        const bundleModule = realpathSync(
          createRequire(join(BENCH, 'package.json')).resolve('@tsgi/cgi/bundle'),
        );
        const { bundleCGI } = await import(pathToFileURL(bundleModule).href);
        await bundleCGI({ app: join(dir, 'app.mjs'), outfile: path, shebang: `#!${NODE}` });
      } catch (err) {
        const why = String(err.message).split('\n')[0];
        log(`  skipping ${v.name}: ${why}`);
        skipped.push({ ...v, why });
        continue;
      }
    } else if (v.home !== undefined) {
      // Written where its imports resolve, linked from cgi-bin (see the variant).
      mkdirSync(v.home, { recursive: true });
      const real = join(v.home, `${basename(dir)}-${v.file}`);
      writeFileSync(real, v.text);
      chmodSync(real, 0o755);
      symlinkSync(real, path);
      elsewhere.push(real);
    } else {
      writeFileSync(path, v.text);
    }
    chmodSync(path, 0o755);
    list.push({ ...v, path });
  }
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    for (const file of elsewhere) rmSync(file, { force: true });
  };
  return { dir, list, skipped, remove };
}

function cgiEnv(v) {
  return {
    PATH: '/usr/local/bin:/usr/bin:/bin',
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_SOFTWARE: 'tsgi-bench',
    SERVER_NAME: '127.0.0.1',
    SERVER_PORT: '80',
    REQUEST_METHOD: 'GET',
    REQUEST_URI: `/cgi-bin/${v.file}`,
    SCRIPT_NAME: `/cgi-bin/${v.file}`,
    SCRIPT_FILENAME: v.path,
    QUERY_STRING: '',
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_PORT: '40000',
    HTTP_HOST: '127.0.0.1',
    HTTP_USER_AGENT: 'tsgi-bench',
    REDIRECT_STATUS: '200',
  };
}

function spawnOnce(v) {
  const t0 = performance.now();
  const r = spawnSync(v.path, [], { env: cgiEnv(v), cwd: join(v.path, '..'), maxBuffer: 1 << 20 });
  const ms = performance.now() - t0;
  return {
    ms,
    status: r.status,
    stdout: r.stdout?.toString('latin1') ?? '',
    stderr: r.stderr?.toString() ?? '',
    error: r.error,
  };
}

/** (a) Direct spawns, interleaved, the order rotated every round. */
function direct(list, ctx) {
  const n = ctx.quick ? 12 : 100;
  const times = new Map(list.map((v) => [v.id, []]));
  const notes = new Map();
  for (const v of list) {
    const r = spawnOnce(v); // also warms the page cache
    if (r.error || r.status !== 0 || !r.stdout.endsWith('Hello, World!')) {
      notes.set(
        v.id,
        `bad output (exit ${r.status}): ${JSON.stringify((r.stdout + r.stderr).slice(0, 120))}`,
      );
    }
  }
  for (let i = 0; i < n; i++) {
    for (const v of rotate(list, i % list.length)) times.get(v.id).push(spawnOnce(v).ms);
  }
  const rows = list.map((v) => {
    const ms = median(times.get(v.id));
    // A CommonJS variant is compared with the bare CommonJS script, the rest with bare.mjs.
    const baseline = list.find((b) => b.id === v.base) ?? list[0];
    const base = median(times.get(baseline.id));
    return {
      group,
      scenario: 'direct spawn, ms per request',
      subject: v.name,
      baseline: baseline.name,
      metric: 'ms',
      rps: round(1000 / ms, 1),
      ms: round(ms, 2),
      p90_ms: round(percentile(times.get(v.id), 90), 2),
      p99_ms: null,
      rss_mb: null,
      ratio_vs_baseline: round(ms / base, 3),
      rounds: n,
      // Run i of every subject is in the same round (interleaved), so they pair (lib/before.mjs).
      ms_rounds: times.get(v.id).map((t) => round(t, 2)),
      errors: 0,
      notes: notes.get(v.id) ?? '',
    };
  });
  for (const r of rows)
    ctx.log(`  direct  ${r.subject.padEnd(28)} ${r.ms} ms (x${r.ratio_vs_baseline})`);
  return rows;
}

export async function run(ctx) {
  const { list, skipped, remove } = await setup(ctx.log);
  let apache;
  try {
    const rows = direct(list, ctx);
    for (const v of skipped) {
      rows.push({
        group,
        scenario: 'direct spawn, ms per request',
        subject: v.name,
        metric: 'ms',
        rps: null,
        p99_ms: null,
        rss_mb: null,
        ratio_vs_baseline: null,
        notes: `skipped: ${v.why}`,
      });
    }
    if (findTool('apache2') === undefined) {
      ctx.log('  apache2 not found: skipping the Apache rows');
      return rows;
    }
    const dir = join(list[0].path, '..');
    apache = await startApache({
      modules: ['alias', 'cgid'],
      config: `ScriptAlias /cgi-bin/ ${dir}/
<Directory ${dir}>
  Require all granted
</Directory>
KeepAliveTimeout 30
MaxKeepAliveRequests 0`,
    });
    // --quick: the baseline, the README's runCGIModule script, php-cgi and the shell script only.
    const quickIds = new Set(['bare', 'tsgi', 'php-cgi', 'shell']);
    const viaApache = await interleave({
      group,
      subjects: ctx.quick ? list.filter((v) => quickIds.has(v.id)) : list,
      workloads: [
        {
          id: 'apache',
          name: 'Apache mod_cgid, 2 conns',
          connections: 2,
          warmRequests: ctx.quick ? 4 : 40,
          check: checkHello,
        },
      ],
      start: async (s) => ({
        url: `${apache.url}/cgi-bin/${s.file}`,
        pids: () => [],
        stop: async () => {},
      }),
      rss: false,
      ctx,
    });
    return [...rows, ...viaApache];
  } finally {
    await apache?.stop();
    remove();
  }
}
