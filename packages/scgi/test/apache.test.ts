/**
 * Apache httpd 2.4 mod_proxy_scgi in front of the SCGI adapter, with the deployers' guide's
 * vhost (docs/recipes/apache-scgi.conf: `ProxyPass` to scgi://). Apache
 * sends the whole decoded path as SCRIPT_NAME, so the adapter's `scriptName` option
 * (ADP-SCGI-05) restores the split. mod_proxy_scgi answers a chunked request body `411 Length
 * Required` itself, as SCGI needs CONTENT_LENGTH first (ADP-SCGI-10).
 */
import { recipeDifferences, requireTool, startApache, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
      recipes: [
        {
          name: 'apache-scgi.conf',
          values: ({ port }) => ({
            '<VirtualHost *:80>': `<VirtualHost *:${port}>`,
            '127.0.0.1:4000': `127.0.0.1:${backend.port}`,
          }),
        },
      ],
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
    chunkedRequest: 'refused', // mod_proxy_scgi: "411 Length Required" for a chunked body
    inProcess: true,
    ids: SCGI_IDS,
  });
});
