/**
 * Shared plumbing for the web-server starters (nginx, Apache, lighttpd, ...): a temp dir the
 * server's workers can read, a free loopback port, a generated config, the daemon in the
 * foreground, and readiness detection that fails fast with the server's own output.
 */
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { type Daemon, freePort, startDaemon, tempDir } from './daemon.js';
import { type RecipeValues, type RenderedRecipe, writeRecipe } from './recipes.js';

/** A running web server on 127.0.0.1. */
export interface WebServer {
  /** The TCP port it listens on. */
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** Its temp dir (config, logs, pid file; put sockets and scripts here too). */
  readonly dir: string;
  /** The daemon's stdout/stderr and its error log so far, for failure messages. */
  output(): string;
  /** Stops the server (SIGTERM, then SIGKILL) and removes its temp dir. */
  stop(): Promise<void>;
  /** The docs/recipes/ files the server was started with, as rendered for this machine. */
  readonly recipes: readonly RenderedRecipe[];
}

/** Values a config generator receives. */
export interface ConfigContext {
  /** The port the server must listen on (on 127.0.0.1). */
  port: number;
  /** The server's temp dir. */
  dir: string;
}

/** A config as text, or generated from the port and dir. */
export type ConfigSource = string | ((ctx: ConfigContext) => string);

/**
 * A recipe of docs/recipes/ for a server's config: the starter renders it into the temp dir
 * with `values` (recipes.ts) and includes it in the config it generates around it.
 */
export interface RecipeUse {
  /** The file name in docs/recipes/, e.g. `nginx-fastcgi-tcp.conf`. */
  name: string;
  /** The recipe's literals → this machine's values (its port, its dir, the backend's port). */
  values(ctx: ConfigContext): RecipeValues;
}

/** Renders each recipe into the server's dir. */
export function renderRecipes(
  uses: readonly RecipeUse[] | undefined,
  ctx: ConfigContext,
): RenderedRecipe[] {
  return (uses ?? []).map((u) => writeRecipe(ctx.dir, u.name, u.values(ctx)));
}

/** How to start one kind of web server. */
export interface WebServerSpec {
  /** Name for messages, e.g. "nginx". */
  name: string;
  /** Absolute path of the executable. */
  command: string;
  /**
   * Writes the config into `dir` and returns the command-line arguments. `recipes` are the
   * spec's recipes, already rendered into `dir` for this port, for the config to include.
   */
  prepare(ctx: ConfigContext, recipes: readonly RenderedRecipe[]): string[];
  /** Log files (relative to the dir) to include in `output()`. */
  logs?: readonly string[];
  /** Prepared temp dir to use instead of a fresh one (e.g. created earlier to hold sockets). */
  dir?: string;
  /** Called with a prepared dir before the config is written. */
  setup?(dir: string): void;
  /** Recipes of docs/recipes/ the config includes (see `RecipeUse`). */
  recipes?: readonly RecipeUse[] | undefined;
}

/** Renders a config source. */
export function renderConfig(source: ConfigSource, ctx: ConfigContext): string {
  return typeof source === 'string' ? source : source(ctx);
}

/** True when the process runs as root (servers then need explicit unprivileged users). */
export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function _connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

async function _waitReady(
  daemon: Daemon,
  port: number,
  timeoutMs: number,
): Promise<'ready' | 'exited' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (daemon.process.exitCode !== null || daemon.process.signalCode !== null) return 'exited';
    if (await _connectable(port)) return 'ready';
    if (Date.now() > deadline) return 'timeout';
    await new Promise((r) => setTimeout(r, 40));
  }
}

/**
 * Starts a web server from a spec: picks a free port, writes the config, runs the daemon, and
 * resolves once it accepts connections. Retries with another port when the chosen one was
 * taken in the meantime (tests run in parallel). Rejects with the server's output otherwise.
 */
export async function startWebServer(spec: WebServerSpec, timeoutMs = 15_000): Promise<WebServer> {
  const tmp =
    spec.dir === undefined ? tempDir(`tsgi-${spec.name}-`) : { path: spec.dir, remove: () => {} };
  const dir = tmp.path;
  chmodSync(dir, 0o755); // the server's unprivileged workers read their config and scripts here
  spec.setup?.(dir);
  const logs = spec.logs ?? [];
  const readLogs = (): string =>
    logs
      .map((l) => `${dir}/${l}`)
      .filter((p) => existsSync(p))
      .map((p) => `--- ${p}\n${readFileSync(p, 'utf8')}`)
      .join('\n');
  let lastOutput = '';
  for (let attempt = 0; attempt < 4; attempt++) {
    const port = await freePort();
    const rendered = renderRecipes(spec.recipes, { port, dir });
    const args = spec.prepare({ port, dir }, rendered);
    const daemon = startDaemon(spec.command, args, { cwd: dir });
    // Never outlive the test process, even when it exits without calling stop(). SIGTERM, not
    // SIGKILL: the servers then stop their own children (Apache workers, lighttpd's FastCGI apps).
    const reap = (): void => {
      daemon.process.kill('SIGTERM');
    };
    process.once('exit', reap);
    daemon.process.once('exit', () => process.off('exit', reap));
    const state = await _waitReady(daemon, port, timeoutMs);
    const output = (): string => `${daemon.output()}\n${readLogs()}`;
    if (state === 'ready') {
      return {
        port,
        url: `http://127.0.0.1:${port}`,
        dir,
        output,
        recipes: rendered,
        async stop() {
          await daemon.stop();
          tmp.remove();
        },
      };
    }
    lastOutput = output();
    await daemon.stop();
    if (!/address already in use|could not bind|EADDRINUSE/i.test(lastOutput)) {
      tmp.remove();
      throw new Error(`${spec.name} did not start (${state}):\n${lastOutput}`);
    }
  }
  tmp.remove();
  throw new Error(`${spec.name} did not start: no free port after 4 attempts:\n${lastOutput}`);
}
