/**
 * lighttpd 1.4 mod_fastcgi spawning the application itself (`bin-path`): the process gets the
 * listening socket on fd 0 (FCGI_LISTENSOCK_FILENO) and serves it (ADP-FCGI-17). `/app` runs
 * `tsgi fastcgi`, `/lib` a script calling `serveFastCGI(app)` with no address. lighttpd splits
 * SCRIPT_NAME and PATH_INFO at the mount point itself (`check-local` disabled).
 */
import { fileURLToPath } from 'node:url';
import { requireTool, startLighttpd, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from './_helpers.js';
import { frontEndMatrix } from './_matrix.js';

const lighttpd = requireTool('lighttpd', 'FastCGI behind lighttpd with bin-path');
const SPAWNED = fileURLToPath(new URL('./fixtures/spawned.mjs', import.meta.url));
const APP = fileURLToPath(new URL('./fixtures/app.mjs', import.meta.url));
const TSGI = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const NODE = process.execPath;

describe.skipIf(lighttpd === undefined)(
  'lighttpd 1.4 mod_fastcgi (bin-path, fd 0) → @tsgi/fastcgi',
  () => {
    let web: WebServer;

    beforeAll(async () => {
      web = await startLighttpd({
        modules: ['mod_fastcgi'],
        // Stream responses: with the default (0) lighttpd buffers the whole response and takes the
        // backend's close as its end, so an aborted response (ADP-FCGI-16) would look complete.
        config: ({ dir }) => `
# docs:begin lighttpd-fastcgi
server.stream-response-body = 2
fastcgi.server = (
  "/app" => ( (
    "socket" => "${dir}/app.sock",
    "bin-path" => "${NODE} ${TSGI} fastcgi ${APP}:app",
    "check-local" => "disable",
    "max-procs" => 1
  ) ),
  "/lib" => ( (
    "socket" => "${dir}/lib.sock",
    "bin-path" => "${NODE} ${SPAWNED}",
    "check-local" => "disable",
    "max-procs" => 1
  ) )
)
# docs:end lighttpd-fastcgi
`,
      });
    });

    afterAll(async () => {
      await web?.stop();
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
