/**
 * `tsgi fastcgi` and `tsgi cgi` under Bun and Deno behind real web servers (issue 18): nginx
 * `fastcgi_pass` to the FastCGI backend the runtime runs, and Apache mod_cgid running a two-line
 * wrapper that execs the runtime, each started from the deployers' guide's recipe
 * (docs/recipes/nginx-fastcgi-tcp.conf, apache-cgi.conf). The TypeScript app loads natively.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { recipeDifferences, requireTool, startApache, startNginx } from '@tsgi/harness';
import { type RuntimeName, requireRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CLI = `${ROOT}packages/cli/bin/tsgi.cjs`;
const APP = `${ROOT}examples/hello/app.ts`;
const nginx = requireTool('nginx', 'tsgi fastcgi under Bun and Deno behind nginx');
const apache = requireTool('apache2', 'tsgi cgi under Bun and Deno behind Apache');

for (const runtime of ['bun', 'deno'] as RuntimeName[]) {
  const binary = requireRuntime(runtime, `tsgi fastcgi and cgi under ${runtime}`);
  describe.skipIf(binary === undefined)(`tsgi under ${runtime} behind a web server`, () => {
    it.skipIf(nginx === undefined)(
      'tsgi fastcgi behind nginx (ADP-FCGI-01, ENV-04, ENV-05)',
      async () => {
        const backend = await startRuntimeScript(runtime, CLI, {
          args: (port) => ['fastcgi', APP, '--bind', `127.0.0.1:${port}`, '--script-name', '/app'],
        });
        const web = await startNginx({
          recipes: [
            {
              name: 'nginx-fastcgi-tcp.conf',
              values: ({ port }) => ({
                'listen 80;': `listen 127.0.0.1:${port};`,
                '127.0.0.1:9000': `127.0.0.1:${backend.port}`,
              }),
            },
          ],
        });
        try {
          expect(web.recipes.map(recipeDifferences)).toEqual([[]]);
          const res = await fetch(`${web.url}/app/`);
          expect(res.status, backend.output() + web.output()).toBe(200);
          expect(await res.text()).toBe('Hello, World!\n');
          const echo = (await (await fetch(`${web.url}/app/echo?q=1`)).json()) as { path: string };
          expect(echo.path).toBe('/echo');
        } finally {
          await web.stop();
          await backend.stop();
        }
      },
    );

    it.skipIf(apache === undefined)(
      'tsgi cgi behind Apache mod_cgid (ADP-CGI-01, ENV-05)',
      async () => {
        const web = await startApache({
          modules: ['alias', 'cgid'],
          recipes: [
            {
              name: 'apache-cgi.conf',
              values: ({ port, dir }) => ({
                '<VirtualHost *:80>': `<VirtualHost *:${port}>`,
                '/srv/tsgi/cgi-bin': `${dir}/cgi-bin`,
              }),
            },
          ],
        });
        try {
          expect(web.recipes.map(recipeDifferences)).toEqual([[]]);
          const bin = `${web.dir}/cgi-bin`;
          mkdirSync(bin, { recursive: true });
          chmodSync(bin, 0o755);
          // Apache runs the program as its own user, with a minimal environment: the runtime's
          // cache goes to a directory that user may write.
          const run = runtime === 'deno' ? `"${binary}" run -A` : `"${binary}"`;
          writeFileSync(
            `${bin}/app`,
            `#!/bin/sh\nexport DENO_DIR=/tmp/tsgi-deno-cgi BUN_INSTALL_CACHE_DIR=/tmp/tsgi-bun-cgi\nexec ${run} "${CLI}" cgi "${APP}"\n`,
          );
          chmodSync(`${bin}/app`, 0o755);
          const res = await fetch(`${web.url}/cgi-bin/app/`);
          expect(res.status, web.output()).toBe(200);
          expect(await res.text()).toBe('Hello, World!\n');
          const echo = (await (await fetch(`${web.url}/cgi-bin/app/echo?q=1`)).json()) as {
            path: string;
          };
          expect(echo.path).toBe('/echo');
        } finally {
          await web.stop();
        }
      },
    );
  });
}
