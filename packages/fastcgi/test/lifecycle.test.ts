import { ClientDisconnectError, type Environ, utf8 } from '@tsgi/core';
import { APP_STATUS_INCOMPLETE, ProtocolStatus } from '@tsgi/fastcgi';
import { describe, expect, it } from 'vitest';
import { cgi, cgiParams, deferred, startServer } from './_helpers.js';

describe('FastCGI multiplexing, aborts and disconnects', () => {
  it('ADP-FCGI-08: several request ids run concurrently on one connection (FCGI_MPXS_CONNS=1)', async () => {
    const gate = deferred();
    const srv = await startServer(async (environ, startResponse) => {
      if (environ.HTTP_X_ROLE === 'waiter')
        await gate.promise; // finishes only after "opener" ran
      else gate.resolve();
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [utf8(`${environ.HTTP_X_ROLE} ${environ['tsgi.signal'].aborted}`)];
    });
    const c = await srv.client();
    const waiter = c.begin({ params: cgiParams({ HTTP_X_ROLE: 'waiter' }), requestId: 1 });
    const opener = c.begin({ params: cgiParams({ HTTP_X_ROLE: 'opener' }), requestId: 2 });
    const third = c.begin({ params: cgiParams({ HTTP_X_ROLE: 'third' }), requestId: 300 });
    await Promise.all([waiter.end(), opener.end(), third.end()]);
    const [r1, r2, r3] = await Promise.all([waiter.response, opener.response, third.response]);
    expect([r1.requestId, r2.requestId, r3.requestId]).toEqual([1, 2, 300]);
    expect(cgi(r1).text).toBe('waiter false');
    expect(cgi(r2).text).toBe('opener false');
    expect(cgi(r3).text).toBe('third false');
    expect(srv.accepted()).toBe(1);
    await srv.close();
  });

  it('ADP-FCGI-08, ADP-FCGI-09: multiplex off answers a concurrent BEGIN_REQUEST with CANT_MPX_CONN; maxReqs gives OVERLOADED', async () => {
    const gate = deferred();
    const app = async (
      _e: Environ,
      startResponse: (s: '200 OK', h: [string, string][]) => unknown,
    ) => {
      await gate.promise;
      startResponse('200 OK', []);
      return [utf8('ok')];
    };
    const single = await startServer(app as never, { multiplex: false });
    const c = await single.client();
    expect((await c.getValues(['FCGI_MPXS_CONNS'])).get('FCGI_MPXS_CONNS')).toBe('0');
    const first = c.begin({ params: cgiParams(), requestId: 1 });
    await first.end();
    const second = await c.request({ params: cgiParams(), requestId: 2 });
    expect(second.protocolStatus).toBe(ProtocolStatus.CANT_MPX_CONN);
    const limited = await startServer(app as never, { maxReqs: 1 });
    const c2 = await limited.client();
    const busy = c2.begin({ params: cgiParams(), requestId: 1 });
    await busy.end();
    const c3 = await limited.client();
    const over = await c3.request({ params: cgiParams() });
    expect(over.protocolStatus).toBe(ProtocolStatus.OVERLOADED);
    gate.resolve();
    expect(cgi(await first.response).text).toBe('ok');
    expect(cgi(await busy.response).text).toBe('ok');
    await single.close();
    await limited.close();
  });

  /** An app whose async body waits forever and records how it was released. */
  function hangingApp() {
    const state = {
      started: deferred<Environ>(),
      returns: 0,
      closes: 0,
      readError: undefined as unknown,
    };
    const app = (
      environ: Environ,
      startResponse: (s: '200 OK', h: [string, string][]) => unknown,
    ) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      void (async () => {
        try {
          for await (const _ of environ['tsgi.input']) {
          }
        } catch (err) {
          state.readError = err;
        }
      })();
      const body = {
        [Symbol.asyncIterator]() {
          let sent = false;
          return {
            next: async () => {
              if (!sent) {
                sent = true;
                state.started.resolve(environ);
                return { done: false, value: utf8('first chunk') };
              }
              return new Promise<IteratorResult<Uint8Array>>(() => {}); // never
            },
            return: async () => {
              state.returns++;
              return { done: true as const, value: undefined };
            },
          };
        },
        close() {
          state.closes++;
        },
      };
      return body;
    };
    return { app, state };
  }

  it('ADP-FCGI-03, ERR-04, BODY-05, BODY-06: ABORT_REQUEST aborts tsgi.signal, releases the body once and answers END_REQUEST', async () => {
    const { app, state } = hangingApp();
    const srv = await startServer(app as never);
    const c = await srv.client();
    const req = c.begin({ params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10' }) });
    await req.write('abc');
    const environ = await state.started.promise;
    await req.abort();
    const res = await req.response;
    expect(res.complete).toBe(true);
    expect(res.protocolStatus).toBe(ProtocolStatus.REQUEST_COMPLETE);
    expect(res.appStatus).toBe(APP_STATUS_INCOMPLETE);
    expect(environ['tsgi.signal'].aborted).toBe(true);
    await expect.poll(() => state.returns + state.closes).toBe(2);
    expect(state.returns).toBe(1);
    expect(state.closes).toBe(1);
    await expect.poll(() => state.readError).toBeInstanceOf(ClientDisconnectError);
    // The connection (keep-conn) serves the next request on the same id.
    const again = c.begin({ params: cgiParams(), requestId: req.id });
    await again.end();
    await state.started.promise;
    expect(c.isClosed).toBe(false);
    await srv.close();
    expect(srv.logs.join('')).not.toMatch(/ERR-01/); // ERR-04: no error logged
  });

  it('ADP-FCGI-03, ERR-04, ERR-05: the web server closing the connection aborts tsgi.signal and releases the body once', async () => {
    const { app, state } = hangingApp();
    const srv = await startServer(app as never);
    const c = await srv.client();
    const req = c.begin({ params: cgiParams({ REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10' }) });
    await req.write('abc');
    const environ = await state.started.promise;
    c.destroy();
    await new Promise<void>((resolve) =>
      environ['tsgi.signal'].addEventListener('abort', () => resolve()),
    );
    await expect.poll(() => state.returns + state.closes).toBe(2);
    expect(state.returns).toBe(1);
    expect(state.closes).toBe(1);
    await expect.poll(() => state.readError).toBeInstanceOf(ClientDisconnectError);
    await expect.poll(() => srv.server.activeRequests).toBe(0);
    await srv.close();
  });

  it('ADP-FCGI-16, ERR-03: an error after the headers closes the connection without END_REQUEST (single request)', async () => {
    const srv2 = await startServer((_e, startResponse) => {
      startResponse('200 OK', []);
      return (async function* () {
        yield utf8('partial');
        throw new Error('boom');
      })();
    });
    const c = await srv2.client();
    const res = await c.request({ params: cgiParams() });
    expect(res.complete).toBe(false);
    expect(res.stdoutEnded).toBe(false);
    expect(res.abortedByApplication).toBe(true);
    expect(Buffer.from(res.stdout).toString()).toMatch(/partial$/);
    // stderr carried the ERR-01 log line before the close.
    expect(Buffer.from(res.stderr).toString()).toMatch(/ERR-01.*boom/);
    await srv2.close();
  });

  it('ADP-FCGI-16, SRV-10: with other requests multiplexed, the failed one ends STDOUT with appStatus 1; the others are unaffected', async () => {
    const gate = deferred();
    const srv = await startServer(async (environ, startResponse) => {
      startResponse('200 OK', []);
      if (environ.HTTP_X_ROLE === 'ok') {
        await gate.promise;
        return [utf8('fine')];
      }
      return (async function* () {
        yield utf8('partial');
        throw new Error('boom');
      })();
    });
    const c = await srv.client();
    const ok = c.begin({ params: cgiParams({ HTTP_X_ROLE: 'ok' }) });
    await ok.end();
    const bad = await c.request({ params: cgiParams({ HTTP_X_ROLE: 'bad' }) });
    expect(bad.complete).toBe(true);
    expect(bad.stdoutEnded).toBe(true);
    expect(bad.appStatus).toBe(APP_STATUS_INCOMPLETE);
    gate.resolve();
    expect(cgi(await ok.response).text).toBe('fine');
    await srv.close();
  });

  it('ERR-02, ADP-FCGI-14, ERRS-03: an app that throws gets a 500 and its log line reaches the web server as FCGI_STDERR', async () => {
    const srv = await startServer((environ) => {
      environ['tsgi.errors'].write('note from the app\n');
      throw new Error('kaboom');
    });
    const c = await srv.client();
    const res = await c.request({ params: cgiParams() });
    const r = cgi(res);
    expect(r.status).toBe(500);
    expect(r.text).toBe('Internal Server Error\n');
    expect(res.appStatus).toBe(0);
    const stderr = Buffer.from(res.stderr).toString();
    expect(stderr).toContain('note from the app');
    expect(stderr).toMatch(/ERR-01.*kaboom/);
    await srv.close();
  });

  it('BODY-12, BODY-10: HEAD sends headers only, with no content-length; a known length becomes content-length otherwise', async () => {
    const srv = await startServer((_e, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [utf8('twelve bytes')];
    });
    const c = await srv.client();
    const head = cgi(await c.request({ params: cgiParams({ REQUEST_METHOD: 'HEAD' }) }));
    expect(head.body.length).toBe(0);
    expect(head.headers.map(([n]) => n.toLowerCase())).not.toContain('content-length');
    const get = cgi(await c.request({ params: cgiParams() }));
    expect(get.headers).toContainEqual(['content-length', '12']);
    expect(get.text).toBe('twelve bytes');
    await srv.close();
  });
});
