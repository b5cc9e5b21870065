/**
 * The HTTP-level cases every real front end is checked with: the fixture app (fixtures/app.mjs)
 * behind the front end, requests from a raw HTTP/1.1 client, assertions on what the application
 * saw (its environ, echoed as JSON) and on what the client got.
 */
import { expect, it as vitestIt } from 'vitest';
import { type HttpOptions, type HttpResult, httpRequest, rawHttp } from './_helpers.js';
import { pattern, stats } from './fixtures/app.mjs';

/** How one front end is reached and what it is known to do differently. */
export interface FrontEnd {
  /** The front end's HTTP port (resolved when the tests run). */
  port(): number;
  /** The mount prefix, e.g. `/app`. */
  prefix: string;
  /**
   * What a chunked request body becomes: `streamed` (no CONTENT_LENGTH, read to the empty STDIN
   * record) or `buffered` (the front end de-chunks and sends CONTENT_LENGTH); `refused`: the
   * front end answers 411 itself (Apache mod_proxy_scgi, ADP-SCGI-10).
   */
  chunkedRequest: 'streamed' | 'buffered' | 'refused';
  /** The application runs in this process, so its `stats` can be checked. */
  inProcess?: boolean;
  /**
   * Another transport's requirement IDs for the FastCGI ones in the titles (the SCGI tests run
   * this matrix too: `{ 'ADP-FCGI-04': 'ADP-SCGI-05', ... }`).
   */
  ids?: Readonly<Record<string, string>>;
  /**
   * Whether the front end can show the client a response aborted after its headers (default
   * true); SCGI over a Unix socket cannot (ADP-SCGI-08): there the case checks the next request.
   */
  abortVisible?: boolean;
}

interface Seen {
  environ: Record<string, string>;
  bodyLength: number;
  version: [number, number];
  urlScheme: string;
  signal: boolean;
}

async function get(fe: FrontEnd, options: HttpOptions): Promise<HttpResult> {
  return httpRequest(fe.port(), options);
}

function seen(res: HttpResult): Seen {
  expect(res.status, res.body.toString()).toBe(200);
  expect(res.complete).toBe(true);
  return JSON.parse(res.body.toString('utf8')) as Seen;
}

const body200k = pattern(12345, 200_000);

