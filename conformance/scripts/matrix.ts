/**
 * `pnpm conformance:matrix`: the server suite against every server the project ships behind
 * every real web server it supports, with the probe mounted below a SCRIPT_NAME:
 *
 *   node:http direct; serve with TLS, every case as an HTTP/2 stream and as HTTP/1.1 by ALPN (tls-gateways.ts); FastCGI and SCGI behind nginx, Apache and lighttpd; CGI behind Apache, lighttpd
 *   and busybox httpd; @tsgi/serve on Bun, Deno (native, and @tsgi/node through their Node
 *   compatibility) and workerd (runtimes.ts).
 *
 * Writes conformance/results/matrix.json, matrix.md and one report per configuration. A
 * configuration whose web server is not installed is listed as skipped, with the reason.
 * A failure listed in front-end-findings.ts is the web server's doing and is shown as such (⚑,
 * with the reason); a failure the profile relaxes (ADP-FCGI-22, ADP-SCGI-11, ADP-CGI-17) is ≈, a case the
 * configuration cannot show is ◌; the exit status is 1 when a configuration could not run or a
 * case failed for a reason not listed there (matrix-render.ts).
 */
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { serveFastCGI } from '@tsgi/fastcgi';
import {
  findTool,
  selfSignedCertificate,
  startApache,
  startBusyboxHttpd,
  startLighttpd,
  startNginx,
  type WebServer,
} from '@tsgi/harness';
import { serve } from '@tsgi/node';
import { serveSCGI } from '@tsgi/scgi';
import { createProbe } from '../src/probe/index.js';
import { formatJson } from '../src/report/index.js';
import { runServerSuite, type SuiteReport } from '../src/server/runner.js';
import { type Column, matrixJson, renderMarkdown, unexplained } from './matrix-render.js';
import { RUNTIME_CONFIGS } from './runtimes.js';
import { type LocalGateway, startH2Gateway, startTlsPipe, type Upstream } from './tls-gateways.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(HERE, '../..');
const OUT = join(HERE, '../results');
const MOUNT = '/app';

/** A running configuration. */
export interface Running {
  url: string;
  mount: string;
  /** The scheme of the server's own connection, when a gateway in front changes it. */
  scheme?: 'https';
  stop(): Promise<void>;
}

/** One column of the matrix. */
export interface Config {
  name: string;
  profile: 'node' | 'fastcgi' | 'scgi' | 'cgi' | 'http' | 'bun' | 'deno' | 'workerd';
  /** The web server binary it needs, if any. */
  tool?: string;
  /** The probe keeps no state between requests (isolates): the suite runs `--stateless`. */
  stateless?: boolean;
  start(obs: string): Promise<Running>;
}

const quiet = { errors: () => {} };

/** How a gateway backend (FastCGI, SCGI) is started, and what the matrix needs of it. */
type Gateway = (
  app: ReturnType<typeof createProbe>,
  options: { port: 0; scriptName: string; errors(): void },
) => Promise<{
  address: { kind: string; port?: number } | undefined;
  close(o: { timeout: number }): Promise<void>;
}>;

/** A FastCGI backend hosting the probe, and a web server in front of it. */
function fastcgi(front: (port: number) => Promise<WebServer>, obs: string): Promise<Running> {
  return gateway(serveFastCGI, front, obs);
}

/** An SCGI backend hosting the probe, and a web server in front of it (ADP-SCGI). */
function scgi(front: (port: number) => Promise<WebServer>, obs: string): Promise<Running> {
  return gateway(serveSCGI, front, obs);
}

/** A `serve` backend hosting the probe below MOUNT, and a web server in front of it. */
async function gateway(
  serveBackend: Gateway,
  front: (port: number) => Promise<WebServer>,
  obs: string,
): Promise<Running> {
  const backend = await serveBackend(createProbe({ dir: obs }), {
    port: 0,
    scriptName: MOUNT,
    ...quiet,
  });
  const address = backend.address;
  const port = address?.kind === 'tcp' ? (address.port ?? 0) : 0;
  const web = await front(port);
  return {
    url: web.url,
    mount: MOUNT,
    async stop() {
      await web.stop();
      await backend.close({ timeout: 500 });
    },
  };
}

/** The CGI program: the probe under @tsgi/cgi, observations in `obs` (TSGI_CONFORMANCE_DIR). */
function cgiScript(obs: string): string {
  const cgi = pathToFileURL(join(ROOT, 'packages/cgi/dist/index.js')).href;
  const probe = pathToFileURL(join(ROOT, 'conformance/dist/probe/index.js')).href;
  return `#!${process.execPath}
import { runCGI } from '${cgi}';
import { createProbe } from '${probe}';
await runCGI(createProbe({ dir: ${JSON.stringify(obs)} }));
`;
}

