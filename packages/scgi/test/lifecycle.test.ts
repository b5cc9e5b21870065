/**
 * Setup and shutdown: core's checks at setup (SRV-11, IN-08), configuration keys (SRV-03), the
 * graceful close through @tsgi/server-node (SRV-09, BODY-24, ENV-24), and options refused.
 */
import { utf8 } from '@tsgi/core';
import { deferred } from '@tsgi/harness/kit';
import { createSCGIServer } from '@tsgi/scgi';
import { describe, expect, it } from 'vitest';
import { exchange, request, startServer } from './_helpers.js';

describe('SRV-03, SRV-11, IN-08: setup', () => {
  it('SRV-11: a configuration key naming request data is refused at setup, by core', () => {
    const app = () => [];
    expect(() => createSCGIServer(app, { environ: { REQUEST_METHOD: 'GET' } })).toThrow(/SRV-11/);
    expect(() => createSCGIServer(app, { environ: { 'tsgi.x': 1 } })).toThrow(/SRV-11/);
    expect(() => createSCGIServer(app, { maxBodySize: -1 })).toThrow(/IN-08/);
    expect(() => createSCGIServer(app, { readTimeout: 0 })).toThrow(/readTimeout/);
    expect(() => createSCGIServer('x' as never)).toThrow(/APP-01/);
  });

  it('ADP-SCGI-12, WS-01: tsgix.websocket is absent, even on a WebSocket handshake', async () => {
    const srv = await startServer((environ, startResponse) => {
      startResponse('200 OK', []);
      return [utf8(String('tsgix.websocket' in environ))];
    });
    try {
      const res = await exchange(
        srv.target,
        request({
          HTTP_UPGRADE: 'websocket',
          HTTP_CONNECTION: 'Upgrade',
          HTTP_SEC_WEBSOCKET_KEY: 'dGhlIHNhbXBsZSBub25jZQ==',
          HTTP_SEC_WEBSOCKET_VERSION: '13',
        }),
      );
      expect(res.cgi().text).toBe('false');
    } finally {
      await srv.close();
    }
  });

  it('SRV-03: configuration keys reach the application; a variable the front end sent keeps its value', async () => {
    const srv = await startServer(
      (environ, startResponse) => {
        startResponse('200 OK', []);
        return [utf8(`${environ['myapp.db']} ${environ.APP_ENV}`)];
      },
      { environ: { 'myapp.db': 'db1', APP_ENV: 'production' } },
    );
    try {
      expect((await exchange(srv.target, request())).cgi().text).toBe('db1 production');
      const sent = await exchange(srv.target, request({ APP_ENV: 'staging' }));
      expect(sent.cgi().text).toBe('db1 staging');
    } finally {
      await srv.close();
    }
  });
});

describe('SRV-09, BODY-24, ENV-24: graceful close', () => {
  it('SRV-09: a running request finishes; connections arriving during the close are refused', async () => {
    const release = deferred<void>();
    const started = deferred<void>();
    const srv = await startServer(async (_environ, startResponse) => {
      started.resolve();
      await release.promise;
      startResponse('200 OK', []);
      return [utf8('finished')];
    });
    const running = exchange(srv.target, request());
    await started.promise;
    const closing = srv.server.close({ timeout: 5000 });
    const late = await exchange(srv.target, request()).catch(() => undefined);
    expect(late === undefined || late.bytes.length === 0).toBe(true);
    release.resolve();
    expect((await running).cgi().text).toBe('finished');
    await closing;
  });

  it('ENV-24, BODY-24: past the timeout the request is aborted and the log names it', async () => {
    const aborted = deferred<unknown>();
    const srv = await startServer(async (environ) => {
      const signal = environ['tsgi.signal'] as AbortSignal;
      signal.addEventListener('abort', () => aborted.resolve(signal.reason));
      await new Promise(() => {}); // never answers
      return [];
    });
    void exchange(srv.target, request({ REQUEST_URI: '/stuck' })).catch(() => {});
    await expect.poll(() => srv.server.connections).toBe(1);
    await srv.server.close({ timeout: 100 });
    expect((await aborted.promise) as Error).toMatchObject({ code: 'TSGI_CLIENT_DISCONNECT' });
    expect(srv.logs.join('')).toContain(
      'SCGI request (GET /stuck) still waiting for its application',
    );
  });
});
