/**
 * The README's one line per runtime: `tsgi serve app.ts` run by Bun and by Deno loads the
 * TypeScript app natively (tsx's hooks are Node's: on Bun they failed with "Cannot find package
 * 'tsx:'", issue 18) and serves it through @tsgi/node on the runtime's node:http.
 */
import { fileURLToPath } from 'node:url';
import { type RuntimeName, requireRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}packages/cli/bin/tsgi.cjs`;
const APP = `${ROOT}examples/hello/app.ts`;

for (const runtime of ['bun', 'deno'] as RuntimeName[]) {
  const binary = requireRuntime(runtime, `tsgi serve under ${runtime}`);
  describe.skipIf(binary === undefined)(`tsgi under ${runtime}`, () => {
    it('serves a TypeScript app loaded natively (README; ENV-05, BODY-10)', async () => {
      const server = await startRuntimeScript(runtime, CLI, {
        args: (port) => ['serve', APP, '--bind', `127.0.0.1:${port}`],
      });
      try {
        const res = await fetch(`${server.url}/`);
        expect(res.status, server.output()).toBe(200);
        expect(await res.text()).toBe('Hello, World!\n');
        const echo = await fetch(`${server.url}/echo?runtime=${runtime}`);
        expect(await echo.text()).toContain(`runtime=${runtime}`);
      } finally {
        await server.stop();
      }
    });
  });
}
