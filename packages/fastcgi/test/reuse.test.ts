/**
 * Chunk ownership over FastCGI (BODY-17, BODY-19): apps that refill one buffer for every chunk
 * get exactly the bytes they yielded into STDOUT, at every chunk size, with a web server that
 * reads at once, one that reads slowly, a simulated one whose socket takes part of a write and
 * the rest later (as libuv does), and behind real nginx. Small chunks are copied into the
 * records; those too large for one record are queued by reference and written before 'drain'
 * lets the engine go on (output.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  decodeRecords,
  encodeBeginRequestBody,
  encodeNameValuePairs,
  encodeRecord,
  encodeStream,
  parseCgiResponse,
  RecordType,
  Role,
} from '@tsgi/fastcgi';
import { requireTool, startNginx } from '@tsgi/harness';
import {
  REUSE_MODES,
  type ReuseCase,
  type ReuseProgress,
  reuseCases,
  reuseHeader,
  reuseRouter,
  reuseThroughFrontEnd,
  reuseVerdict,
  SlowPeerSocket,
} from '@tsgi/harness/reuse';
import { afterAll, describe, expect, it } from 'vitest';
import { cgi, cgiParams, startServer } from './_helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-fcgi-reuse-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const params = (c: ReuseCase): Record<string, string> =>
  cgiParams({ HTTP_X_REUSE: reuseHeader(c) });

describe('BODY-17 / BODY-19: a reused buffer, a web server reading at once', () => {
  const cases = reuseCases(256 * 1024, { min: 8 });
  it.each(cases)('$mode body, chunks of $size bytes', async (c) => {
    const srv = await startServer(reuseRouter());
    try {
      const res = await (await srv.client()).request({ params: params(c) });
      expect(res.appStatus).toBe(0);
      expect(reuseVerdict(cgi(res).body, c)).toBe('ok');
    } finally {
      await srv.close();
    }
  });
});

describe('BODY-17 / BODY-19 / ADP-FCGI-13: a reused buffer, a web server reading slowly', () => {
  const progress: ReuseProgress = { produced: 0 };
  // Over a Unix socket (buffers of about 200 KiB) half a MiB makes the output queue wait.
  const cases = reuseCases(512 * 1024, { max: 65536 });
  let sockets = 0;
  it.each(cases)('$mode body, chunks of $size bytes, over a Unix socket', async (c) => {
    const path = join(dir, `${++sockets}.sock`);
    const srv = await startServer(reuseRouter(progress), { path });
    try {
      const client = await srv.client();
      const socket = client.socket;
      socket.pause();
      const req = client.begin({ params: params(c), keepConn: false });
      void req.end();
      await new Promise((r) => setTimeout(r, 100));
      // The web server held the app back: nothing was read, and the app waits.
      if (c.mode !== 'array') expect(progress.produced).toBeLessThan(c.count);
      socket.on('data', () => {
        socket.pause();
        setTimeout(() => socket.resume(), 2);
      });
      socket.resume();
      const res = await req.response;
      expect(res.appStatus).toBe(0);
      expect(reuseVerdict(cgi(res).body, c)).toBe('ok');
    } finally {
      await srv.close();
    }
  });

  /** One request over a SlowPeerSocket; the STDOUT it carried, parsed as CGI. */
  async function throughSlowPeer(c: ReuseCase, capacity: number): Promise<Uint8Array> {
    const srv = await startServer(reuseRouter());
    const peer = new SlowPeerSocket({ capacity, rate: 16 * 1024 });
    try {
      srv.server.handle(peer as never);
      const pairs = encodeNameValuePairs(Object.entries(params(c)));
      peer.send(
        Buffer.concat([
          encodeRecord(RecordType.BEGIN_REQUEST, 1, encodeBeginRequestBody(Role.RESPONDER, 0)),
          encodeStream(RecordType.PARAMS, 1, pairs, { terminate: true }),
          encodeRecord(RecordType.STDIN, 1),
        ]),
      );
      await peer.done; // keep-conn off: the app closes once END_REQUEST is written
      const { records, error } = decodeRecords(peer.received());
      expect(error).toBeUndefined();
      expect(records.at(-1)?.type).toBe(RecordType.END_REQUEST);
      const stdout = records.filter((r) => r.type === RecordType.STDOUT).map((r) => r.content);
      return parseCgiResponse(Buffer.concat(stdout)).body;
    } finally {
      peer.destroy();
      await srv.close();
    }
  }

  it.each(REUSE_MODES)(
    '%s body: the socket takes part of each write and the rest later',
    async (mode) => {
      // Chunks of 100 000 bytes go out as a 65 528-byte record and a 34 472-byte one, both by
      // reference; a socket with room for one but not both completes the first at once and the
      // second later. The app must not get its buffer back before the second is written.
      for (const capacity of [70_000, 90_000, 120_000]) {
        const c = { mode, size: 100_000, count: 12 };
        expect(reuseVerdict(await throughSlowPeer(c, capacity), c)).toBe('ok');
      }
    },
  );
});

const nginx = requireTool('nginx', 'FastCGI behind nginx');

describe.skipIf(nginx === undefined)('BODY-17 / BODY-19: a reused buffer behind nginx', () => {
  it('every mode, chunks of 4 bytes to 100 000, a fast and a slow client', async () => {
    const srv = await startServer(reuseRouter(), { path: join(dir, 'nginx.sock') });
    // fastcgi_buffering off: nginx passes STDOUT on as it can send it, so a slow client holds
    // the app back through nginx's socket to it.
    const web = await startNginx({
      config: ({ port }) => `
  server {
    listen 127.0.0.1:${port};
    location / {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass unix:${join(dir, 'nginx.sock')};
    }
    location /unbuffered/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_buffering off;
      fastcgi_pass unix:${join(dir, 'nginx.sock')};
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