/** Installs the CGI program in `cgiBin`; the probe is then at /cgi-bin/probe.mjs. */
function cgi(web: WebServer, cgiBin: string, obs: string): Running {
  mkdirSync(cgiBin, { recursive: true });
  chmodSync(cgiBin, 0o755);
  writeFileSync(join(cgiBin, 'probe.mjs'), cgiScript(obs));
  chmodSync(join(cgiBin, 'probe.mjs'), 0o755);
  return { url: web.url, mount: '/cgi-bin/probe.mjs', stop: () => web.stop() };
}

const FASTCGI_PARAMS = '/etc/nginx/fastcgi_params';
const SCGI_PARAMS = '/etc/nginx/scgi_params';

export const CONFIGS: Config[] = [
  {
    name: 'node:http',
    profile: 'node',
    async start(obs) {
      const s = await serve(createProbe({ dir: obs }), { port: 0, scriptName: MOUNT, ...quiet });
      return { url: s.url, mount: MOUNT, stop: () => s.close({ timeout: 500 }) };
    },
  },
  {
    // ADP-NODE-15..19: every case as an HTTP/2 stream over TLS (tls-gateways.ts), to the server
    // `tsgi serve --certfile --keyfile` runs.
    name: 'node:http2 (TLS)',
    profile: 'node',
    start: (obs) => tlsColumn(obs, startH2Gateway),
  },
  {
    // ADP-NODE-15: the same server and port, HTTP/1.1 chosen by ALPN (tls-gateways.ts).
    name: 'node:https (HTTP/1.1 by ALPN)',
    profile: 'node',
    start: (obs) => tlsColumn(obs, startTlsPipe),
  },
  {
    name: 'FastCGI + nginx',
    profile: 'fastcgi',
    tool: 'nginx',
    start: (obs) =>
      fastcgi(
        (p) =>
          startNginx({
            config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 64m;
    location ${MOUNT}/ {
      include ${FASTCGI_PARAMS};
      fastcgi_pass 127.0.0.1:${p};
      fastcgi_buffering off;
      fastcgi_request_buffering off;
    }
  }`,
          }),
        obs,
      ),
  },
  {
    name: 'FastCGI + Apache',
    profile: 'fastcgi',
    tool: 'apache2',
    start: (obs) =>
      fastcgi(
        (p) =>
          startApache({
            modules: ['proxy', 'proxy_fcgi'],
            config: `ProxyPass "${MOUNT}/" "fcgi://127.0.0.1:${p}/" flushpackets=on\n`,
          }),
        obs,
      ),
  },
  {
    name: 'FastCGI + lighttpd',
    profile: 'fastcgi',
    tool: 'lighttpd',
    start: (obs) => fastcgi((p) => _lighttpdTo('fastcgi', p), obs),
  },
  {
    name: 'SCGI + nginx',
    profile: 'scgi',
    tool: 'nginx',
    start: (obs) =>
      scgi(
        (p) =>
          startNginx({
            // scgi_request_buffering stays on: off, nginx 1.22 declares a short CONTENT_LENGTH
            // (ADP-SCGI-10).
            config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 64m;
    location ${MOUNT}/ {
      include ${SCGI_PARAMS};
      scgi_param SERVER_SOFTWARE nginx/$nginx_version;
      scgi_pass 127.0.0.1:${p};
      scgi_buffering off;
    }
  }`,
          }),
        obs,
      ),
  },
  {
    name: 'SCGI + Apache',
    profile: 'scgi',
    tool: 'apache2',
    start: (obs) =>
      scgi(
        (p) =>
          startApache({
            modules: ['proxy', 'proxy_scgi'],
            config: `ProxyPass "${MOUNT}/" "scgi://127.0.0.1:${p}/"\n`,
          }),
        obs,
      ),
  },
  {
    name: 'SCGI + lighttpd',
    profile: 'scgi',
    tool: 'lighttpd',
    start: (obs) => scgi((p) => _lighttpdTo('scgi', p), obs),
  },
  {
    name: 'CGI + Apache',
    profile: 'cgi',
    tool: 'apache2',
    async start(obs) {
      const web = await startApache({
        modules: ['alias', 'cgid'],
        config: ({ dir }) =>
          `ScriptAlias /cgi-bin/ ${dir}/cgi-bin/\n<Directory ${dir}/cgi-bin>\n  Require all granted\n</Directory>\n`,
      });
      return cgi(web, join(web.dir, 'cgi-bin'), obs);
    },
  },
  {
    name: 'CGI + lighttpd',
    profile: 'cgi',
    tool: 'lighttpd',
    async start(obs) {
      const web = await startLighttpd({
        modules: ['mod_alias', 'mod_cgi'],
        config: ({ dir }) => `server.stream-response-body = 2
alias.url += ( "/cgi-bin/" => "${dir}/cgi-bin/" )
$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ( "" => "" ) }
`,
      });
      return cgi(web, join(web.dir, 'cgi-bin'), obs);
    },
  },
  {
    name: 'CGI + busybox httpd',
    profile: 'cgi',
    tool: 'busybox',
    async start(obs) {
      const web = await startBusyboxHttpd();
      return cgi(web, join(web.dir, 'www/cgi-bin'), obs);
    },
  },
  ...RUNTIME_CONFIGS,
];

