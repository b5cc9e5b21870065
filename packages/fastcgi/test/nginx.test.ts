/**
 * nginx in front of the FastCGI adapter: over TCP, over a Unix socket, with `fastcgi_keep_conn`
 * on (upstream keepalive) and off, and with `fastcgi_request_buffering off` (chunked bodies
 * streamed without CONTENT_LENGTH). Debian's own `fastcgi_params` is included unchanged.
 */
import { requireTool, startNginx, tempDir, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, startServer, type TestServer } from './_helpers.js';
import { frontEndMatrix } from './_matrix.js';
import { app } from './fixtures/app.mjs';

const nginx = requireTool('nginx', 'FastCGI behind nginx');

describe.skipIf(nginx === undefined)('nginx 1.22 → @tsgi/fastcgi', () => {
  let web: WebServer;
  const dir = tempDir('tsgi-fcgi-nginx-');
  const backends: Record<string, TestServer> = {};

  beforeAll(async () => {
    backends.tcp = await startServer(app, { scriptName: '/tcp' });
    backends.keep = await startServer(app, { scriptName: '/keep' });
    backends.stream = await startServer(app, { scriptName: '/stream' });
    backends.unix = await startServer(app, { scriptName: '/unix', path: `${dir.path}/app.sock` });
    // One location per backend, the template the deployment guide shows: `${mount}` is the
    // prefix the app is mounted at (its scriptName), `${address}` where it listens
    // (`host:port`, `unix:PATH` or an upstream), `${extra}` a setting of that location.
    const location = (mount: string, address: string, extra = ''): string => `
    # docs:begin nginx-fastcgi
    location ${mount}/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass ${address};
      ${extra}
    }
    # docs:end nginx-fastcgi
`;
    web = await startNginx({
      config: ({ port }) => `
  upstream keep_backend {
    server 127.0.0.1:${backends.keep!.port};
    keepalive 4;
  }
  server {
    listen 127.0.0.1:${port};
    server_name localhost;
    client_max_body_size 10m;
    ${location('/tcp', `127.0.0.1:${backends.tcp!.port}`)}
    ${location('/unix', `unix:${dir.path}/app.sock`)}
    ${location('/keep', 'keep_backend', 'fastcgi_keep_conn on;')}
    ${location('/stream', `127.0.0.1:${backends.stream!.port}`, 'fastcgi_request_buffering off;')}
  }`,
    });
  });

  afterAll(async () => {
    await web?.stop();
    for (const b of Object.values(backends)) await b.close();
    dir.remove();
  });

  describe('over TCP (keep_conn off)', () => {
    frontEndMatrix({
      port: () => web.port,
      prefix: '/tcp',
      chunkedRequest: 'buffered',
      inProcess: true,
    });

    it('ADP-FCGI-02: without fastcgi_keep_conn every request gets its own connection, closed by the app', async () => {
      const before = backends.tcp!.accepted();
      for (let i = 0; i < 3; i++)
        expect((await httpRequest(web.port, { path: '/tcp/x' })).status).toBe(200);
      expect(backends.tcp!.accepted() - before).toBe(3);
      await expect.poll(() => backends.tcp!.server.connections).toBe(0);
    });
  });

  describe('over a Unix socket', () => {
    frontEndMatrix({
      port: () => web.port,
      prefix: '/unix',
      chunkedRequest: 'buffered',
      inProcess: true,
    });
  });

  describe('with fastcgi_keep_conn on and upstream keepalive', () => {
    frontEndMatrix({
      port: () => web.port,
      prefix: '/keep',
      chunkedRequest: 'buffered',
      inProcess: true,
    });

    it('ADP-FCGI-02: FCGI_KEEP_CONN set: sequential requests reuse one connection', async () => {
      // Let earlier connections (closed by nginx after HEAD or aborts) settle first.
      await httpRequest(web.port, { path: '/keep/warm' });
      const before = backends.keep!.accepted();
      for (let i = 0; i < 5; i++)
        expect((await httpRequest(web.port, { path: '/keep/x' })).status).toBe(200);
      expect(backends.keep!.accepted() - before).toBe(0);
      expect(backends.keep!.server.connections).toBeGreaterThanOrEqual(1);
    });
  });

  describe('with fastcgi_request_buffering off', () => {
    frontEndMatrix({
      port: () => web.port,
      prefix: '/stream',
      chunkedRequest: 'streamed',
      inProcess: true,
    });
  });

  it('ADP-FCGI-14: tsgi.errors text reaches the nginx error log as FastCGI stderr', async () => {
    await httpRequest(web.port, { path: '/tcp/throw', headers: [['X-Case', 'throw']] });
    await expect
      .poll(() => web.output())
      .toMatch(/FastCGI sent in stderr: "GET \/tcp\/throw: ERR-01: application error/);
  });
});
