import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Environ, utf8 } from '@tsgi/core';
import { createFastCGIServer } from '@tsgi/fastcgi';
import { FastCGIClient, parseCgiResponse } from '@tsgi/fastcgi/client';
import { encodeRecord, ProtocolStatus, RecordType } from '@tsgi/fastcgi/codec';
import { tempDir } from '@tsgi/harness';
import { describe, expect, it } from 'vitest';
import { cgi, cgiParams, deferred, environApp, startServer } from './_helpers.js';

const enc = new TextEncoder();

describe('FastCGI server options', () => {
  const ok = (_e: Environ, startResponse: (s: '200 OK', h: [string, string][]) => unknown) => {
    startResponse('200 OK', []);
    return [utf8('ok')];
  };

  it('ADP-FCGI-26, WS-01: tsgix.websocket is absent, even on a WebSocket handshake', async () => {
    const srv = await startServer((environ, startResponse) => {
      startResponse('200 OK', []);
      return [utf8(String('tsgix.websocket' in environ))];
    });
    const c = await srv.client();
    const res = await c.request({
      params: cgiParams({
        HTTP_UPGRADE: 'websocket',
        HTTP_CONNECTION: 'Upgrade',
        HTTP_SEC_WEBSOCKET_KEY: 'dGhlIHNhbXBsZSBub25jZQ==',
        HTTP_SEC_WEBSOCKET_VERSION: '13',
      }),
    });
    expect(cgi(res).text).toBe('false');
    await srv.close();
  });

  it('ADP-FCGI-04: scriptName sets SCRIPT_NAME and derives PATH_INFO from REQUEST_URI, whatever split the web server made', async () => {
    const srv = await startServer(environApp, { scriptName: '/app' });
    const c = await srv.client();
    const res = await c.request({
      params: cgiParams({ SCRIPT_NAME: '/app/a b/\u00e9', REQUEST_URI: '/app/a%20b/%E9?q' }),
    });
    const { vars } = JSON.parse(cgi(res).text);
    expect(vars.SCRIPT_NAME).toBe('/app');
    expect(vars.PATH_INFO).toBe('/a b/\u00e9');
    expect(vars.REQUEST_URI).toBe('/app/a%20b/%E9?q');
    await srv.close();
  });

  it('SRV-02: parameters without REQUEST_METHOD are answered 400 without invoking the application', async () => {
    let calls = 0;
    const srv = await startServer((_e, startResponse) => {
      calls++;
      startResponse('200 OK', []);
      return [];
    });
    const c = await srv.client();
    const params = cgiParams();
    delete params.REQUEST_METHOD;
    const res = await c.request({ params });
    expect(cgi(res).status).toBe(400);
    // core's refusal, the same bytes as every adapter's
    expect(Buffer.from(res.stdout).toString('latin1')).toBe(
      'Status: 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 16\r\n\r\n400 Bad Request\n',
    );
    expect(res.appStatus).toBe(0);
    expect(calls).toBe(0);
    expect(cgi(await c.request({ params: cgiParams() })).status).toBe(200);
    expect(calls).toBe(1);
    await srv.close();
  });

  it('SRV-05, IN-08: maxBodySize answers 413 for a larger CONTENT_LENGTH without invoking the application', async () => {
    let calls = 0;
    const srv = await startServer(
      (_e, startResponse) => {
        calls++;
        startResponse('200 OK', []);
        return [];
      },
      { maxBodySize: 10 },
    );
    const c = await srv.client();
    const res = await c.request({
      params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '11' }),
      stdin: 'x'.repeat(11),
    });
    expect(cgi(res).status).toBe(413);
    expect(calls).toBe(0);
    expect(
      cgi(
        await c.request({
          params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10' }),
          stdin: 'x'.repeat(10),
        }),
      ).status,
    ).toBe(200);
    await srv.close();
  });

  it('SRV-03, SRV-11: configuration keys are added; one naming request data is refused at setup, not ignored per request', async () => {
    const srv = await startServer(environApp, {
      environ: { 'app.mode': 'x', APP_ENV: 'test', DOCUMENT_ROOT: '/config' },
    });
    const c = await srv.client();
    const params = cgiParams({ DOCUMENT_ROOT: '/srv/www' });
    const { vars } = JSON.parse(cgi(await c.request({ params })).text);
    expect(vars['app.mode']).toBe('x');
    expect(vars.APP_ENV).toBe('test');
    expect(vars.DOCUMENT_ROOT).toBe('/srv/www'); // the front end's variable keeps its value
    await srv.close();
    for (const environ of [
      { SERVER_NAME: 'config' },
      { HTTP_X_SPOOF: 'no' },
      { 'tsgi.version': 1 },
    ]) {
      expect(() => createFastCGIServer(environApp, { environ })).toThrow(/SRV-11/);
    }
  });

  it('ADP-FCGI-18: FCGI_WEB_SERVER_ADDRS refuses other peers; listed peers (IPv4-mapped too) are served', async () => {
    const refused = await startServer(ok as never, { webServerAddrs: '10.9.8.7, 192.0.2.1' });
    const c = await refused.client();
    await c.closed;
    expect(refused.logs.join('')).toMatch(/not in FCGI_WEB_SERVER_ADDRS/);
    const allowed = await startServer(ok as never, { webServerAddrs: ['10.9.8.7', '127.0.0.1'] });
    const c2 = await allowed.client();
    expect(cgi(await c2.request({ params: cgiParams() })).text).toBe('ok');
    await refused.close();
    await allowed.close();
  });

  it('ADP-FCGI-09: connections beyond maxConns are closed at once', async () => {
    const srv = await startServer(ok as never, { maxConns: 1 });
    const c1 = await srv.client();
    expect(cgi(await c1.request({ params: cgiParams() })).text).toBe('ok');
    const c2 = await srv.client();
    await c2.closed;
    expect(cgi(await c1.request({ params: cgiParams() })).text).toBe('ok');
    await srv.close();
  });

  it('ADP-FCGI-17: listens on a Unix socket, replacing a stale socket file', async () => {
    const dir = tempDir('tsgi-fcgi-unix-');
    const path = `${dir.path}/app.sock`;
    // A process killed while listening leaves its socket file behind.
    spawnSync(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
    ]);
    expect(existsSync(path)).toBe(true);
    const srv = await startServer(ok as never, { path });
    expect(srv.server.address).toEqual({ kind: 'unix', path });
    const c = await FastCGIClient.connect({ path });
    expect(cgi(await c.request({ params: cgiParams() })).text).toBe('ok');
    c.destroy();
    await srv.close();
    dir.remove();
  });

  it('SRV-09, ADP-FCGI-09, ENV-24: close() lets running requests finish, refuses new ones, and aborts what outlives the timeout', async () => {
    const release = deferred();
    let aborted: Environ | undefined;
    const srv = await startServer(async (environ, startResponse) => {
      if (environ.HTTP_X_ROLE === 'stuck') {
        aborted = environ;
        await new Promise((r) => environ['tsgi.signal'].addEventListener('abort', r));
      } else await release.promise;
      startResponse('200 OK', []);
      return [utf8('done')];
    });
    const c = await srv.client();
    const running = c.begin({ params: cgiParams() });
    await running.end();
    const c2 = await srv.client();
    const stuck = c2.begin({ params: cgiParams({ HTTP_X_ROLE: 'stuck' }) });
    await stuck.end();
    await expect.poll(() => srv.server.activeRequests).toBe(2);
    const closing = srv.server.close({ timeout: 300 });
    const late = await c.request({ params: cgiParams() });
    expect(late.protocolStatus).toBe(ProtocolStatus.OVERLOADED);
    release.resolve();
    expect(cgi(await running.response).text).toBe('done');
    await closing;
    expect(aborted?.['tsgi.signal'].aborted).toBe(true);
    expect((await stuck.response).complete).toBe(false);
  });

  it('ADP-FCGI-10: raw client bytes with a 4-byte length for a small name are accepted', async () => {
    const srv = await startServer(environApp);
    const c = await srv.client();
    const pairs = new Uint8Array([
      0x80,
      0,
      0,
      14,
      3,
      ...enc.encode('REQUEST_METHOD'),
      ...enc.encode('PUT'),
    ]);
    await c.sendRecord(RecordType.BEGIN_REQUEST, 5, new Uint8Array([0, 1, 1, 0, 0, 0, 0, 0]));
    const next = new Promise<Uint8Array>((resolve) => {
      const chunks: Buffer[] = [];
      c.socket.on('data', (d: Buffer) => {
        chunks.push(d);
        if (Buffer.concat(chunks).includes(Buffer.from([1, RecordType.END_REQUEST, 0, 5])))
          resolve(Buffer.concat(chunks));
      });
    });
    await c.sendRaw(
      Buffer.concat([
        encodeRecord(RecordType.PARAMS, 5, pairs, { pad: false }),
        encodeRecord(RecordType.PARAMS, 5),
        encodeRecord(RecordType.STDIN, 5),
      ]),
    );
    await next;
    expect(c.strayRecords.length).toBeGreaterThan(0); // id 5 was not begun through the client API
    const stdout = Buffer.concat(
      c.strayRecords.filter((r) => r.type === RecordType.STDOUT).map((r) => r.content),
    );
    expect(
      JSON.parse(Buffer.from(parseCgiResponse(stdout).body).toString()).vars.REQUEST_METHOD,
    ).toBe('PUT');
    await srv.close();
  });
});
