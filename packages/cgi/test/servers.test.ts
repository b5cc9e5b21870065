/**
 * `@tsgi/cgi` behind real web servers on 127.0.0.1: Apache httpd (mod_cgid), lighttpd
 * (mod_cgi) and busybox httpd, each started by the harness from the deployers' guide's recipes
 * (docs/recipes/, shown in the README too), the recipe wrapper among the scripts. The
 * fixture app echoes its environ as JSON, so each test checks what the application saw.
 * Where a server cannot do something, the test asserts what it does and says why.
 */
import { chmodSync } from 'node:fs';
import { findTool, recipeDifferences, requireTool } from '@tsgi/harness';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  bigBody,
  CGI_SCRIPT,
  echo,
  FIXTURES,
  type HttpResponse,
  hasCli,
  http,
  TSGI_BIN,
  units,
} from './_helpers.js';
import {
  type CgiServer,
  readableBy,
  recipeWrapper,
  type ServerKind,
  shellWrapper,
  startCgiServer,
} from './_servers.js';

interface Expect {
  binary: string;
  /** What a chunked request body becomes: read to EOF (Apache), buffered with a length (lighttpd), or refused. */
  chunked: 'streamed' | 'buffered' | 'refused';
  dup: string;
  cookie: string;
  /** Whether an nph- script's own chunked framing reaches the client (so truncation shows). */
  nphPassThrough: boolean;
}

const SERVERS: Record<ServerKind, Expect> = {
  apache: {
    binary: 'apache2',
    chunked: 'streamed',
    dup: '1, 2',
    cookie: 'a=1; b=2', // Apache sends "a=1, b=2"; ADP-CGI-07 repairs it
    nphPassThrough: true,
  },
  lighttpd: {
    binary: 'lighttpd',
    chunked: 'buffered',
    dup: '1, 2',
    cookie: 'a=1; b=2',
    nphPassThrough: false,
  },
  busybox: { binary: 'busybox', chunked: 'refused', dup: '2', cookie: 'b=2', nphPassThrough: true },
};

const node = process.execPath;
const APP = shellWrapper(`${node} ${CGI_SCRIPT}`);
/** docs/recipes/cgi-wrapper.sh, running the fixture app with the checkout's tsgi. */
const wrapper = recipeWrapper(`${node} ${TSGI_BIN}`, `${FIXTURES}app.mjs`);

function note(kind: ServerKind, text: string): void {
  console.log(`[${kind}] ${text}`);
}

