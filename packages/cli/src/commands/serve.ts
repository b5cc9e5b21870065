/**
 * `tsgi serve APP`: serve an application over HTTP/1.1, or HTTPS with HTTP/2 and HTTP/1.1 on one
 * port, with `@tsgi/node`.
 */
import cluster from 'node:cluster';
import { dirname } from 'node:path';
import { type Application, proxyHeaders } from '@tsgi/core';
import { type ServeOptions, type ServerHandle, serve } from '@tsgi/node';
import { handleShutdownSignals, serverSignals, systemdListenFd } from '@tsgi/server-node';
import { loadApp, resolveAppModule } from '../_app.js';
import {
  DEFAULT_BIND,
  firstLine,
  parseBind,
  parseCommandArgs,
  parseInteger,
  parseServerArgs,
  SERVER_FLAGS,
  SERVER_FLAGS_HELP,
  UsageError,
} from '../_args.js';
import { answerHeartbeat, superviseWorkers } from '../_cluster.js';
import { logs, setLogLevel } from '../_log-level.js';
import { appendingLog, stampedErrors } from '../_logs.js';
import { withStatus } from '../_status.js';
import { applyTlsFlags, TLS_FLAGS } from '../_tls-flags.js';
import { WS_FLAGS, WS_FLAGS_HELP, websocketOptions } from '../_websocket-flags.js';

export const summary = 'serve APP over HTTP/1.1, or HTTPS with HTTP/2, with node:http(2)';

