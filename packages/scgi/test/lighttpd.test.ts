/**
 * lighttpd 1.4 mod_scgi in front of the SCGI adapter: `/app` over TCP (`host`/`port`, the
 * deployers' guide's recipe docs/recipes/lighttpd-scgi.conf), `/spawned`
 * started by lighttpd itself (`bin-path`: `tsgi scgi APP` serves the listening socket it finds
 * on fd 0, ADP-SCGI-01). lighttpd splits SCRIPT_NAME and PATH_INFO at the mount point itself
 * (`check-local` disabled), so no `scriptName` option is needed (ADP-SCGI-05).
 */
import { fileURLToPath } from 'node:url';
import { recipeDifferences, requireTool, startLighttpd, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../fastcgi/test/_helpers.js';
import { frontEndMatrix } from '../../fastcgi/test/_matrix.js';
import { SCGI_IDS, startServer, type TestServer } from './_helpers.js';
import { app } from './fixtures/app.js';

const lighttpd = requireTool('lighttpd', 'SCGI behind lighttpd mod_scgi');
const APP = fileURLToPath(new URL('../../fastcgi/test/fixtures/app.mjs', import.meta.url));
const TSGI = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const NODE = process.execPath;

describe.skipIf(lighttpd === undefined)('lighttpd 1.4 mod_scgi → @tsgi/scgi', () => {
  let web: WebServer;
  let backend: TestServer;

  beforeAll(async () => {
    backend = await startServer(app);
    web = await startLighttpd({
      recipes: [
        {
          name: 'lighttpd-scgi.conf',
          values: () => ({ '"port" => 4000': `"port" => ${backend.port}` }),
        },
      ],
      // The recipe's scgi.server, plus a prefix lighttpd starts the application for (bin-path).
      config: ({ dir }) => `
scgi.server += (
  "/spawned" => ( (
    "socket" => "${dir}/scgi.sock",
    "bin-path" => "${NODE} ${TSGI} scgi ${APP}",
    "check-local" => "disable",
    "max-procs" => 1
  ) )
)
`,
    });
  });

  afterAll(async () => {
    await web?.stop();
    await backend?.close();
  });

  it('runs the recipe as published: the rendered copy differs only in the mapped values', () => {
    expect(web.recipes.map(recipeDifferences)).toEqual([[]]);
  });

  frontEndMatrix({
    port: () => web.port,
    prefix: '/app',
    chunkedRequest: 'buffered',
    inProcess: true,
    ids: SCGI_IDS,
  });

  it('ADP-SCGI-01, ADP-SCGI-05: `tsgi scgi APP` started by lighttpd (bin-path) serves the listener on fd 0', async () => {
    const res = await httpRequest(web.port, { path: '/spawned/x?y' });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body.toString());
    expect(seen.environ.SCRIPT_NAME).toBe('/spawned');
    expect(seen.environ.PATH_INFO).toBe('/x');
    expect(seen.environ.SCGI).toBe('1');
  });
});