describe.each(Object.keys(SERVERS) as ServerKind[])('%s', (kind) => {
  const want = SERVERS[kind];
  const tool = requireTool(want.binary, `CGI tests behind ${kind}`);
  let s: CgiServer;

  /** Whether the CGI user can read the checkout; if not, the app is installed as a bundle. */
  let fromCheckout = true;

  beforeAll(async () => {
    if (tool === undefined) return;
    s = await startCgiServer(kind);
    fromCheckout = s.runAs === undefined || readableBy(s.runAs, `${FIXTURES}app.mjs`);
    if (fromCheckout) {
      s.install('app', APP);
      s.install('nph-app', APP);
      if (hasCli) s.install('tsgi-app', wrapper.text);
    } else {
      // The checkout is private (e.g. under /root): ship the app as self-contained bundles.
      note(kind, `${s.runAs} cannot read ${FIXTURES}; installing the app as bundleCGI files`);
      const { bundleCGI } = await import('@tsgi/cgi/bundle');
      await bundleCGI({
        app: `${FIXTURES}app.mjs`,
        outfile: `${s.cgiBin}/app`,
        shebang: `#!${node}`,
      });
      await bundleCGI({
        app: `${FIXTURES}app.mjs`,
        outfile: `${s.cgiBin}/nph-app`,
        shebang: `#!${node}`,
      });
    }
  });
  afterAll(async () => {
    await s?.server.stop();
  });

  const t = tool === undefined ? test.skip : test;
  const get = (target: string, options: Parameters<typeof http>[2] = {}): Promise<HttpResponse> =>
    http(s.port, target, options);
  const ok = (r: HttpResponse): HttpResponse => {
    if (r.status !== 200)
      throw new Error(`status ${r.status} ${r.reason}: ${r.body.toString()}\n${s.server.output()}`);
    return r;
  };

  t(
    'ADP-CGI-01 ADP-CGI-05 ENV-03 ENV-04 ENV-05 ENV-08 ENV-10 ENV-22: GET with a query',
    async () => {
      const r = ok(await get('/cgi-bin/app/get?x=1&y=%20z'));
      expect(r.header('content-type')).toBe('application/json');
      const e = echo(r.body).environ;
      expect(e.REQUEST_METHOD).toBe('GET');
      expect(e.SCRIPT_NAME).toBe('/cgi-bin/app');
      expect(e.PATH_INFO).toBe('/get');
      expect(e.QUERY_STRING).toBe('x=1&y=%20z');
      expect(e.REQUEST_URI).toBe('/cgi-bin/app/get?x=1&y=%20z');
      expect(e.SERVER_NAME).toBe('127.0.0.1');
      expect(e.SERVER_PORT).toBe(String(s.port));
      expect(e.SERVER_PROTOCOL).toBe('HTTP/1.1');
      expect(e['tsgi.run_once']).toBe(true);
      expect(e['tsgi.multiprocess']).toBe(true);
      expect(e['tsgi.multithread']).toBe(false);
      expect(e['tsgi.url_scheme']).toBe('http');
    },
  );

  t('ADP-CGI-02 IN-01 IN-03 ENV-09: POST with a Content-Length body', async () => {
    const r = ok(
      await get('/cgi-bin/app/post', {
        body: 'hello world',
        headers: [['Content-Type', 'text/plain']],
      }),
    );
    const j = echo(r.body);
    expect(j.body).toBe('hello world');
    expect(j.environ.CONTENT_LENGTH).toBe('11');
    expect(j.environ.CONTENT_TYPE).toBe('text/plain');
    expect('HTTP_CONTENT_LENGTH' in j.environ).toBe(false);
  });

  t('ADP-CGI-02 IN-06: a POST whose body the app never reads still gets its response', async () => {
    const body = 'unread '.repeat(40_000); // 280 000 bytes: more than any pipe buffer
    const r = ok(
      await get('/cgi-bin/app/ignore', {
        method: 'POST',
        body,
        headers: [['x-case', 'ignore-body']],
      }),
    );
    expect(r.body.toString()).toBe('ignored');
  });

  t(
    'ADP-CGI-02 IN-06: a POST whose body the app cancels after one read still gets its response',
    async () => {
      const body = 'partly '.repeat(40_000);
      const r = ok(
        await get('/cgi-bin/app/cancel', {
          method: 'POST',
          body,
          headers: [['x-case', 'cancel-body']],
        }),
      );
      expect(r.body.toString()).toMatch(/^read \d+ then cancelled$/);
    },
  );

  t('ADP-CGI-02 IN-02 SRV-02: POST with a chunked body', async () => {
    const body = 'chunked body, '.repeat(5000); // 70 000 bytes in 7 000-byte chunks
    const r = await get('/cgi-bin/app/chunked', { body, chunked: 7000 });
    if (want.chunked === 'refused') {
      // busybox httpd ignores Transfer-Encoding: it passes the raw chunk framing, cut at its
      // buffer, with no CONTENT_LENGTH. The adapter cannot recover the body, so it answers
      // 411 (RFC 3875 §4.2) without calling the application.
      note(
        kind,
        'chunked request body: the server passes it raw and incomplete; the adapter answers 411',
      );
      expect(r.status).toBe(411);
      return;
    }
    const j = echo(ok(r).body);
    expect(j.bodyLength).toBe(body.length);
    expect(j.bodySum).toBe(Buffer.from(body).reduce((a, b) => (a + b) % 65521, 0));
    if (want.chunked === 'streamed') {
      // Apache de-chunks and streams with no CONTENT_LENGTH: stdin is read to EOF.
      note(kind, 'chunked request body: streamed with no CONTENT_LENGTH; read to EOF');
      expect('CONTENT_LENGTH' in j.environ).toBe(false);
      expect(j.environ.HTTP_TRANSFER_ENCODING).toBe('chunked');
    } else {
      note(kind, 'chunked request body: buffered by the server, CONTENT_LENGTH set');
      expect(j.environ.CONTENT_LENGTH).toBe(String(body.length));
    }
  });

  t('ADP-CGI-02 ADP-CGI-14: PUT with a Content-Length body', async () => {
    const r = await get('/cgi-bin/app/put', { method: 'PUT', body: 'put body' });
    if (kind === 'busybox') {
      // busybox httpd forwards request bodies for POST only; the adapter answers 501.
      note(kind, 'PUT body: not forwarded by the server; the adapter answers 501');
      expect(r.status).toBe(501);
      return;
    }
    const j = echo(ok(r).body);
    expect(j.environ.REQUEST_METHOD).toBe('PUT');
    expect(j.body).toBe('put body');
  });

  t(
    'ADP-CGI-03 ADP-CGI-15 ENV-06 ENV-07: a path with a space and a non-UTF-8 octet (%E9) stays byte-exact',
    async () => {
      const r = ok(await get('/cgi-bin/app/p%20i/caf%E9?q=%E9'));
      const e = echo(r.body).environ;
      expect(units(e.PATH_INFO)).toEqual(units('/p i/caf\xe9'));
      expect(e.REQUEST_URI).toBe('/cgi-bin/app/p%20i/caf%E9?q=%E9');
      expect(e.QUERY_STRING).toBe('q=%E9');
    },
  );

  t('ADP-CGI-07 ENV-12 ENV-13: repeated headers, as the server joins them', async () => {
    const r = ok(
      await get('/cgi-bin/app/dup', {
        headers: [
          ['X-Dup', '1'],
          ['X-Dup', '2'],
          ['Cookie', 'a=1'],
          ['Cookie', 'b=2'],
        ],
      }),
    );
    const e = echo(r.body).environ;
    note(
      kind,
      `X-Dup → ${JSON.stringify(e.HTTP_X_DUP)}, Cookie → ${JSON.stringify(e.HTTP_COOKIE)}`,
    );
    // RFC 3875 §4.1.18 asks the server to join repeats; busybox keeps the last one (putenv).
    // Apache joins Cookie with ", " where ENV-13 wants "; "; ADP-CGI-07 repairs conforming pairs.
    expect(e.HTTP_X_DUP).toBe(want.dup);
    expect(e.HTTP_COOKIE).toBe(want.cookie);
  });

  t(
    'ADP-CGI-04 ENV-27: a Proxy header reaches neither environ nor process.env (httpoxy)',
    async () => {
      const r = ok(await get('/cgi-bin/app/proxy', { headers: [['Proxy', 'http://evil.test:1']] }));
      const j = echo(r.body);
      expect('HTTP_PROXY' in j.environ).toBe(false);
      expect(j.processEnvHttpProxy).toBe(null);
      expect(j.proxyAtImport).toBe(null);
    },
  );

  t('BODY-02 ADP-CGI-02: a 1 MiB body streamed in 16 KiB chunks arrives whole', async () => {
    const r = ok(await get('/cgi-bin/app/big', { headers: [['X-Case', 'stream']] }));
    expect(r.complete).toBe(true);
    expect(r.body.length).toBe(1 << 20);
    expect(r.body.equals(bigBody())).toBe(true);
  });

  t('BODY-12: HEAD gets the headers and no body', async () => {
    const r = await get('/cgi-bin/app/head', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.header('content-type')).toBe('application/json');
    expect(r.body.length + r.after.length).toBe(0);
  });

  t(
    'ADP-CGI-09 ERR-01 ERR-02: an app that throws gives a generic 500; the stack goes to the server log',
    async () => {
      const r = await get('/cgi-bin/app/throw', { headers: [['X-Case', 'throw']] });
      expect(r.status).toBe(500);
      expect(r.body.toString()).toBe('Internal Server Error\n');
      // Give the server a moment to write the CGI's stderr to its log.
      let log = '';
      for (let i = 0; i < 20 && !log.includes('fixture failure before headers'); i++) {
        await new Promise((res) => setTimeout(res, 50));
        log = s.server.output();
      }
      expect(log).toContain('fixture failure before headers');
    },
  );

  t(
    'ADP-CGI-02 SR-03: status, repeated set-cookie and latin-1 header bytes pass through',
    async () => {
      const r = await get('/cgi-bin/app/h', { headers: [['X-Case', 'headers']] });
      expect(r.status).toBe(201);
      expect(r.headers.filter(([n]) => n.toLowerCase() === 'set-cookie').map(([, v]) => v)).toEqual(
        ['a=1', 'b=2'],
      );
      expect(units(r.header('x-bytes'))).toEqual(units('caf\xe9'));
      expect(r.body.toString()).toBe('onetwo');
    },
  );

  t(
    'ADP-CGI-09 ERR-03: an error after the headers; CGI output has no way to mark the response truncated',
    async () => {
      const r = await get('/cgi-bin/app/late', { headers: [['X-Case', 'throw-late']] });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('partial');
      // The server frames the response itself (chunked, or a content-length of what it got) and
      // ends it cleanly when the script exits: the client cannot tell. Only NPH can (next test).
      note(
        kind,
        `error after headers in CGI mode: client sees a ${r.framing} response, complete=${r.complete}`,
      );
      expect(r.complete).toBe(true);
    },
  );

  t(
    'ADP-CGI-08 ERR-03: an nph- script frames the body chunked itself, so truncation reaches the client',
    async () => {
      const good = await get('/cgi-bin/nph-app/big', { headers: [['X-Case', 'stream']] });
      expect(good.status).toBe(200);
      expect(good.complete).toBe(true);
      expect(good.body.equals(bigBody())).toBe(true);
      const r = await get('/cgi-bin/nph-app/late', { headers: [['X-Case', 'throw-late']] });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('partial');
      if (want.nphPassThrough) {
        expect(r.framing).toBe('chunked');
        expect(r.complete).toBe(false);
      } else {
        // lighttpd has no NPH: it parses the script's status line and headers, de-chunks the
        // body and frames it again, and does not treat the missing last chunk as an error.
        note(
          kind,
          `nph-: the server re-frames the output (${r.framing}); truncation is not visible`,
        );
        expect(r.complete).toBe(true);
      }
    },
  );

  t('runs the recipes as published: the rendered copies differ only in the mapped values', () => {
    expect(s.server.recipes.map((r) => r.name)).toHaveLength(1);
    const installed = fromCheckout && hasCli ? [`${s.cgiBin}/tsgi-app`] : [];
    const rendered = [
      ...s.server.recipes,
      ...installed.map((path) => ({ name: 'cgi-wrapper.sh', path, values: wrapper.values })),
    ];
    expect(rendered.map(recipeDifferences)).toEqual(rendered.map(() => []));
  });

  (hasCli ? t : test.skip)(
    'ADP-CGI-04: the recipe wrapper `exec tsgi cgi APP` serves a request',
    async () => {
      if (!fromCheckout) {
        note(kind, 'tsgi cgi wrapper not tested: the CGI user cannot read the checkout');
        return;
      }
      const r = ok(
        await get('/cgi-bin/tsgi-app/x?y=1', { headers: [['Proxy', 'http://evil.test:1']] }),
      );
      const j = echo(r.body);
      expect(j.environ.SCRIPT_NAME).toBe('/cgi-bin/tsgi-app');
      expect(j.environ.PATH_INFO).toBe('/x');
      expect(j.proxyAtImport).toBe(null);
    },
  );

  t('ADP-CGI-16 ADP-CGI-04: a bundleCGI single-file script runs in cgi-bin as is', async () => {
    const { bundleCGI } = await import('@tsgi/cgi/bundle');
    if (findTool('node') === undefined) return; // `#!/usr/bin/env node` needs node on the default PATH
    await bundleCGI({
      app: CGI_SCRIPT.replace('cgi-script.mjs', 'app.mjs'),
      outfile: `${s.cgiBin}/bundled`,
    });
    const r = ok(
      await get('/cgi-bin/bundled/x?y=1', { headers: [['Proxy', 'http://evil.test:1']] }),
    );
    const j = echo(r.body);
    expect(j.environ.PATH_INFO).toBe('/x');
    expect(j.proxyAtImport).toBe(null);
    expect(j.processEnvHttpProxy).toBe(null);
  });

  t('ADP-CGI-16 ADP-CGI-04: a snapshotCGI blob serves GET and POST from a sh wrapper', async () => {
    const { snapshotCGI } = await import('@tsgi/cgi/bundle');
    const blob = `${s.cgiBin}/../app.blob`;
    const built = await snapshotCGI({ app: `${FIXTURES}app.mjs`, outfile: blob });
    chmodSync(built.outfile, 0o644);
    s.install('snap', shellWrapper(`${built.node} --snapshot-blob ${built.outfile}`));
    const r = ok(await get('/cgi-bin/snap/x?y=1', { headers: [['Proxy', 'http://evil.test:1']] }));
    const j = echo(r.body);
    expect(j.environ.PATH_INFO).toBe('/x');
    expect(j.environ.QUERY_STRING).toBe('y=1');
    expect(j.proxyAtImport).toBe(null);
    expect(j.processEnvHttpProxy).toBe(null);
    const p = ok(await get('/cgi-bin/snap/p', { method: 'POST', body: 'a=1&b=2' }));
    expect(echo(p.body).body).toBe('a=1&b=2');
  });
});
