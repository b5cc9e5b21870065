/**
 * Apache httpd 2.4 mod_proxy_scgi in front of the SCGI adapter (`ProxyPass` to scgi://). Apache
 * sends the whole decoded path as SCRIPT_NAME, so the adapter's `scriptName` option
 * (ADP-SCGI-05) restores the split. mod_proxy_scgi answers a chunked request body `411 Length
 * Required` itself, as SCGI needs CONTENT_LENGTH first (ADP-SCGI-10).
 */
import { requireTool, startApache, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe } from 'vitest';
import { frontEndMatrix } from '../../fastcgi/test/_matrix.js';
import { SCGI_IDS, startServer, type TestServer } from './_helpers.js';
import { app } from './fixtures/app.js';

const apache = requireTool('apache2', 'SCGI behind Apache mod_proxy_scgi');

describe.skipIf(apache === undefined)('Apache 2.4 mod_proxy_scgi → @tsgi/scgi', () => {
  let web: WebServer;
  let backend: TestServer;

  beforeAll(async () => {
    backend = await startServer(app, { scriptName: '/app' });
    web = await startApache({
      modules: ['proxy', 'proxy_scgi'],
      config: `
# docs:begin apache-scgi
ProxyPass "/app/" "scgi://127.0.0.1:${backend.port}/"
# docs:end apache-scgi
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
    chunkedRequest: 'refused', // mod_proxy_scgi: "411 Length Required" for a chunked body
    inProcess: true,
    ids: SCGI_IDS,
  });
});
