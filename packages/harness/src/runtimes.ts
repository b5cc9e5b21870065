/**
 * The other JavaScript runtimes tests run TSGI on: Bun, Deno and workerd, pinned root
 * devDependencies whose binaries `pnpm install` puts under node_modules (issue 18). A test that
 * needs one calls `requireRuntime`: under `CI=true` a missing runtime fails the test; on a
 * developer machine the test is skipped and the reason is printed (as `requireTool` does).
 * `startRuntimeScript` runs a module on loopback only: `PORT` names the 127.0.0.1 port to use
 * (a function of the port gives the script's arguments, e.g. `--bind 127.0.0.1:PORT`).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startDaemon, tempDir, waitForPort } from './daemon.js';
import { findTool, inCI } from './tools.js';

/** The runtimes the harness starts. */
export type RuntimeName = 'bun' | 'deno' | 'workerd';

/** The repository root (this file is packages/harness/{src,dist}/runtimes.*). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

// Where each npm package puts its binary once its postinstall has run.
const _BINARY: Readonly<Record<RuntimeName, string>> = {
  bun: 'bin/bun.exe',
  deno: 'deno',
  workerd: 'bin/workerd',
};

/** The absolute path of a runtime's binary: the pinned devDependency, else one on PATH. */
export function findRuntime(name: RuntimeName): string | undefined {
  try {
    const pkg = createRequire(join(REPO_ROOT, 'package.json')).resolve(`${name}/package.json`);
    const bin = join(dirname(pkg), _BINARY[name]);
    // Before its postinstall the file is a placeholder script, not the binary.
    if (existsSync(bin) && readFileSync(bin).subarray(0, 4).toString('latin1') === '\x7fELF')
      return bin;
  } catch {
    // not installed: fall through to PATH
  }
  return findTool(name);
}

/**
 * A runtime's binary for a test file, or `undefined` after printing why its tests are skipped.
 * Under CI it throws instead: `pnpm install` must have made the pinned binaries runnable
 * (package.json `pnpm.onlyBuiltDependencies` lets their postinstall run).
 */
export function requireRuntime(name: RuntimeName, why: string): string | undefined {
  const found = findRuntime(name);
  if (found !== undefined) return found;
  const msg = `${name} not found (${why}); run \`pnpm install\` (the root devDependency provides it)`;
  if (inCI) throw new Error(`CI: ${msg}`);
  console.warn(`SKIP: ${msg}`);
  return undefined;
}

/** A server a runtime runs on loopback. */
export interface RuntimeServer {
  url: string;
  port: number;
  /** The runtime's process id (for CPU and memory readings). */
  pid: number | undefined;
  /** The runtime's stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Options for `startRuntimeScript`. */
export interface RuntimeScriptOptions {
  /** Extra environment variables (`PORT` is set by the harness). */
  env?: Record<string, string>;
  /** Extra runtime flags before the script (Deno: `--unstable-...`). */
  flags?: readonly string[];
  /** Arguments after the script (Bun, Deno), or a function of the port that makes them. */
  args?: readonly string[] | ((port: number) => readonly string[]);
}

/**
 * Runs `script`, an ES module that listens on `127.0.0.1:$PORT` (Bun, Deno), or that
 * `export default { fetch }` (workerd: bundled with esbuild, served by a generated config), and
 * resolves once the port accepts connections.
 */
export async function startRuntimeScript(
  name: RuntimeName,
  script: string,
  options: RuntimeScriptOptions = {},
): Promise<RuntimeServer> {
  const binary = findRuntime(name);
  if (binary === undefined) throw new Error(`${name} not found; run \`pnpm install\``);
  const port = await freePort();
  const env = { ...process.env, ...options.env, PORT: String(port), NO_COLOR: '1' };
  const dir = tempDir(`tsgi-${name}-`);
  let args: string[];
  const after = typeof options.args === 'function' ? options.args(port) : (options.args ?? []);
  if (name === 'bun') args = [...(options.flags ?? []), script, ...after];
  else if (name === 'deno') {
    // A script outside any package resolves bare imports from the node_modules pnpm made.
    args = ['run', '-A', '--node-modules-dir=manual', ...(options.flags ?? []), script, ...after];
  } else args = ['serve', await _workerdConfig(script, dir.path, port), ...(options.flags ?? [])];
  const daemon = startDaemon(binary, args, { cwd: dir.path, env });
  try {
    await Promise.race([
      waitForPort(port),
      daemon.exited.then((code) => {
        throw new Error(`${name} exited with ${code}: ${daemon.output()}`);
      }),
    ]);
  } catch (err) {
    await daemon.stop();
    dir.remove();
    throw err;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: daemon.process.pid,
    output: () => daemon.output(),
    async stop() {
      await daemon.stop();
      dir.remove();
    },
  };
}

/** Bundles `script` into `dir` and writes the workerd config serving it on `port`. */
async function _workerdConfig(script: string, dir: string, port: number): Promise<string> {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [script],
    outfile: join(dir, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    conditions: ['workerd', 'worker', 'import'],
    mainFields: ['module', 'main'],
    // workerd's import.meta.url is no URL; the probe's lint reads its own location from it.
    define: { 'import.meta.url': JSON.stringify('file:///worker.js') },
    external: ['node:*'], // workerd provides them (nodejs_compat, on by default since 2026-08-04)
    logLevel: 'warning',
  });
  const config = join(dir, 'config.capnp');
  writeFileSync(
    config,
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .worker) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);
const worker :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2026-11-01",
);
`,
  );
  return config;
}
