/** fromFetch, request side: environ → Request (URL, headers, method, body, signal). */
import { request } from '@tsgi/core/testing';
import { type FetchContext, fromFetch } from '@tsgi/fetch';
import { describe, expect, it } from 'vitest';

/** Runs one request and returns the Request the handler saw (body already read as text). */
async function seen(req: Parameters<typeof request>[1], options = {}) {
  let captured: { request: Request; body: string; context: FetchContext } | undefined;
  const app = fromFetch(async (r, context) => {
    captured = { request: r, body: r.body === null ? '<null>' : await r.text(), context };
    return new Response('ok');
  }, options);
  const res = await request(app, req);
  expect(res.status, res.errors).toBe(200);
  return captured!;
}

describe('fromFetch: the URL (ENV-05..08)', () => {
  it('keeps the raw REQUEST_URI path, so %2F survives (ENV-06, ENV-07)', async () => {
    const { request: r } = await seen({ path: '/a%2Fb/%41?x=%2F' });
    expect(r.url).toBe('http://localhost/a%2Fb/%41?x=%2F');
  });

  it('non-UTF-8 octets stay octets: %FF is not re-encoded as UTF-8 (ENV-06)', async () => {
    const { request: r } = await seen({ path: '/caf%E9/%FF?q=%FF' });
    expect(new URL(r.url).pathname).toBe('/caf%E9/%FF');
    expect(new URL(r.url).search).toBe('?q=%FF');
  });

  it('raw octets a server passed unencoded are percent-encoded byte for byte (ENV-06)', async () => {
    // A byte string: 0xE9 is one octet, not U+00E9 to be UTF-8 encoded.
    const { request: r } = await seen({
      path: '/x',
      environ: {
        REQUEST_URI: '/caf\u00e9 x?q=\u00ff#',
        PATH_INFO: '/caf\u00e9 x',
        QUERY_STRING: 'q=\u00ff#',
      },
    });
    expect(r.url).toBe('http://localhost/caf%E9%20x?q=%FF%23');
  });

  it('re-encodes SCRIPT_NAME + PATH_INFO when middleware changed the path (ENV-05)', async () => {
    const { request: r } = await seen({
      path: '/old',
      environ: { PATH_INFO: '/new/\u00e9 /' },
    });
    expect(new URL(r.url).pathname).toBe('/new/%E9%20/');
  });

  it('a backslash or "?" inside the path cannot change its meaning', async () => {
    const { request: r } = await seen({
      path: '/x',
      environ: { REQUEST_URI: '/a\\b', PATH_INFO: '/a\\b' },
    });
    expect(new URL(r.url).pathname).toBe('/a%5Cb');
  });

  it('keeps repeated slashes (ENV-30); dot-segments are resolved by the URL parser (README)', async () => {
    expect(new URL((await seen({ path: '//a///b' })).request.url).pathname).toBe('//a///b');
    // Fetch cannot carry `..` in a URL, encoded or not: a documented limit of the mapping.
    expect(new URL((await seen({ path: '/a/%2e%2e/b' })).request.url).pathname).toBe('/b');
  });

  it('includes SCRIPT_NAME by default and strips it with stripScriptName (ENV-04)', async () => {
    const environ = { SCRIPT_NAME: '/my%2Fapp', PATH_INFO: '/x/y' }; // decoded once (ENV-06)
    // REQUEST_URI is raw: the mount point was /my%252Fapp on the wire.
    const a = await seen({ path: '/my%252Fapp/x%2Fy', environ });
    expect(new URL(a.request.url).pathname).toBe('/my%252Fapp/x%2Fy');
    const b = await seen({ path: '/my%252Fapp/x%2Fy', environ }, { stripScriptName: true });
    expect(new URL(b.request.url).pathname).toBe('/x%2Fy');
    const c = await seen(
      { path: '/app', environ: { SCRIPT_NAME: '/app', PATH_INFO: '' } },
      { stripScriptName: true },
    );
    expect(new URL(c.request.url).pathname).toBe('/');
  });

  it('takes the authority from Host, else SERVER_NAME:SERVER_PORT, with tsgi.url_scheme', async () => {
    const a = await seen({ path: '/', headers: { host: 'example.com:8080' } });
    expect(a.request.url).toBe('http://example.com:8080/');
    const b = await seen({
      path: '/',
      environ: { SERVER_NAME: 'srv.test', SERVER_PORT: '8443', 'tsgi.url_scheme': 'https' },
    });
    expect(b.request.url).toBe('https://srv.test:8443/');
    const c = await seen({ path: '/', environ: { SERVER_NAME: '::1', SERVER_PORT: '80' } });
    expect(c.request.url).toBe('http://[::1]/');
  });

  it('a Host field that would change the URL falls back to SERVER_NAME', async () => {
    for (const host of ['evil.test/path', 'user@evil.test', 'a b', '999.1.1.1']) {
      const { request: r } = await seen({ path: '/p', headers: { host } });
      expect(r.url, host).toBe('http://localhost/p');
    }
  });
});

