/**
 * The matrix columns of the fetch runtimes (issue 18): the probe under `@tsgi/serve` on Bun and
 * Deno (native: Bun.serve, Deno.serve; node-compat: `@tsgi/node` through the runtime's node:http)
 * and as a workerd module worker. Each runtime is the pinned root devDependency the harness finds
 * (`@tsgi/harness/runtimes`); the probe scripts are packages/serve/test/fixtures.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RuntimeName, startRuntimeScript } from '@tsgi/harness/runtimes';
import type { Config, Running } from './matrix.js';

const FIXTURES = fileURLToPath(new URL('../../packages/serve/test/fixtures/', import.meta.url));
const MOUNT = '/app';

async function probe(runtime: RuntimeName, entry: 'native' | 'node'): Promise<Running> {
  const script = join(FIXTURES, runtime === 'workerd' ? 'probe-worker.mjs' : 'probe.mjs');
  const server = await startRuntimeScript(runtime, script, {
    env: entry === 'node' ? { TSGI_SERVE: 'node' } : {},
  });
  return { url: server.url, mount: MOUNT, stop: () => server.stop() };
}

export const RUNTIME_CONFIGS: Config[] = [
  { name: 'Bun (native)', profile: 'bun', start: () => probe('bun', 'native') },
  { name: 'Bun (node-compat)', profile: 'http', start: () => probe('bun', 'node') },
  { name: 'Deno (native)', profile: 'deno', start: () => probe('deno', 'native') },
  { name: 'Deno (node-compat)', profile: 'http', start: () => probe('deno', 'node') },
  {
    name: 'workerd',
    profile: 'workerd',
    stateless: true,
    start: () => probe('workerd', 'native'),
  },
];