/** Registers the matrix as `it` blocks in the current `describe`. */
export function frontEndMatrix(fe: FrontEnd): void {
  const p = fe.prefix;
  const ids = fe.ids ?? {};
  const it = (title: string, test: () => Promise<void>): void =>
    vitestIt(
      title.replace(/ADP-FCGI-\d+/g, (id) => ids[id] ?? id),
      test,
    );

  it('ADP-FCGI-01, ADP-FCGI-04, ENV-07, ENV-08: GET with a query: method, split path, raw query and request-target', async () => {
    const s = seen(await get(fe, { path: `${p}/hello?x=1&y=%20z` }));
    expect(s.environ.REQUEST_METHOD).toBe('GET');
    expect(s.environ.SCRIPT_NAME).toBe(p);
    expect(s.environ.PATH_INFO).toBe('/hello');
    expect(s.environ.QUERY_STRING).toBe('x=1&y=%20z');
    expect(s.environ.REQUEST_URI).toBe(`${p}/hello?x=1&y=%20z`);
    expect(s.environ.SERVER_PROTOCOL).toBe('HTTP/1.1');
    expect(s.environ.SERVER_PORT).toMatch(/^[0-9]+$/);
    expect(s.environ.SERVER_NAME).not.toBe('');
    expect(s.version).toEqual([1, 1]);
    expect(s.urlScheme).toBe('http');
    expect(s.signal).toBe(true);
    expect(s.bodyLength).toBe(0);
  });

  it('ADP-FCGI-13, IN-03: a POST body is echoed byte for byte', async () => {
    const res = await get(fe, {
      method: 'POST',
      path: `${p}/echo`,
      headers: [
        ['X-Case', 'echo'],
        ['Content-Type', 'application/octet-stream'],
      ],
      body: body200k,
    });
    expect(res.status).toBe(200);
    expect(res.header('x-body-length')).toBe(String(body200k.length));
    expect(Buffer.compare(res.body, Buffer.from(body200k))).toBe(0);
  });

  it('IN-02, ADP-FCGI-13: a chunked request body reaches the app de-chunked', async () => {
    const res = await get(fe, {
      method: 'POST',
      path: `${p}/chunked`,
      body: body200k,
      chunked: 7000,
    });
    if (fe.chunkedRequest === 'refused') {
      expect(res.status).toBe(411);
      return;
    }
    const s = seen(res);
    expect(s.bodyLength).toBe(body200k.length);
    if (fe.chunkedRequest === 'streamed') expect(s.environ.CONTENT_LENGTH).toBeUndefined();
    else expect(s.environ.CONTENT_LENGTH).toBe(String(body200k.length));
    const echo = await get(fe, {
      method: 'POST',
      path: `${p}/chunked`,
      headers: [['X-Case', 'echo']],
      body: body200k,
      chunked: 4096,
    });
    expect(Buffer.compare(echo.body, Buffer.from(body200k))).toBe(0);
  });

  it('ENV-06, ADP-FCGI-04: a path with a space and a non-UTF-8 octet (%E9) is decoded once, byte-transparently', async () => {
    const s = seen(await get(fe, { path: `${p}/a%20b/%E9` }));
    expect(s.environ.SCRIPT_NAME).toBe(p);
    expect(s.environ.PATH_INFO).toBe('/a b/\u00e9');
    expect(s.environ.REQUEST_URI).toBe(`${p}/a%20b/%E9`);
  });

  it('ENV-13, ADP-FCGI-12, ADP-FCGI-23, SR-03: repeated request headers and cookies are merged (a ", " cookie join repaired); repeated set-cookie stay apart', async () => {
    const res = await get(fe, {
      path: `${p}/dup`,
      headers: [
        ['X-Dup', '1'],
        ['X-Dup', '2'],
        ['Cookie', 'a=1'],
        ['Cookie', 'b=2'],
      ],
    });
    const s = seen(res);
    expect(s.environ.HTTP_X_DUP).toBe('1, 2');
    expect(s.environ.HTTP_COOKIE).toBe('a=1; b=2'); // Apache sends "a=1, b=2"
    expect(res.headerAll('set-cookie')).toEqual(['a=1', 'b=2']);
  });

  it('ENV-27, ADP-FCGI-11: a Proxy header never becomes HTTP_PROXY (httpoxy)', async () => {
    const s = seen(
      await get(fe, { path: `${p}/proxy`, headers: [['Proxy', 'http://evil.example:3128']] }),
    );
    expect(s.environ.HTTP_PROXY).toBeUndefined();
    expect(Object.values(s.environ)).not.toContain('http://evil.example:3128');
  });

  it('BODY-12: HEAD gets the headers and no body', async () => {
    const res = await get(fe, { method: 'HEAD', path: `${p}/head` });
    expect(res.status).toBe(200);
    expect(res.header('content-type')).toBe('application/json');
    expect(res.body.length).toBe(0);
    // The connection to the front end is still good afterwards.
    expect(seen(await get(fe, { path: `${p}/after-head` })).environ.REQUEST_METHOD).toBe('GET');
  });

  it('ADP-FCGI-15, BODY-02, BODY-03: a 1 MiB streamed response arrives intact', async () => {
    const res = await get(fe, { path: `${p}/big`, headers: [['X-Case', 'big']] });
    expect(res.status).toBe(200);
    expect(res.complete).toBe(true);
    expect(res.body.length).toBe(1 << 20);
    expect(Buffer.compare(res.body, Buffer.from(pattern(0, 1 << 20)))).toBe(0);
  });

  it('ERR-02: an application that throws gets a generic 500', async () => {
    const res = await get(fe, { path: `${p}/throw`, headers: [['X-Case', 'throw']] });
    expect(res.status).toBe(500);
    expect(res.body.toString()).toBe('Internal Server Error\n');
  });

  it('ADP-FCGI-16, ERR-03: an error after the headers reaches the client as a truncated response', async () => {
    const res = await get(fe, { path: `${p}/throw-after`, headers: [['X-Case', 'throw-after']] });
    // Either the headers and part of the body, or (nginx, which had not flushed yet) nothing.
    expect([0, 200]).toContain(res.status);
    if (fe.abortVisible !== false) expect(res.complete).toBe(false);
    // And the front end keeps working.
    expect(seen(await get(fe, { path: `${p}/after` })).environ.PATH_INFO).toBe('/after');
  });

  if (fe.inProcess !== true) return; // the app runs in another process: its stats are not here
  it('ADP-FCGI-03, ERR-04, BODY-05: a client that goes away mid-response aborts tsgi.signal and releases the body', async () => {
    const before = { ...stats };
    const client = await rawHttp(
      fe.port(),
      `GET ${p}/forever HTTP/1.1\r\nHost: x\r\nX-Case: forever\r\n\r\n`,
    );
    await client.received(/line 2\n/);
    client.destroy();
    await expect.poll(() => stats.released - before.released, { timeout: 10_000 }).toBe(1);
    expect(stats.aborted - before.aborted).toBe(1);
    expect(stats.started - before.started).toBe(1);
  });
}