export const usage = `Usage: tsgi serve APP [options]

Serve a TSGI application over HTTP/1.1 (node:http); with --certfile, over HTTPS with HTTP/2
and HTTP/1.1 on one port (node:http2, ALPN).

APP is a module path (app.js, src/app.ts) or a package specifier (@scope/pkg/app),
optionally followed by :exportName (default: the default export, else the export 'app').

Listening:
  -b, --bind ADDR            HOST:PORT, [IPV6]:PORT or unix:PATH (default ${DEFAULT_BIND}, or
                             the socket systemd passes on fd 3 with LISTEN_FDS)
      --script-name PATH     mount the application at PATH (SCRIPT_NAME), e.g. /api
      --certfile FILE        serve HTTPS with this PEM certificate (chain) ...
      --keyfile FILE         ... and this PEM private key (both, as gunicorn and uvicorn)
      --ca-certs FILE        accept only clients with a certificate these CAs signed (mTLS)
      --no-http2             with --certfile: HTTP/1.1 only (default: HTTP/2 and HTTP/1.1)
      --http2                without --certfile: cleartext HTTP/2 with prior knowledge (h2c),
                             which HTTP/1.1 clients cannot use
      --forwarded-allow-ips L  proxies (comma-separated, or *) whose X-Forwarded-For and
                             X-Forwarded-Proto are believed (REMOTE_ADDR, tsgi.url_scheme)

Workers:
  -w, --workers N            run N worker processes sharing the socket (default 1)
      --timeout S            with --workers: kill and replace a worker whose event loop
                             has not answered for S seconds (default 30; 0: never)
      --max-requests N       with --workers: replace a worker after it served N requests
      --max-requests-jitter J  ... after N + a random 0..J, so workers do not restart together
      --reload               restart the workers when a file under APP's directory changes
                             (development; in-flight requests finish first)

Limits and timeouts:
      --max-body-size SIZE   answer 413 to request bodies over SIZE (e.g. 10m)
      --max-conns N          open connections; more get 503 and are closed (default 4096)
      --max-conns-per-ip N   open connections from one address (default: --max-conns)
      --header-timeout MS    a request's header section must arrive within MS; else 408
                             and the connection closes (default 60000, nginx's 60 s)
      --keep-alive MS        close a kept-alive connection idle for MS (default 5000)
${WS_FLAGS_HELP}

Logs and monitoring:
      --access-log           log a Common Log Format line per request to stdout
      --access-log-format F  common (default), combined (with referer and user agent) or json
      --access-log-file PATH append the access log to PATH instead (reopened on SIGUSR1,
                             for logrotate); implies --access-log
      --ping-path PATH       answer PATH with 'pong' before the application (php-fpm ping.path)
      --status-path PATH     answer PATH with the process's status as JSON (pm.status_path)

Common to serve, fastcgi and scgi:
${SERVER_FLAGS_HELP}

Examples:
  tsgi serve app.js
  tsgi serve src/app.ts:app --bind 0.0.0.0:8080 --workers 4
  tsgi serve app.js --bind 0.0.0.0:8443 --certfile cert.pem --keyfile key.pem
`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs('serve', argv, {
    ...SERVER_FLAGS,
    ...WS_FLAGS,
    ...TLS_FLAGS,
    'access-log': { type: 'boolean' },
    reload: { type: 'boolean' },
    'forwarded-allow-ips': { type: 'string' },
    'ping-path': { type: 'string' },
    'status-path': { type: 'string' },
    'max-requests': { type: 'string' },
    timeout: { type: 'string' },
    'max-requests-jitter': { type: 'string' },
    'access-log-format': { type: 'string' },
    'access-log-file': { type: 'string' },
    'max-conns': { type: 'string' },
    'max-conns-per-ip': { type: 'string' },
    'header-timeout': { type: 'string' },
    'keep-alive': { type: 'string' },
  });
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const args = parseServerArgs('serve', values, positionals);
  setLogLevel(args.logLevel);
  const { spec, workers } = args;
  // systemd socket activation (LISTEN_FDS, issue 23): without --bind, the socket on fd 3.
  const activated = values.bind === undefined ? systemdListenFd() : undefined;
  if (activated !== undefined && workers > 1) {
    throw new UsageError(
      '--workers with systemd socket activation: not supported; run one tsgi per socket unit, or --bind an address',
    );
  }
  const options: ServeOptions =
    activated !== undefined
      ? { fd: activated }
      : { ...parseBind(values.bind ?? DEFAULT_BIND), ...args.socket };
  applyTlsFlags(values, options);
  if (args.scriptName !== undefined) options.scriptName = args.scriptName;
  if (args.maxBodySize !== undefined) options.maxBodySize = args.maxBodySize;
  if (args.shutdownTimeout !== undefined) options.shutdownTimeout = args.shutdownTimeout;
  if (args.exposeErrors === true) options.exposeErrors = true;
  if (values['access-log'] === true) options.accessLog = true;
  const format = values['access-log-format'];
  if (format !== undefined) {
    if (format !== 'common' && format !== 'combined' && format !== 'json')
      throw new UsageError(`--access-log-format must be common, combined or json, got '${format}'`);
    options.accessLogFormat = format;
    options.accessLog ??= true;
  }
  const file = values['access-log-file'];
  if (file !== undefined) options.accessLog = appendingLog(file);
  options.errors = stampedErrors(); // time and pid on every line of the error log (issue 23)
  // SRV-06, SRV-08 (issue 22): the limits a flood of slow or idle connections meets.
  if (values['max-conns'] !== undefined)
    options.maxConnections = parseInteger('--max-conns', values['max-conns'], 1, 1_000_000);
  if (values['max-conns-per-ip'] !== undefined) {
    options.maxConnectionsPerAddress = parseInteger(
      '--max-conns-per-ip',
      values['max-conns-per-ip'],
      1,
      1_000_000,
    );
  }
  if (values['header-timeout'] !== undefined)
    options.headersTimeout = parseInteger(
      '--header-timeout',
      values['header-timeout'],
      1,
      3_600_000,
    );
  const websocket = websocketOptions(values);
  if (websocket !== undefined) options.websocket = websocket;
  if (values['keep-alive'] !== undefined)
    options.keepAliveTimeout = parseInteger('--keep-alive', values['keep-alive'], 1, 3_600_000);

  // --max-requests (gunicorn's max_requests, max_requests_jitter): recycles leaky workers.
  let maxRequests = 0;
  if (values['max-requests'] !== undefined) {
    if (workers < 2 && values.reload !== true)
      throw new UsageError(
        '--max-requests needs --workers 2 or more (a worker is replaced, not the server)',
      );
    maxRequests = parseInteger('--max-requests', values['max-requests'], 1, 1e9);
    const jitter = values['max-requests-jitter'];
    if (jitter !== undefined)
      maxRequests += Math.floor(
        Math.random() * (parseInteger('--max-requests-jitter', jitter, 0, 1e9) + 1),
      );
  }
  // --reload supervises even one worker, so the primary can replace it when a file changes.
  if ((workers > 1 || values.reload === true) && cluster.isPrimary) {
    const watch =
      values.reload === true ? dirname(resolveAppModule(spec, process.cwd())) : undefined;
    const timeout =
      values.timeout === undefined ? 30 : parseInteger('--timeout', values.timeout, 0, 86_400);
    return superviseWorkers(workers, options.path, watch, timeout * 1000);
  }
  // The shared signal rule (@tsgi/server-node); a worker leaves SIGINT to the primary.
  let close = async (): Promise<void> => {}; // nothing to shut down before listening
  handleShutdownSignals(() => close(), serverSignals(cluster.isWorker));
  if (cluster.isWorker) answerHeartbeat();
  try {
    let note = '';
    const layers: _Layers = {
      allow: values['forwarded-allow-ips'],
      recycle: maxRequests > 0 && cluster.isWorker ? maxRequests : 0,
      ping: values['ping-path'],
      status: values['status-path'],
    };
    const handle = await _start(spec, options, layers, (how) => {
      note = ` (${how})`;
    });
    close = () => handle.close();
    if (!cluster.isWorker && logs('info'))
      process.stdout.write(`Listening on ${handle.url}${note}\n`);
  } catch (err) {
    if (!(err instanceof UsageError) || !cluster.isWorker) throw err;
    // Every worker fails the same way: let the primary print it once.
    await new Promise<void>((resolve) => {
      if (process.send === undefined) resolve();
      else process.send({ tsgiError: err.message }, undefined, {}, () => resolve());
    });
    return 2;
  }
  return new Promise<number>(() => {}); // runs until a signal shuts the server down
}

