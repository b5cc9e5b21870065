/**
 * lighttpd 1.4 mod_scgi in front of the SCGI adapter (`scgi.server` with `host`/`port`).
 * lighttpd splits SCRIPT_NAME and PATH_INFO at the mount point itself (`check-local`
 * disabled), so no `scriptName` option is needed (ADP-SCGI-05).
 */
import { requireTool, startLighttpd, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe } from 'vitest';
import { frontEndMatrix } from '../../fastcgi/test/_matrix.js';
import { SCGI_IDS, startServer, type TestServer } from './_helpers.js';
import { app } from './fixtures/app.js';

const lighttpd = requireTool('lighttpd', 'SCGI behind lighttpd mod_scgi');

describe.skipIf(lighttpd === undefined)('lighttpd 1.4 mod_scgi → @tsgi/scgi', () => {
  let web: WebServer;
  let backend: TestServer;

  beforeAll(async () => {
    backend = await startServer(app);
    web = await startLighttpd({
      modules: ['mod_scgi'],
      // Stream responses: with the default (0) lighttpd buffers the whole response and takes the
      // backend's close as its end, so an aborted response (ADP-SCGI-08) would look complete.
      config: `
# docs:begin lighttpd-scgi
server.stream-response-body = 2
scgi.server = (
  "/app" => ( (
    "host" => "127.0.0.1",
    "port" => ${backend.port},
    "check-local" => "disable"
  ) )
)
# docs:end lighttpd-scgi
`,
    });
  });

  afterAll(async () => {
    await web?.stop();
    await backend?.close();
  });

  frontEndMatrix({
    port: () => web.port,
    prefix: '/app',
    chunkedRequest: 'buffered',
    inProcess: true,
    ids: SCGI_IDS,
  });
});
