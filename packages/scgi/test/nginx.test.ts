/**
 * nginx in front of the SCGI adapter (`scgi_pass`, Debian's own `scgi_params` included
 * unchanged): over TCP, over a Unix socket, and with `scgi_buffering off`. nginx sends no
 * SCRIPT_NAME or PATH_INFO, so the adapter's `scriptName` option gives the mount (ADP-SCGI-05).
 * `scgi_request_buffering off` is not used: nginx 1.22 then declares as CONTENT_LENGTH only the
 * body bytes it has read so far and sends the rest after them (observed: 9130 of 200 000), so
 * the body is cut at that length (ADP-SCGI-10).
 */
import { requireTool, startNginx, tempDir, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest } from '../../fastcgi/test/_helpers.js';
import { frontEndMatrix } from '../../fastcgi/test/_matrix.js';
import { SCGI_IDS, startServer, type TestServer } from './_helpers.js';
import { app } from './fixtures/app.js';

const nginx = requireTool('nginx', 'SCGI behind nginx');

describe.skipIf(nginx === undefined)('nginx 1.22 → @tsgi/scgi', () => {
  let web: WebServer;
  const dir = tempDir('tsgi-scgi-nginx-');
  const backends: Record<string, TestServer> = {};

  beforeAll(async () => {
    backends.tcp = await startServer(app, { scriptName: '/tcp' });
    backends.stream = await startServer(app, { scriptName: '/stream' });
    backends.unix = await startServer(app, { scriptName: '/unix', path: `${dir.path}/app.sock` });
    backends.root = await startServer(app);
    // One location per backend, the template the deployment guide shows: `${mount}` is the
    // prefix the app is mounted at (its scriptName), `${address}` where it listens
    // (`host:port` or `unix:PATH`), `${extra}` a setting of that location.
    const location = (mount: string, address: string, extra = ''): string => `
    # docs:begin nginx-scgi
    location ${mount}/ {
      include /etc/nginx/scgi_params;
      scgi_param SERVER_SOFTWARE nginx/$nginx_version;
      scgi_pass ${address};
      ${extra}
    }
    # docs:end nginx-scgi
`;
    web = await startNginx({
      config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    client_max_body_size 10m;
    ${location('/tcp', `127.0.0.1:${backends.tcp!.port}`)}
    ${location('/unix', `unix:${dir.path}/app.sock`)}
    ${location('/stream', `127.0.0.1:${backends.stream!.port}`, 'scgi_buffering off;')}
    ${location('/root', `127.0.0.1:${backends.root!.port}`)}
  }`,
    });
  });

  afterAll(async () => {
    await web?.stop();
    for (const b of Object.values(backends)) await b.close();
    dir.remove();
  });

  for (const [name, prefix] of [
    ['over TCP', '/tcp'],
    ['over a Unix socket', '/unix'],
    ['with scgi_buffering off', '/stream'],
  ] as const) {
    describe(name, () => {
      frontEndMatrix({
        port: () => web.port,
        prefix,
        chunkedRequest: 'buffered',
        inProcess: true,
        ids: SCGI_IDS,
        abortVisible: prefix !== '/unix',
      });
    });
  }

  it('ADP-SCGI-05: without scriptName, SCRIPT_NAME is empty and PATH_INFO the decoded REQUEST_URI path (nginx sends neither)', async () => {
    const res = await httpRequest(web.port, { path: '/root/a%20b?q=1' });
    expect(res.status).toBe(200);
    const seen = JSON.parse(res.body.toString());
    expect(seen.environ.SCRIPT_NAME).toBe('');
    expect(seen.environ.PATH_INFO).toBe('/root/a b');
    expect(seen.environ.REQUEST_URI).toBe('/root/a%20b?q=1');
    expect(seen.environ.SCGI).toBe('1');
  });

  it('ADP-SCGI-09: tsgi.errors text goes to the server log (SCGI has no error stream)', async () => {
    await httpRequest(web.port, { path: '/tcp/throw', headers: [['X-Case', 'throw']] });
    await expect.poll(() => backends.tcp!.logs.join('')).toMatch(/ERR-01: application error/);
  });
});
