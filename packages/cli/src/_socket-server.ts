/**
 * What the commands serving a web server's gateway protocol (`tsgi fastcgi`, `tsgi scgi`) share
 * once their own flags are read: the listening address (`--bind`, else a socket on fd 0, else the
 * protocol's default), the options every such server takes, and the run itself: workers, the
 * shutdown signals, loading the app, listening and saying where.
 */
import cluster from 'node:cluster';
import type { Application } from '@tsgi/core';
import {
  type GatewayServerOptions,
  handleShutdownSignals,
  isInheritedSocket,
  type ListenAddress,
  serverSignals,
  systemdListenFd,
  urlHost,
} from '@tsgi/server-node';
import { loadApp } from './_app.js';
import { firstLine, parseBind, type ServerArgs, UsageError } from './_args.js';
import { superviseWorkers } from './_cluster.js';
import { logs, setLogLevel } from './_log-level.js';
import { stampedErrors } from './_logs.js';

/** The options fastcgi and scgi servers both take, from the shared flags. */
export interface GatewayOptions extends GatewayServerOptions {
  scriptName?: string;
  /** The server's error log (stamped lines, _error-log.ts). */
  errors?: (text: string) => void;
}

/** Where to listen and the shared options, and how the address reads in an error. */
export interface GatewayPlan {
  options: GatewayOptions;
  /** `--bind`'s text, the default's, or `fd 0`. */
  where: string;
}

/**
 * Without `--bind`, the socket on fd 0 when there is one (a web server or process manager that
 * spawns the application puts it there), else `defaultBind`.
 */
export function gatewayOptions(
  bind: string | undefined,
  args: ServerArgs,
  defaultBind: string,
): GatewayPlan {
  setLogLevel(args.logLevel);
  // systemd socket activation (fd 3 with LISTEN_FDS) first, then a web server's fd 0.
  const activated = bind === undefined ? systemdListenFd() : undefined;
  const inherited = activated === undefined && bind === undefined && isInheritedSocket(0);
  const options: GatewayOptions =
    activated !== undefined
      ? { fd: activated }
      : inherited
        ? { fd: 0 }
        : { ...parseBind(bind ?? defaultBind), ...args.socket };
  if (args.scriptName !== undefined) options.scriptName = args.scriptName;
  if (args.maxBodySize !== undefined) options.maxBodySize = args.maxBodySize;
  if (args.exposeErrors === true) options.exposeErrors = true;
  if (args.workers > 1) options.multiprocess = true;
  if (args.shutdownTimeout !== undefined) options.shutdownTimeout = args.shutdownTimeout;
  options.errors = stampedErrors(true);
  const where = activated !== undefined ? `fd ${activated}` : inherited ? 'fd 0' : undefined;
  return { options, where: where ?? bind ?? defaultBind };
}

/** A listening server, as `runGatewayServer` needs it. */
interface _Served {
  readonly address: ListenAddress | undefined;
  close(): Promise<void>;
}

/**
 * Runs the server until a signal shuts it down: with `workers > 1` the primary supervises that
 * many workers; each one (or the only process) installs the shared signal rule, loads the app,
 * listens through `serve` and prints `<protocol> listening on <where>`.
 */
export async function runGatewayServer(
  protocol: string,
  args: ServerArgs,
  plan: GatewayPlan,
  serve: (app: Application) => Promise<_Served>,
): Promise<number> {
  if (args.workers > 1 && cluster.isPrimary)
    return superviseWorkers(args.workers, plan.options.path);
  // Web servers stop their gateway children with SIGTERM: the shared signal rule
  // (@tsgi/server-node); a cluster worker leaves SIGINT to the primary.
  let close = async (): Promise<void> => {}; // nothing to shut down before listening
  handleShutdownSignals(() => close(), serverSignals(cluster.isWorker));
  let note = '';
  const app = await loadApp(args.spec, process.cwd(), (how) => {
    note = ` (${how})`;
  });
  let server: _Served;
  try {
    server = await serve(app);
  } catch (err) {
    throw new UsageError(`cannot listen on ${plan.where}: ${firstLine(err)}`);
  }
  close = () => server.close();
  const a = server.address;
  if (!cluster.isWorker && a !== undefined) {
    const where =
      a.kind === 'tcp'
        ? `${urlHost(a.host)}:${a.port}`
        : a.kind === 'unix'
          ? `unix:${a.path}`
          : `fd ${a.fd}`;
    if (logs('info')) process.stdout.write(`${protocol} listening on ${where}${note}\n`);
  }
  return new Promise<number>(() => {}); // runs until a signal shuts the server down
}
