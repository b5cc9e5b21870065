/**
 * Chunk ownership over SCGI (BODY-17, BODY-19): apps that refill one buffer for every chunk get
 * exactly the bytes they yielded onto the socket, at every chunk size, with a front end that
 * reads at once, one that reads slowly (over a Unix socket, so the socket's buffer fills), and
 * behind real nginx. Chunks up to 16 KiB are copied; larger ones are written by reference and
 * `write()` settles on the socket's callback (response-sink.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCgiResponse } from '@tsgi/core';
import { requireTool, startNginx } from '@tsgi/harness';
import {
  REUSE_MODES,
  type ReuseCase,
  readSlowly,
  reuseCases,
  reuseHeader,
  reuseRouter,
  reuseThroughFrontEnd,
  reuseVerdict,
} from '@tsgi/harness/reuse';
import { afterAll, describe, expect, it } from 'vitest';
import { exchange, request, startServer } from './_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-scgi-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scgiRequest = (c: ReuseCase): Uint8Array => request({ HTTP_X_REUSE: reuseHeader(c) });

describe('BODY-17 / BODY-19: a reused buffer, a front end reading at once', () => {
  it.each(reuseCases(256 * 1024, { min: 8 }))('$mode body, chunks of $size bytes', async (c) => {
    const srv = await startServer(reuseRouter());
    try {
      const res = await exchange(srv.target, scgiRequest(c));
      expect(reuseVerdict(res.cgi().body, c)).toBe('ok');
    } finally {
      await srv.close();
    }
  });
});

describe('BODY-17 / BODY-19 / BODY-02: a reused buffer, a front end reading slowly', () => {
  let sockets = 0;
  it.each(REUSE_MODES)('%s body, 100 000-byte chunks, 4 MB over a Unix socket', async (mode) => {
    const path = join(dir, `${++sockets}.sock`);
    const srv = await startServer(reuseRouter(), { path });
    try {
      const c = { mode, size: 100_000, count: 40 };
      const bytes = await readSlowly({ path }, scgiRequest(c));
      expect(reuseVerdict(parseCgiResponse(bytes).body, c)).toBe('ok');
    } finally {
      await srv.close();
    }
  });
});

const nginx = requireTool('nginx', 'SCGI behind nginx');

describe.skipIf(nginx === undefined)('BODY-17 / BODY-19: a reused buffer behind nginx', () => {
  it('every mode, chunks of 4 bytes to 100 000, a fast and a slow client', async () => {
    const sock = join(dir, 'nginx.sock');
    const srv = await startServer(reuseRouter(), { path: sock });
    // scgi_buffering off: nginx passes the response on as it can send it, so a slow client holds
    // the app back through nginx's socket to it.
    const web = await startNginx({
      config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    location / {
      include /etc/nginx/scgi_params;
      scgi_pass unix:${sock};
    }
    location /unbuffered/ {
      include /etc/nginx/scgi_params;
      scgi_buffering off;
      scgi_pass unix:${sock};
    }
  }`,
    });
    try {
      expect(await reuseThroughFrontEnd(web.port, { fast: '/', slow: '/unbuffered/' })).toEqual([]);
    } finally {
      await web.stop();
      await srv.close();
    }
  });
});
