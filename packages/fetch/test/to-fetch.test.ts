/** toFetch: a TSGI application inside a fetch server (Request in, Response out). */
import { type Application, decodeUtf8, type Environ, utf8 } from '@tsgi/core';
import { toFetch } from '@tsgi/fetch';
import { afterEach, describe, expect, it } from 'vitest';

/** An app that captures its environ and answers with a fixed body. */
function capture(): { app: Application; environ: () => Environ; body: () => string } {
  let environ: Environ | undefined;
  let body = '';
  const app: Application = async (env, startResponse) => {
    environ = env;
    for await (const chunk of env['tsgi.input']) body += new TextDecoder().decode(chunk);
    startResponse('200 OK', [['content-type', 'text/plain']]);
    return [utf8('ok')];
  };
  return { app, environ: () => environ!, body: () => body };
}

/** A gate: `wait()` resolves once `open()` was called. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => {
    open = r;
  });
  return { open, wait: () => p };
}

describe('toFetch: environ from the Request (ENV-03..13)', () => {
  it('builds the request line, decoding the path once into a byte string (ENV-05, ENV-06)', async () => {
    const c = capture();
    await toFetch(c.app)(new Request('https://example.com:8443/a%2Fb/caf%C3%A9/%FF?q=%FF&x=1'));
    const e = c.environ();
    expect(e.REQUEST_METHOD).toBe('GET');
    expect(e.SCRIPT_NAME).toBe('');
    expect(e.PATH_INFO).toBe('/a/b/caf\u00c3\u00a9/\u00ff');
    expect(decodeUtf8(e.PATH_INFO.slice(0, 10))).toBe('/a/b/caf\u00e9');
    expect(e.REQUEST_URI).toBe('/a%2Fb/caf%C3%A9/%FF?q=%FF&x=1');
    expect(e.QUERY_STRING).toBe('q=%FF&x=1');
    expect(e.SERVER_NAME).toBe('example.com');
    expect(e.SERVER_PORT).toBe('8443');
    expect(e.HTTP_HOST).toBe('example.com:8443');
    expect(e['tsgi.url_scheme']).toBe('https');
    expect(e.HTTPS).toBe('on');
  });

  it('maps headers as a server would (ENV-09, ENV-12, ENV-14, ENV-27)', async () => {
    const c = capture();
    const headers = new Headers([
      ['x-a', '1'],
      ['x-a', '2'],
      ['content-type', 'text/plain'],
      ['x_under', 'dropped'],
      ['proxy', 'httpoxy'],
      ['x-latin1', 'caf\u00e9'],
    ]);
    await toFetch(c.app)(new Request('http://h.test/', { method: 'POST', headers, body: 'abc' }));
    const e = c.environ();
    expect(e.HTTP_X_A).toBe('1, 2');
    expect(e.CONTENT_TYPE).toBe('text/plain');
    expect(e.HTTP_CONTENT_TYPE).toBeUndefined();
    expect(e.HTTP_X_UNDER).toBeUndefined();
    expect(e.HTTP_PROXY).toBeUndefined();
    expect(e.HTTP_X_LATIN1).toBe('caf\u00e9');
    expect(c.body()).toBe('abc');
  });

  it('honours scriptName, configuration keys and the remote address (ENV-04, SRV-03, ENV-17)', async () => {
    const c = capture();
    const db = { name: 'db' };
    const handler = toFetch(c.app, {
      scriptName: '/app',
      environ: { 'myapp.db': db, APP_ENV: 'test' },
      remote: () => ({ addr: '192.0.2.1', port: 4711 }),
    });
    await handler(new Request('http://h.test/app/x'));
    expect(c.environ().SCRIPT_NAME).toBe('/app');
    expect(c.environ().PATH_INFO).toBe('/x');
    expect(c.environ()['myapp.db']).toBe(db);
    expect(c.environ().APP_ENV).toBe('test');
    expect(c.environ().REMOTE_ADDR).toBe('192.0.2.1');
    expect(c.environ().REMOTE_PORT).toBe('4711');
  });

  it('streams the request body into tsgi.input before the upload ends (IN-01)', async () => {
    const g = gate();
    const upload = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(utf8('first,'));
        await g.wait();
        controller.enqueue(utf8('second'));
        controller.close();
      },
    });
    const app: Application = async (environ, startResponse) => {
      const parts: string[] = [];
      for await (const chunk of environ['tsgi.input']) {
        parts.push(new TextDecoder().decode(chunk));
        g.open();
      }
      startResponse('200 OK', []);
      return [utf8(parts.join('|'))];
    };
    const res = await toFetch(app)(
      new Request('http://h.test/', {
        method: 'POST',
        body: upload,
        duplex: 'half',
      } as RequestInit),
    );
    expect(await res.text()).toBe('first,|second');
  });
});

describe('toFetch: the Response (SR-03, BODY-02, BODY-05, BODY-10)', () => {
  it('streams the body out: the consumer reads a chunk before the next is produced', async () => {
    const g = gate();
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return (async function* () {
        yield utf8('one');
        await g.wait();
        yield utf8('two');
      })();
    };
    const res = await toFetch(app)(new Request('http://h.test/'));
    const reader = res.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('one');
    g.open();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('two');
    expect((await reader.read()).done).toBe(true);
  });

  it('applies backpressure: an unread body is not pulled past the high-water mark (BODY-02)', async () => {
    let produced = 0;
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return (function* () {
        for (let i = 0; i < 1000; i++) {
          produced++;
          yield new Uint8Array(1024);
        }
      })();
    };
    const res = await toFetch(app, { highWaterMark: 8192 })(new Request('http://h.test/'));
    await new Promise((r) => setTimeout(r, 20));
    expect(produced).toBeLessThan(20);
    await res.body!.cancel();
  });

  it('keeps Set-Cookie apart and adds content-length for an Array body (SR-03, BODY-10)', async () => {
    const app: Application = (_environ, startResponse) => {
      startResponse('201 Made', [
        ['set-cookie', 'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT'],
        ['set-cookie', 'b=2'],
      ]);
      return [utf8('hello')];
    };
    const res = await toFetch(app)(new Request('http://h.test/'));
    expect(res.status).toBe(201);
    expect(res.statusText).toBe('Made');
    expect(res.headers.getSetCookie()).toEqual([
      'a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT',
      'b=2',
    ]);
    expect(res.headers.get('content-length')).toBe('5');
    expect(await res.text()).toBe('hello');
  });

  it('cancelling the Response body aborts tsgi.signal and releases the app body (BODY-05)', async () => {
    let signal: AbortSignal | undefined;
    let released = false;
    const app: Application = (environ, startResponse) => {
      signal = environ['tsgi.signal'];
      startResponse('200 OK', []);
      return (async function* () {
        try {
          for (;;) {
            yield utf8('tick');
            await new Promise((r) => setTimeout(r, 2));
          }
        } finally {
          released = true;
        }
      })();
    };
    const res = await toFetch(app)(new Request('http://h.test/'));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    await new Promise((r) => setTimeout(r, 10));
    expect(signal?.aborted).toBe(true);
    expect(released).toBe(true);
  });

  it('request.signal aborting while the application runs aborts tsgi.signal (ENV-24, ADP-FETCH-04)', async () => {
    const client = new AbortController();
    const g = gate();
    let signal: AbortSignal | undefined;
    const app: Application = async (environ, startResponse) => {
      signal = environ['tsgi.signal'];
      await g.wait();
      startResponse('200 OK', []);
      return [utf8('x')];
    };
    const pending = toFetch(app)(new Request('http://h.test/', { signal: client.signal }));
    client.abort();
    g.open();
    await Promise.resolve(pending).catch(() => {});
    expect(signal?.aborted).toBe(true);
    expect((signal?.reason as { code?: string } | undefined)?.code).toBe('TSGI_CLIENT_DISCONNECT');
  });

  it('HEAD and 204 give a null body (BODY-18)', async () => {
    const app: Application = (environ, startResponse) => {
      startResponse(environ.PATH_INFO === '/none' ? '204 No Content' : '200 OK', [
        ['content-length', '5'],
      ]);
      return [utf8('hello')];
    };
    const head = await toFetch(app)(new Request('http://h.test/', { method: 'HEAD' }));
    expect(head.body).toBeNull();
    expect(head.headers.get('content-length')).toBe('5');
    const none = await toFetch(app)(new Request('http://h.test/none'));
    expect(none.status).toBe(204);
    expect(none.body).toBeNull();
  });

  it('an app that throws gives 500 (ERR-02); failing after the headers errors the stream (ERR-03)', async () => {
    const errors = { write: () => {}, flush: () => Promise.resolve() };
    const broken: Application = () => {
      throw new Error('broken');
    };
    const res = await toFetch(broken, { errors })(new Request('http://h.test/'));
    expect(res.status).toBe(500);
    const late: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return (async function* () {
        yield utf8('partial');
        throw new Error('late');
      })();
    };
    const res2 = await toFetch(late, { errors })(new Request('http://h.test/'));
    expect(res2.status).toBe(200);
    await expect(res2.text()).rejects.toThrow();
  });
});

describe('toFetch on fetch runtimes (ADP-FETCH-01..06)', () => {
  const realStream = globalThis.ReadableStream;
  const realResponse = globalThis.Response;
  afterEach(() => {
    globalThis.ReadableStream = realStream;
    globalThis.Response = realResponse;
  });

  /** Records what kind of body each `new Response(body)` the bridge makes is given. */
  function recordBodies(): string[] {
    const kinds: string[] = [];
    globalThis.Response = class extends realResponse {
      constructor(body?: ConstructorParameters<typeof Response>[0], init?: ResponseInit) {
        super(body, init);
        kinds.push(body === null || body === undefined ? 'null' : (body.constructor?.name ?? '?'));
      }
    } as typeof Response;
    return kinds;
  }

  it('answers an Array body synchronously with bytes, never reading request.signal (ADP-FETCH-05, ADP-FETCH-06, BODY-10)', async () => {
    const bodies = recordBodies();
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [utf8('hel'), utf8('lo')];
    };
    const request = new Request('http://h.test/');
    let signalReads = 0;
    Object.defineProperty(request, 'signal', {
      get() {
        signalReads++;
        return new AbortController().signal;
      },
    });
    const res = toFetch(app)(request);
    expect(res).toBeInstanceOf(realResponse); // not a promise: the engine finished synchronously
    expect(bodies).toEqual(['Uint8Array']);
    expect(signalReads).toBe(0);
    // Kept in memory (Node); only on Deno, where the field is costly, the runtime alone sends it.
    expect((res as Response).headers.get('content-length')).toBe('5');
    expect(await (res as Response).text()).toBe('hello');
  });

  it('streams a whole body without content-type, so no runtime invents one (BODY-22, ADP-FETCH-06)', async () => {
    const bodies = recordBodies();
    const app: Application = (_environ, startResponse) => {
      startResponse('200 OK', []);
      return [utf8('raw')];
    };
    const res = await toFetch(app)(new Request('http://h.test/'));
    expect(bodies).toEqual(['ReadableStream']);
    expect(res.headers.get('content-type')).toBeNull();
    expect(await res.text()).toBe('raw');
  });

  it('write() rejects with ClientDisconnectError once the consumer cancelled (ERR-05, ADP-FETCH-04)', async () => {
    const outcome = deferredOutcome();
    const app: Application = async (_environ, startResponse) => {
      const write = startResponse('200 OK', []);
      try {
        for (let i = 0; i < 64; i++) await write(new Uint8Array(65536));
        outcome.resolve('all resolved');
      } catch (err) {
        outcome.resolve((err as { code?: string }).code ?? String(err));
      }
      return [];
    };
    const res = await toFetch(app)(new Request('http://h.test/'));
    const reader = res.body!.getReader();
    await reader.read();
    await reader.cancel();
    expect(await outcome.promise).toBe('TSGI_CLIENT_DISCONNECT');
  });

  it('a failing upload rejects reads with ClientDisconnectError and aborts tsgi.signal (ERR-05, IN-15, ENV-24, ADP-FETCH-04)', async () => {
    let error: { name?: string; code?: string } | undefined;
    let signal: AbortSignal | undefined;
    const app: Application = async (environ, startResponse) => {
      signal = environ['tsgi.signal'];
      try {
        for await (const _ of environ['tsgi.input']);
      } catch (err) {
        error = err as typeof error;
      }
      startResponse('200 OK', []);
      return [];
    };
    const upload = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(utf8('part'));
        c.error(Object.assign(new Error('The connection was closed.'), { name: 'AbortError' }));
      },
    });
    // The client is gone: the bridge has no response to give (the runtime drops it).
    await Promise.resolve(
      toFetch(app)(
        new Request('http://h.test/', {
          method: 'POST',
          headers: { 'content-length': '100' },
          body: upload,
          duplex: 'half',
        } as RequestInit),
      ),
    ).catch(() => {});
    expect(error?.code).toBe('TSGI_CLIENT_DISCONNECT');
    expect(signal?.aborted).toBe(true);
  });

  it("takes REMOTE_ADDR and REMOTE_PORT from Bun's server and Deno's info; SERVER_SOFTWARE (ENV-17, ADP-FETCH-02)", async () => {
    const c = capture();
    const handler = toFetch(c.app, { software: 'test/1' });
    await handler(new Request('http://h.test/'), {
      requestIP: () => ({ address: '192.0.2.7', port: 5001, family: 'IPv4' }),
    });
    expect([c.environ().REMOTE_ADDR, c.environ().REMOTE_PORT]).toEqual(['192.0.2.7', '5001']);
    expect(c.environ().SERVER_SOFTWARE).toBe('test/1');
    await handler(new Request('http://h.test/'), {
      remoteAddr: { transport: 'tcp', hostname: '::1', port: 5002 },
    });
    expect([c.environ().REMOTE_ADDR, c.environ().REMOTE_PORT]).toEqual(['::1', '5002']);
    await handler(new Request('http://h.test/'), { SOME_BINDING: 'x' }); // workerd's env
    expect(c.environ().REMOTE_ADDR).toBeUndefined();
  });

  it('refuses what a runtime lets through: Host, joined Content-Length, fragment, scheme (ENV-34, SRV-14, SRV-15, ADP-FETCH-03)', async () => {
    const c = capture();
    const handler = toFetch(c.app);
    const host = await handler(new Request('http://h.test/', { headers: { host: 'a b' } }));
    expect(host.status).toBe(400);
    const joined = await handler(
      new Request('http://h.test/', {
        method: 'POST',
        headers: { 'content-length': '3, 3' },
        body: 'abc',
      }),
    );
    expect(joined.status).toBe(400);
    expect((await handler(new Request('http://h.test/x#frag'))).status).toBe(400);
    expect((await handler(new Request('ftp://h.test/x'))).status).toBe(400);
    expect((await handler(new Request('http://h.test/x'))).status).toBe(200);
  });

  it('repairs a Cookie joined with ", "; ENV-35 HTTP_HOST from an absolute-form URL (ENV-13, ENV-35, ADP-FETCH-01)', async () => {
    const c = capture();
    const handler = toFetch(c.app);
    await handler(
      new Request('http://other.test:8123/x?q', {
        headers: { host: 'h.test', cookie: 'a=1, b=2' },
      }),
    );
    expect(c.environ().HTTP_COOKIE).toBe('a=1; b=2');
    expect(c.environ().HTTP_HOST).toBe('other.test:8123');
    expect(c.environ().REQUEST_URI).toBe('http://other.test:8123/x?q');
    await handler(new Request('http://h.test/x', { headers: { host: 'H.TEST:80' } }));
    expect(c.environ().HTTP_HOST).toBe('H.TEST:80');
  });

  it('a HEAD answer without content-length has an empty stream body; Date on request; 426 upgrade (BODY-25, SR-12, SR-17, ADP-FETCH-06)', async () => {
    const app: Application = (environ, startResponse) => {
      if (environ.PATH_INFO === '/426') {
        startResponse('426 Upgrade Required', [['upgrade', 'probe/1']]);
        return [utf8('upgrade')];
      }
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return (async function* () {
        yield utf8('streamed');
      })();
    };
    const head = await toFetch(app)(new Request('http://h.test/', { method: 'HEAD' }));
    expect(head.body).not.toBeNull();
    expect(head.headers.get('content-length')).toBeNull();
    const dated = await toFetch(app, { date: true })(new Request('http://h.test/'));
    expect(dated.headers.get('date')).toMatch(/ GMT$/);
    const upgrade = await toFetch(app)(new Request('http://h.test/426'));
    expect(upgrade.headers.get('connection')).toBe('upgrade');
  });
});

function deferredOutcome(): { promise: Promise<string>; resolve: (v: string) => void } {
  let resolve!: (v: string) => void;
  const promise = new Promise<string>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}
