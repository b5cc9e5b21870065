/**
 * nginx in front of the FastCGI adapter: over TCP and over a Unix socket with the recipes the
 * deployers' guide shows (docs/recipes/nginx-fastcgi-tcp.conf, nginx-fastcgi-unix.conf, each
 * rendered by the harness and included in `http { }`), then with `fastcgi_keep_conn` on
 * (upstream keepalive) and with `fastcgi_request_buffering off` (chunked bodies streamed without
 * CONTENT_LENGTH), the guide's one-line variants. Debian's own `fastcgi_params` is included.
 * Over the Unix socket nginx's workers run as www-data and the socket has the recipe's mode 660
 * and group www-data, so the permissions the recipe asks for are the ones that work.
 */
import { chmodSync } from 'node:fs';
import { recipeDifferences, requireTool, startNginx, tempDir, type WebServer } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpRequest, startServer, type TestServer } from './_helpers.js';
import { frontEndMatrix } from './_matrix.js';
import { app } from './fixtures/app.mjs';

const nginx = requireTool('nginx', 'FastCGI behind nginx');

describe.skipIf(nginx === undefined)('nginx 1.22 → @tsgi/fastcgi', () => {
  const web: Record<'tcp' | 'unix' | 'variants', WebServer> = {} as never;
  const dir = tempDir('tsgi-fcgi-nginx-');
  const backends: Record<string, TestServer> = {};

  beforeAll(async () => {
    chmodSync(dir.path, 0o755); // www-data reaches the socket in it, not the files
    // The recipes mount the application at /app, as `--script-name /app` does here.
    backends.tcp = await startServer(app, { scriptName: '/app' });
    // As the recipe's command: a socket only the web server's group may use, and (as root)
    // nginx's workers as www-data, as on Debian, so a socket they cannot use fails the matrix.
    backends.unix = await startServer(app, {
      scriptName: '/app',
      path: `${dir.path}/app.sock`,
      socketMode: '660',
      socketGroup: 'www-data',
    });
    backends.keep = await startServer(app, { scriptName: '/keep' });
    backends.stream = await startServer(app, { scriptName: '/stream' });
    web.tcp = await startNginx({
      recipes: [
        {
          name: 'nginx-fastcgi-tcp.conf',
          values: ({ port }) => ({
            'listen 80;': `listen 127.0.0.1:${port};`,
            '127.0.0.1:9000': `127.0.0.1:${backends.tcp!.port}`,
          }),
        },
      ],
    });
    web.unix = await startNginx({
      user: 'www-data',
      recipes: [
        {
          name: 'nginx-fastcgi-unix.conf',
          values: ({ port }) => ({
            'listen 80;': `listen 127.0.0.1:${port};`,
            '/run/tsgi/fastcgi.sock': `${dir.path}/app.sock`,
          }),
        },
      ],
    });
    // The recipe's location with one more directive each, as the guide describes them.
    web.variants = await startNginx({
      config: ({ port }) => `
  upstream keep_backend {
    server 127.0.0.1:${backends.keep!.port};
    keepalive 4;
  }
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 10m;
    location /keep/ {
      include fastcgi_params;
      fastcgi_pass keep_backend;
      fastcgi_keep_conn on;
    }
    location /stream/ {
      include fastcgi_params;
      fastcgi_pass 127.0.0.1:${backends.stream!.port};
      fastcgi_request_buffering off;
    }
  }`,
    });
  });

  afterAll(async () => {
    for (const w of Object.values(web)) await w?.stop();
    for (const b of Object.values(backends)) await b.close();
    dir.remove();
  });

  it('runs the recipes as published: the rendered copies differ only in the mapped values', () => {
    for (const w of [web.tcp, web.unix]) {
      expect(w.recipes).toHaveLength(1);
      expect(recipeDifferences(w.recipes[0]!)).toEqual([]);
    }
  });

  describe('over TCP (keep_conn off)', () => {
    frontEndMatrix({
      port: () => web.tcp.port,
      prefix: '/app',
      chunkedRequest: 'buffered',
      inProcess: true,
    });

    it('ADP-FCGI-02: without fastcgi_keep_conn every request gets its own connection, closed by the app', async () => {
      const before = backends.tcp!.accepted();
      for (let i = 0; i < 3; i++)
        expect((await httpRequest(web.tcp.port, { path: '/app/x' })).status).toBe(200);
      expect(backends.tcp!.accepted() - before).toBe(3);
      await expect.poll(() => backends.tcp!.server.connections).toBe(0);
    });
  });

  describe('over a Unix socket', () => {
    frontEndMatrix({
      port: () => web.unix.port,
      prefix: '/app',
      chunkedRequest: 'buffered',
      inProcess: true,
    });
  });

  describe('with fastcgi_keep_conn on and upstream keepalive', () => {
    frontEndMatrix({
      port: () => web.variants.port,
      prefix: '/keep',
      chunkedRequest: 'buffered',
      inProcess: true,
    });

    it('ADP-FCGI-02: FCGI_KEEP_CONN set: sequential requests reuse one connection', async () => {
      // Let earlier connections (closed by nginx after HEAD or aborts) settle first.
      await httpRequest(web.variants.port, { path: '/keep/warm' });
      const before = backends.keep!.accepted();
      for (let i = 0; i < 5; i++)
        expect((await httpRequest(web.variants.port, { path: '/keep/x' })).status).toBe(200);
      expect(backends.keep!.accepted() - before).toBe(0);
      expect(backends.keep!.server.connections).toBeGreaterThanOrEqual(1);
    });
  });

  describe('with fastcgi_request_buffering off', () => {
    frontEndMatrix({
      port: () => web.variants.port,
      prefix: '/stream',
      chunkedRequest: 'streamed',
      inProcess: true,
    });
  });

  it('ADP-FCGI-14: tsgi.errors text reaches the nginx error log as FastCGI stderr', async () => {
    await httpRequest(web.tcp.port, { path: '/app/throw', headers: [['X-Case', 'throw']] });
    await expect
      .poll(() => web.tcp.output())
      .toMatch(/FastCGI sent in stderr: "GET \/app\/throw: ERR-01: application error/);
  });
});
