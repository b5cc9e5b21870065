/**
 * nginx in front of the SCGI adapter (`scgi_pass`, Debian's own `scgi_params` included
 * unchanged): over TCP with the deployers' guide's recipe (docs/recipes/nginx-scgi.conf,
 * rendered by the harness), then over a Unix socket and with `scgi_buffering off`. nginx sends no
 * SCRIPT_NAME or PATH_INFO, so the adapter's `scriptName` option gives the mount (ADP-SCGI-05).
 * `scgi_request_buffering off` is not used: nginx 1.22 then declares as CONTENT_LENGTH only the
 * body bytes it has read so far and sends the rest after them (observed: 9130 of 200 000), so
 * the body is cut at that length (ADP-SCGI-10).
 */
import { recipeDifferences, requireTool, startNginx, tempDir, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../fastcgi/test/_helpers.js';
import { frontEndMatrix } from '../../fastcgi/test/_matrix.js';
import { SCGI_IDS, startServer, type TestServer } from './_helpers.js';
import { app } from './fixtures/app.js';

const nginx = requireTool('nginx', 'SCGI behind nginx');

describe.skipIf(nginx === undefined)('nginx 1.22 → @tsgi/scgi', () => {
  const web: Record<'recipe' | 'variants', WebServer> = {} as never;
  const dir = tempDir('tsgi-scgi-nginx-');
  const backends: Record<string, TestServer> = {};

  beforeAll(async () => {
    backends.tcp = await startServer(app, { scriptName: '/app' });
    backends.stream = await startServer(app, { scriptName: '/stream' });
    backends.unix = await startServer(app, { scriptName: '/unix', path: `${dir.path}/app.sock` });
    backends.root = await startServer(app);
    web.recipe = await startNginx({
      recipes: [
        {
          name: 'nginx-scgi.conf',
          values: ({ port }) => ({
            'listen 80;': `listen 127.0.0.1:${port};`,
            '127.0.0.1:4000': `127.0.0.1:${backends.tcp!.port}`,
          }),
        },
      ],
    });
    // The recipe's location over a Unix socket, streamed, and without --script-name.
    const location = (mount: string, address: string, extra = ''): string => `
    location ${mount}/ {
      include scgi_params;
      scgi_param SERVER_SOFTWARE nginx/$nginx_version;
      scgi_pass ${address};
      ${extra}
    }`;
    web.variants = await startNginx({
      config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 10m;
    ${location('/unix', `unix:${dir.path}/app.sock`)}
    ${location('/stream', `127.0.0.1:${backends.stream!.port}`, 'scgi_buffering off;')}
    ${location('/root', `127.0.0.1:${backends.root!.port}`)}
  }`,
    });
  });

  afterAll(async () => {
    for (const w of Object.values(web)) await w?.stop();
    for (const b of Object.values(backends)) await b.close();
    dir.remove();
  });

  it('runs the recipe as published: the rendered copy differs only in the mapped values', () => {
    expect(web.recipe.recipes.map(recipeDifferences)).toEqual([[]]);
  });

  for (const [name, prefix] of [
    ['over TCP', '/app'],
    ['over a Unix socket', '/unix'],
    ['with scgi_buffering off', '/stream'],
  ] as const) {
    describe(name, () => {
      frontEndMatrix({
        port: () => (prefix === '/app' ? web.recipe : web.variants).port,
        prefix,
        chunkedRequest: 'buffered',
        inProcess: true,
        ids: SCGI_IDS,
        abortVisible: prefix !== '/unix',
      });
    });
  }

  it('ADP-SCGI-05: without scriptName, SCRIPT_NAME is empty and PATH_INFO the decoded REQUEST_URI path (nginx sends neither)', async () => {
    const res = await httpRequest(web.variants.port, { path: '/root/a%20b?q=1' });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body.toString());
    expect(seen.environ.SCRIPT_NAME).toBe('');
    expect(seen.environ.PATH_INFO).toBe('/root/a b');
    expect(seen.environ.REQUEST_URI).toBe('/root/a%20b?q=1');
    expect(seen.environ.SCGI).toBe('1');
  });

  it('ADP-SCGI-09: tsgi.errors text goes to the server log (SCGI has no error stream)', async () => {
    await httpRequest(web.recipe.port, { path: '/app/throw', headers: [['X-Case', 'throw']] });
    await expect.poll(() => backends.tcp!.logs.join('')).toMatch(/ERR-01: application error/);
  });
});
