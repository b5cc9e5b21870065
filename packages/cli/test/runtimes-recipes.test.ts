/**
 * The Bun and Deno launch recipes (docs/recipes/tsgi-serve-bun.sh, tsgi-serve-deno.sh, issue 24)
 * as a deployer runs them: the one command line of each file, rendered for this machine (the
 * runtime's binary, this checkout's tsgi, the hello example for the app, a free port), serving
 * the TypeScript app on the runtime.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Daemon,
  freePort,
  recipeDifferences,
  startDaemon,
  tempDir,
  waitForPort,
  writeRecipe,
} from '@tsgi/harness';
import { type RuntimeName, requireRuntime } from '@tsgi/harness/runtimes';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}packages/cli/bin/tsgi.cjs`;
const APP = `${ROOT}examples/hello/app.ts`;
const INSTALLED = '/srv/tsgi/node_modules/@tsgi/cli/bin/tsgi.cjs';

/** Each runtime's recipe. */
const RECIPE = { bun: 'tsgi-serve-bun.sh', deno: 'tsgi-serve-deno.sh' } as const;

/** How each recipe's command starts: the runtime, then tsgi as installed in /srv/tsgi. */
const LAUNCH: Record<'bun' | 'deno', string> = {
  bun: `bun ${INSTALLED}`,
  deno: `deno run -A ${INSTALLED}`,
};

for (const runtime of ['bun', 'deno'] as const satisfies readonly RuntimeName[]) {
  const binary = requireRuntime(runtime, `the ${runtime} launch recipe`);
  describe.skipIf(binary === undefined)(`docs/recipes/${RECIPE[runtime]}`, () => {
    it('serves the TypeScript app as published: only the paths and the port differ', async () => {
      const dir = tempDir(`tsgi-recipe-${runtime}-`);
      const port = await freePort();
      const rendered = writeRecipe(dir.path, RECIPE[runtime], {
        [LAUNCH[runtime]]: LAUNCH[runtime].replace(runtime, binary!).replace(INSTALLED, CLI),
        '/srv/tsgi/app.ts': APP,
        '127.0.0.1:8000': `127.0.0.1:${port}`,
      });
      let daemon: Daemon | undefined;
      try {
        expect(recipeDifferences(rendered)).toEqual([]);
        const lines = readFileSync(rendered.path, 'utf8')
          .split('\n')
          .filter((l) => l.trim() !== '' && !l.startsWith('#'));
        expect(lines).toHaveLength(1);
        const [command, ...args] = lines[0]!.trim().split(/\s+/);
        daemon = startDaemon(command!, args, { env: { ...process.env, NO_COLOR: '1' } });
        await Promise.race([
          waitForPort(port, '127.0.0.1', 30_000),
          daemon.exited.then((code) => {
            throw new Error(`${runtime} exited ${code}: ${daemon!.output()}`);
          }),
        ]);
        const res = await fetch(`http://127.0.0.1:${port}/`);
        expect(res.status, daemon.output()).toBe(200);
        expect(await res.text()).toBe('Hello, World!\n');
        const echo = (await (await fetch(`http://127.0.0.1:${port}/echo?q=1`)).json()) as {
          path: string;
        };
        expect(echo.path).toBe('/echo');
      } finally {
        await daemon?.stop();
        dir.remove();
      }
    }, 60_000);
  });
}