/** lighttpd passing `MOUNT` to a FastCGI or SCGI backend on `port`, bodies streamed both ways. */
function _lighttpdTo(kind: 'fastcgi' | 'scgi', port: number): Promise<WebServer> {
  return startLighttpd({
    modules: [`mod_${kind}`],
    config: `server.stream-response-body = 2
server.stream-request-body = 2
${kind}.server = ( "${MOUNT}" => ( ( "host" => "127.0.0.1", "port" => ${port}, "check-local" => "disable" ) ) )
`,
  });
}

/**
 * `serve` with TLS, HTTP/2 and HTTP/1.1 on one port (its default with `tls`), behind a gateway
 * that speaks cleartext HTTP/1.x to the suite and trusts only this server's certificate.
 */
async function tlsColumn(
  obs: string,
  gatewayFor: (upstream: Upstream) => Promise<LocalGateway>,
): Promise<Running> {
  const files = selfSignedCertificate(obs);
  const cert = readFileSync(files.cert);
  const tls = { key: readFileSync(files.key), cert };
  const s = await serve(createProbe({ dir: obs }), { port: 0, scriptName: MOUNT, tls, ...quiet });
  const gateway = await gatewayFor({ url: s.url, ca: cert });
  return {
    url: gateway.url,
    mount: MOUNT,
    scheme: 'https',
    async stop() {
      await gateway.stop();
      await s.close({ timeout: 500 });
    },
  };
}

async function main(): Promise<number> {
  mkdirSync(OUT, { recursive: true });
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const columns: Column[] = [];
  for (const config of CONFIGS) {
    const file = config.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    if (only.length > 0 && !only.some((o) => config.name.toLowerCase().includes(o.toLowerCase()))) {
      // A partial run (`matrix.ts http2`) keeps the other columns as their last full run left
      // them, so matrix.md stays whole.
      const kept = join(OUT, `matrix-${file}.json`);
      if (existsSync(kept))
        columns.push({
          config: config.name,
          profile: config.profile,
          skipped: null,
          report: JSON.parse(readFileSync(kept, 'utf8')) as SuiteReport,
        });
      continue;
    }
    const column: Column = {
      config: config.name,
      profile: config.profile,
      skipped: null,
      report: null,
    };
    columns.push(column);
    if (config.tool !== undefined && findTool(config.tool) === undefined) {
      column.skipped = `${config.tool} is not installed`;
      process.stdout.write(`- ${config.name}: skipped (${column.skipped})\n`);
      continue;
    }
    // Run-once CGI programs may run as another user (Apache's www-data): world-writable.
    const obs = mkdtempSync(join(tmpdir(), 'tsgi-matrix-obs-'));
    chmodSync(obs, 0o777);
    let running: Running | undefined;
    try {
      running = await config.start(obs);
      const started = Date.now();
      column.report = await runServerSuite({
        url: running.url,
        mount: running.mount,
        profile: config.profile,
        stateless: config.stateless === true,
        ...(running.scheme !== undefined ? { scheme: running.scheme } : {}),
      });
      const s = column.report.summary;
      const bad = unexplained(column);
      process.stdout.write(
        `${bad.length === 0 ? '✓' : '✗'} ${config.name}: ${s.pass} passed, ${s.relaxed} relaxed, ${s.fail - bad.length} front-end findings, ${bad.length} unexplained failures${bad.length > 0 ? ` (${bad.join(', ')})` : ''}, ${s.unobservable} cannot be observed, ${s.skip} skipped, ${s['n/a']} n/a in ${Date.now() - started} ms\n`,
      );
      writeFileSync(join(OUT, `matrix-${file}.json`), formatJson(column.report));
    } catch (err) {
      column.skipped = `could not start: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      process.stdout.write(`- ${config.name}: ${column.skipped}\n`);
    } finally {
      await running?.stop().catch(() => {});
      rmSync(obs, { recursive: true, force: true });
    }
  }
  const json = matrixJson(columns);
  writeFileSync(join(OUT, 'matrix.json'), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(join(OUT, 'matrix.md'), renderMarkdown(columns));
  process.stdout.write(`\nwrote ${join(OUT, 'matrix.json')} and matrix.md\n`);
  // A front end's own quirks are findings to publish (listed with their reason); anything
  // else is a failure of the adapter or the suite. --strict counts the findings too.
  const strict = process.argv.includes('--strict');
  const broken = columns.some(
    (c) =>
      c.skipped !== null ||
      unexplained(c).length > 0 ||
      (strict && c.report !== null && !c.report.summary.ok),
  );
  return broken ? 1 : 0;
}

process.exitCode = await main();