/** What the flags put around the application. */
interface _Layers {
  /** --forwarded-allow-ips: the proxies whose forwarding headers are believed (ENV-19). */
  allow: string | undefined;
  /** --max-requests in a worker: requests before it asks to be replaced; 0 for never. */
  recycle: number;
  ping: string | undefined;
  status: string | undefined;
}

async function _start(
  spec: string,
  options: ServeOptions,
  layers: _Layers,
  onAdapted: (how: string) => void,
): Promise<ServerHandle> {
  let handle: ServerHandle | undefined;
  let app = await loadApp(spec, process.cwd(), onAdapted);
  const { allow, recycle, ping, status } = layers;
  if (allow !== undefined) {
    // ENV-19: forwarding headers only through the middleware, only from the proxies named.
    app = proxyHeaders(app, { trusted: allow.trim() === '*' ? '*' : allow.split(',') });
  }
  if (recycle > 0) app = _countRequests(app, recycle);
  if (ping !== undefined || status !== undefined) {
    app = withStatus(app, ping, status, () => {
      const server = handle?.server;
      return server === undefined
        ? undefined
        : { connections: () => new Promise((r) => server.getConnections((_e, n) => r(n ?? 0))) };
    });
  }
  try {
    handle = await serve(app, options);
    return handle;
  } catch (err) {
    const where =
      options.path !== undefined ? `unix:${options.path}` : `${options.host}:${options.port}`;
    throw new UsageError(`cannot listen on ${where}: ${firstLine(err)}`);
  }
}

/** --max-requests: tells the primary once `limit` requests have started; it then replaces us. */
function _countRequests(app: Application, limit: number): Application {
  let count = 0;
  return (environ, startResponse) => {
    if (++count === limit) process.send?.({ tsgiRecycle: count });
    return app(environ, startResponse);
  };
}
