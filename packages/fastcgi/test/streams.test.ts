import { ClientDisconnectError, InputTruncatedError, utf8 } from '@tsgi/core';
import { APP_STATUS_INCOMPLETE } from '@tsgi/fastcgi';
import { describe, expect, it } from 'vitest';
import { cgi, cgiParams, deferred, startServer } from './_helpers.js';

describe('FastCGI streams: record splitting and backpressure', () => {
  it('ADP-FCGI-15, BODY-03: a large response is split into STDOUT records of at most 65535 bytes, bytes intact', async () => {
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 7) & 0xff);
    const srv = await startServer((_e, startResponse) => {
      startResponse('200 OK', [['content-type', 'application/octet-stream']]);
      return [big, big.subarray(0, 100_000), utf8('end')];
    });
    const c = await srv.client();
    const res = await c.request({ params: cgiParams() });
    for (const r of res.stdoutRecords) expect(r.length).toBeLessThanOrEqual(65535);
    const body = cgi(res).body;
    expect(body.length).toBe(big.length + 100_000 + 3);
    expect(Buffer.compare(Buffer.from(body.subarray(0, big.length)), Buffer.from(big))).toBe(0);
    await srv.close();
  });

  it('ADP-FCGI-13: STDIN backpressure pauses the socket while the app does not read, and the body arrives intact', async () => {
    const paused = deferred();
    const resumed = deferred();
    const size = 4 << 20;
    const srv = await startServer(async (environ, startResponse) => {
      await paused.promise; // read nothing until the server has stopped reading the socket
      let n = 0;
      let sum = 0;
      for await (const c of environ['tsgi.input']) {
        for (const b of c) sum = (sum + b) % 65521;
        n += c.length;
      }
      startResponse('200 OK', []);
      return [utf8(`${n} ${sum}`)];
    });
    srv.server.server.on('connection', (socket) => {
      const pause = socket.pause.bind(socket);
      const resume = socket.resume.bind(socket);
      socket.pause = () => {
        paused.resolve();
        return pause();
      };
      socket.resume = () => {
        resumed.resolve();
        return resume();
      };
    });
    const c = await srv.client();
    const data = new Uint8Array(size).map((_, i) => (i * 13) & 0xff);
    let sum = 0;
    for (const b of data) sum = (sum + b) % 65521;
    const res = await c.request({
      params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(size) }),
      stdin: data,
    });
    await resumed.promise;
    expect(cgi(res).text).toBe(`${size} ${sum}`);
    await srv.close();
  });

  it('BODY-02, WR-01: write() backpressure holds the app while the web server does not read, then all data flows', async () => {
    const blocked = deferred<number>();
    const total = 32 << 20;
    const srv = await startServer(async (_e, startResponse) => {
      const write = startResponse('200 OK', []);
      const chunk = new Uint8Array(1 << 16);
      let sent = 0;
      let reported = false;
      while (sent < total) {
        const p = write(chunk);
        sent += chunk.length;
        if (!reported) {
          const pending = await Promise.race([
            p.then(() => false),
            new Promise<boolean>((r) => setImmediate(() => r(true))),
          ]);
          if (pending) {
            reported = true;
            blocked.resolve(sent);
          }
        }
        await p;
      }
      return [];
    });
    const c = await srv.client();
    c.socket.pause(); // the web server stops reading
    const req = c.begin({ params: cgiParams() });
    await req.end();
    const sentWhenBlocked = await blocked.promise;
    expect(sentWhenBlocked).toBeLessThan(total);
    c.socket.resume();
    const res = await req.response;
    expect(cgi(res).body.length).toBe(total);
    await srv.close();
  });

  it('ADP-FCGI-03, ERR-05: ABORT_REQUEST while write() waits for the socket rejects it with ClientDisconnectError', async () => {
    const blocked = deferred();
    const failure = deferred<unknown>();
    const srv = await startServer(async (_e, startResponse) => {
      const write = startResponse('200 OK', []);
      const chunk = new Uint8Array(1 << 16);
      try {
        for (;;) {
          const p = write(chunk);
          const pending = await Promise.race([
            p.then(() => false),
            new Promise<boolean>((r) => setImmediate(() => r(true))),
          ]);
          if (pending) blocked.resolve();
          await p;
        }
      } catch (err) {
        failure.resolve(err);
      }
      return [];
    });
    const c = await srv.client();
    c.socket.pause();
    const req = c.begin({ params: cgiParams() });
    await req.end();
    await blocked.promise;
    await req.abort();
    expect(await failure.promise).toBeInstanceOf(ClientDisconnectError);
    c.socket.resume();
    const res = await req.response;
    expect(res.appStatus).toBe(APP_STATUS_INCOMPLETE);
    await srv.close();
  });

  it('ADP-FCGI-13, IN-04: STDIN ending before CONTENT_LENGTH rejects reads with InputTruncatedError', async () => {
    const seen = deferred<unknown>();
    const srv = await startServer(async (environ, startResponse) => {
      try {
        for await (const _ of environ['tsgi.input']) {
        }
        seen.resolve('no error');
      } catch (err) {
        seen.resolve(err);
      }
      startResponse('400 Bad Request', []);
      return [];
    });
    const c = await srv.client();
    const res = await c.request({
      params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10' }),
      stdin: 'short',
    });
    expect(await seen.promise).toBeInstanceOf(InputTruncatedError);
    expect(cgi(res).status).toBe(400);
    await srv.close();
  });

  it('IN-06: cancel() discards the rest of the body and the connection carries on', async () => {
    const srv = await startServer(async (environ, startResponse) => {
      const first = await environ['tsgi.input'].read(3);
      environ['tsgi.input'].cancel();
      startResponse('200 OK', []);
      return [first];
    });
    const c = await srv.client();
    const req = c.begin({
      params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: String(300_000) }),
    });
    await req.write(new Uint8Array(300_000).fill(65));
    await req.end();
    expect(cgi(await req.response).text).toBe('AAA');
    expect(cgi(await c.request({ params: cgiParams() })).status).toBe(200);
    await srv.close();
  });
});
