/**
 * Apache httpd 2.4 mod_proxy_fcgi in front of the FastCGI adapter, with the deployers' guide's
 * vhost (docs/recipes/apache-fastcgi.conf: `ProxyPass` to fcgi://). Apache sends the whole
 * decoded path as SCRIPT_NAME, so the adapter's `scriptName` option (ADP-FCGI-04) restores the
 * split.
 */
import { recipeDifferences, requireTool, startApache, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './_helpers.js';
import { frontEndMatrix } from './_matrix.js';
import { app } from './fixtures/app.mjs';

const apache = requireTool('apache2', 'FastCGI behind Apache mod_proxy_fcgi');

describe.skipIf(apache === undefined)('Apache 2.4 mod_proxy_fcgi → @tsgi/fastcgi', () => {
  let web: WebServer;
  let backend: TestServer;

  beforeAll(async () => {
    backend = await startServer(app, { scriptName: '/app' });
    web = await startApache({
      modules: ['proxy', 'proxy_fcgi'],
      recipes: [
        {
          name: 'apache-fastcgi.conf',
          values: ({ port }) => ({
            '<VirtualHost *:80>': `<VirtualHost *:${port}>`,
            '127.0.0.1:9000': `127.0.0.1:${backend.port}`,
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
    chunkedRequest: 'streamed',
    inProcess: true,
  });
});
