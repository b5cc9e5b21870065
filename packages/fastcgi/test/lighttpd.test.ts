/**
 * lighttpd 1.4 mod_fastcgi spawning the application itself (`bin-path`): the process gets the
 * listening socket on fd 0 (FCGI_LISTENSOCK_FILENO) and serves it (ADP-FCGI-17). `/app` is the
 * deployers' guide's recipe (docs/recipes/lighttpd-fastcgi.conf: `tsgi fastcgi APP`, no export
 * named), `/lib` a script calling `serveFastCGI(app)` with no address. lighttpd splits
 * SCRIPT_NAME and PATH_INFO at the mount point itself (`check-local` disabled).
 */
import { fileURLToPath } from 'node:url';
import { recipeDifferences, requireTool, startLighttpd, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from './_helpers.js';
import { frontEndMatrix } from './_matrix.js';

const lighttpd = requireTool('lighttpd', 'FastCGI behind lighttpd with bin-path');
const SPAWNED = fileURLToPath(new URL('./fixtures/spawned.mjs', import.meta.url));
// Default export only: the recipe names no export, as a deployer copying it would not.
const APP = fileURLToPath(new URL('./fixtures/default-app.mjs', import.meta.url));
const TSGI = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const NODE = process.execPath;

describe.skipIf(lighttpd === undefined)(
  'lighttpd 1.4 mod_fastcgi (bin-path, fd 0) → @tsgi/fastcgi',
  () => {
    let web: WebServer;

    beforeAll(async () => {
      web = await startLighttpd({
        recipes: [
          {
            name: 'lighttpd-fastcgi.conf',
            values: ({ dir }) => ({
              '/run/lighttpd/tsgi-fastcgi.sock': `${dir}/app.sock`,
              '/usr/local/bin/tsgi': `${NODE} ${TSGI}`,
              '/srv/tsgi/app.mjs': APP,
            }),
          },
        ],
        // The recipe's fastcgi.server, plus a prefix for a script of one's own.
        config: ({ dir }) => `
fastcgi.server += (
  "/lib" => ( (
    "socket" => "${dir}/lib.sock",
    "bin-path" => "${NODE} ${SPAWNED}",
    "check-local" => "disable",
    "max-procs" => 1
  ) )
)
`,
      });
    });

    afterAll(async () => {
      await web?.stop();
    });

    it('runs the recipe as published: the rendered copy differs only in the mapped values', () => {
      expect(web.recipes.map(recipeDifferences)).toEqual([[]]);
    });

    frontEndMatrix({
      port: () => web.port,
      prefix: '/app',
      chunkedRequest: 'buffered',
    });

    it('ADP-FCGI-17: `tsgi fastcgi APP` and a bare serveFastCGI() both serve the listener lighttpd left on fd 0', async () => {
      for (const prefix of ['/app', '/lib']) {
        const res = await httpRequest(web.port, { path: `${prefix}/x?y` });
        expect(res.status).toBe(200);
        const seen = JSON.parse(res.body.toString());
        expect(seen.environ.SCRIPT_NAME).toBe(prefix);
        expect(seen.environ.PATH_INFO).toBe('/x');
      }
    });
  },
);