describe('fromFetch: headers and method (ENV-09, ENV-12..16)', () => {
  it('maps HTTP_*, CONTENT_TYPE and CONTENT_LENGTH; repeats as environ joined them (ENV-13)', async () => {
    const { request: r } = await seen({
      method: 'POST',
      path: '/',
      headers: [
        ['x-multi', 'a'],
        ['x-multi', 'b'],
        ['cookie', 'a=1'],
        ['cookie', 'b=2'],
        ['content-type', 'text/plain'],
        ['x-latin1', 'caf\u00e9'],
      ],
      body: 'abc',
    });
    expect(r.headers.get('x-multi')).toBe('a, b');
    expect(r.headers.get('cookie')).toBe('a=1; b=2');
    expect(r.headers.get('content-type')).toBe('text/plain');
    expect(r.headers.get('content-length')).toBe('3');
    expect(r.headers.get('x-latin1')).toBe('caf\u00e9'); // one octet 0xE9, as a ByteString
  });

  it('drops hop-by-hop request fields, so fetch(request) can proxy (ENV-16)', async () => {
    const { request: r } = await seen({
      path: '/',
      headers: { connection: 'keep-alive', te: 'trailers', upgrade: 'h2c', 'keep-alive': '5' },
    });
    expect([...r.headers.keys()].sort()).toEqual([]);
  });

  it('passes the method through; CONNECT and TRACE, which fetch refuses, get 501', async () => {
    expect((await seen({ method: 'PATCH', path: '/' })).request.method).toBe('PATCH');
    const app = fromFetch(() => new Response('never'));
    expect((await request(app, { method: 'TRACE', path: '/' })).status).toBe(501);
    expect((await request(app, { method: 'CONNECT', path: 'example.com:443' })).status).toBe(501);
  });
});

describe('fromFetch: the request body (IN-01, IN-06)', () => {
  it('streams tsgi.input into request.body chunk by chunk, before the upload ends', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    async function* upload() {
      yield new TextEncoder().encode('first,');
      await gate; // only continues once the handler has seen the first chunk
      yield new TextEncoder().encode('second');
    }
    const app = fromFetch(async (r) => {
      const reader = r.body!.getReader();
      const parts: string[] = [];
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parts.push(new TextDecoder().decode(value));
        release();
      }
      return new Response(parts.join('|'));
    });
    const res = await request(app, {
      method: 'PUT',
      path: '/',
      headers: { 'transfer-encoding': 'chunked' },
      body: upload(),
    });
    expect(res.text()).toBe('first,|second');
  });

  it('finds a body with no length and no Transfer-Encoding by reading (CGI streaming)', async () => {
    async function* upload() {
      yield new TextEncoder().encode('no length');
    }
    const { body } = await seen({ method: 'POST', path: '/', body: upload() });
    expect(body).toBe('no length');
  });

  it('a bodiless POST or DELETE has request.body null; GET never has one', async () => {
    expect((await seen({ method: 'DELETE', path: '/' })).body).toBe('<null>');
    expect(
      (await seen({ method: 'POST', path: '/', headers: { 'content-length': '0' } })).body,
    ).toBe('<null>');
    expect((await seen({ method: 'GET', path: '/', body: 'ignored' })).body).toBe('<null>');
  });

  it('cancelling request.body cancels tsgi.input (IN-06)', async () => {
    let cancelled = false;
    const app = fromFetch(async (r) => {
      await r.body!.cancel();
      return new Response('stopped');
    });
    const res = await request(
      (environ, startResponse) => {
        const input = environ['tsgi.input'];
        const cancel = input.cancel.bind(input);
        input.cancel = () => {
          cancelled = true;
          cancel();
        };
        return app(environ, startResponse);
      },
      { method: 'POST', path: '/', body: 'unwanted' },
    );
    expect(res.text()).toBe('stopped');
    expect(cancelled).toBe(true);
  });

  it('request.signal aborts when tsgi.signal does (ENV-24)', async () => {
    const controller = new AbortController();
    let aborted: Promise<unknown> | undefined;
    const app = fromFetch((r) => {
      aborted = new Promise((resolve) => r.signal.addEventListener('abort', resolve));
      controller.abort();
      return new Response('late');
    });
    await request(app, { path: '/', signal: controller.signal });
    await expect(aborted).resolves.toBeDefined();
  });
});

describe('fromFetch: the context (README, ServerContext mapping)', () => {
  it('exposes environ and the ServerContext members environ can answer', async () => {
    const { context } = await seen({
      path: '/',
      environ: {
        REMOTE_ADDR: '192.0.2.7',
        REMOTE_PORT: '51000',
        SERVER_PROTOCOL: 'HTTP/2',
        'tsgi.url_scheme': 'https',
      },
    });
    expect(context.environ.REMOTE_ADDR).toBe('192.0.2.7');
    expect(context.remoteAddress).toEqual({ address: '192.0.2.7', port: 51000, family: 'IPv4' });
    expect(context.localAddress).toBeNull();
    expect(context.alpnProtocol).toBe('h2');
    expect(context.encrypted).toBe(true);
    expect(context.serverName).toBeNull();
    await expect(context.completed).resolves.toBeUndefined();
  });

  it('waitUntil logs a rejection to tsgi.errors instead of losing it', async () => {
    const app = fromFetch((_r, ctx) => {
      ctx.waitUntil(Promise.reject(new Error('background job failed')));
      return new Response('ok');
    });
    let log = '';
    const errors = {
      write: (t: string) => {
        log += t;
      },
      flush: () => Promise.resolve(),
    };
    const res = await request(app, { path: '/', environ: { 'tsgi.errors': errors } });
    await new Promise((r) => setTimeout(r, 0));
    expect(res.status).toBe(200);
    expect(log).toMatch(/waitUntil promise rejected: Error: background job failed/);
  });
});
