/**
 * The decoupling proof: every example app (Hono and itty-router through fromFetch, and the
 * TSGI-native router), imported unmodified, answers the one request script of
 * examples/decoupling.ts the same way in memory, over node:http (`@tsgi/node`), over FastCGI
 * behind a real nginx (`@tsgi/fastcgi`), and as a CGI program behind a real Apache httpd with
 * mod_cgid (`@tsgi/cgi`, the app bundled by `bundleCGI`). Each server column is compared with
 * the same framework's in-memory run; only what the normaliser documents as the web server's
 * business may differ. It lives with the native example because that package has no framework
 * dependency. The framework-by-server table is written to .tmp/decoupling (or
 * $TSGI_DECOUPLING_OUT), where the docs site reads it (docs/build/sources.mjs).
 *
 * nginx and Apache are started once for the file. Under CI a missing one fails the file
 * (`requireTool`); elsewhere its column is skipped with the reason printed.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Application } from '@tsgi/core';
import { request } from '@tsgi/core/testing';
import { type FastCGIServer, serveFastCGI } from '@tsgi/fastcgi';
import {
  recipeDifferences,
  requireTool,
  startApache,
  startNginx,
  type WebServer,
} from '@tsgi/harness';
import { serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  compare,
  httpSender,
  memorySender,
  normalise,
  type Run,
  renderMarkdown,
  runScript,
  type ScriptResult,
  writeReport,
} from '../../decoupling.js';
import hono from '../../hono/app.js';
import itty from '../../itty/app.js';
import native from '../app.js';

const apps: Record<string, Application> = { hono, itty, native };
/** Each app's module, for the CGI bundles (esbuild compiles the `.ts` as it is). */
const modules: Record<string, string> = {
  hono: fileURLToPath(new URL('../../hono/app.ts', import.meta.url)),
  itty: fileURLToPath(new URL('../../itty/app.ts', import.meta.url)),
  native: fileURLToPath(new URL('../app.ts', import.meta.url)),
};
const out =
  process.env.TSGI_DECOUPLING_OUT ??
  fileURLToPath(new URL('../../../.tmp/decoupling', import.meta.url));

/** The table's columns, in order. */
const SERVERS = ['memory', 'node:http', 'fastcgi+nginx', 'cgi+apache'] as const;

const nginxBin = requireTool('nginx', 'the decoupling proof: FastCGI behind nginx');
const apacheBin = requireTool('apache2', 'the decoupling proof: CGI behind Apache mod_cgid');

describe('decoupling proof: one script, in memory, node:http, FastCGI+nginx, CGI+Apache', () => {
  const runs: Run[] = [];
  const memory: Record<string, ScriptResult> = {};
  const fastcgi: Record<string, FastCGIServer> = {};
  const fastcgiLogs: string[] = [];
  let nginx: WebServer | undefined;
  let apache: WebServer | undefined;

  /** nginx: one `location /FRAMEWORK/` per app, each its own FastCGI backend mounted there. */
  async function startFastCGILeg(): Promise<void> {
    for (const [framework, app] of Object.entries(apps)) {
      // nginx's fastcgi_params send SCRIPT_NAME = the whole path (no split_path_info): the
      // mount point puts `/FRAMEWORK` in SCRIPT_NAME and the rest in PATH_INFO (ADP-FCGI-04).
      fastcgi[framework] = await serveFastCGI(app, {
        host: '127.0.0.1',
        port: 0,
        scriptName: `/${framework}`,
        errors: (text) => fastcgiLogs.push(text),
      });
    }
    const port = (framework: string): number => {
      const a = fastcgi[framework]?.address;
      if (a?.kind !== 'tcp') throw new Error(`${framework}: FastCGI backend not on TCP`);
      return a.port;
    };
    nginx = await startNginx({
      config: (ctx) => `
  server {
    listen 127.0.0.1:${ctx.port};
    server_name localhost;
${Object.keys(apps)
  .map(
    (f) => `    location /${f}/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass 127.0.0.1:${port(f)};
    }`,
  )
  .join('\n')}
  }`,
    });
  }

  /**
   * Apache with mod_cgid, from the deployers' guide's recipe (docs/recipes/apache-cgi.conf): each
   * app bundled by `bundleCGI` into one executable in cgi-bin, so the CGI user (www-data when we
   * run as root) needs no access to the checkout or to tsx.
   */
  async function startCGILeg(): Promise<void> {
    apache = await startApache({
      modules: ['alias', 'cgid'],
      recipes: [
        {
          name: 'apache-cgi.conf',
          values: ({ port, dir }) => ({
            '<VirtualHost *:80>': `<VirtualHost *:${port}>`,
            '/srv/tsgi/cgi-bin': `${dir}/cgi-bin`,
          }),
        },
      ],
    });
    const cgiBin = `${apache.dir}/cgi-bin`;
    mkdirSync(cgiBin, { recursive: true });
    chmodSync(cgiBin, 0o755);
    const { bundleCGI } = await import('@tsgi/cgi/bundle');
    await Promise.all(
      Object.entries(modules).map(([framework, app]) =>
        bundleCGI({ app, outfile: `${cgiBin}/${framework}`, shebang: `#!${process.execPath}` }),
      ),
    );
  }

  beforeAll(async () => {
    await Promise.all([
      nginxBin === undefined ? undefined : startFastCGILeg(),
      apacheBin === undefined ? undefined : startCGILeg(),
    ]);
  });

  afterAll(async () => {
    await Promise.all([
      nginx?.stop(),
      apache?.stop(),
      ...Object.values(fastcgi).map((s) => s.close({ timeout: 200 })),
    ]);
    runs.sort((a, b) => SERVERS.indexOf(a.server as never) - SERVERS.indexOf(b.server as never));
    const cells = writeReport(runs, out);
    const columns = SERVERS.filter((s) => runs.some((r) => r.server === s));
    expect(renderMarkdown(cells)).toContain(`| framework | ${columns.join(' | ')} |`);
  });

  it('the normaliser ignores only the server fields it lists (SERVER_FIELDS)', () => {
    const res = (...headers: Array<[string, string]>): ReturnType<typeof normalise> =>
      normalise({ status: 200, headers, body: new TextEncoder().encode('ok') });
    const app: Array<[string, string]> = [
      ['content-type', 'text/plain; charset=utf-8'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-app', '1'],
    ];
    const expected = res(['content-length', '2'], ...app);
    // What a front end may do: add Date/Server, re-case and reorder fields, re-frame the body.
    expect(
      res(
        ['Server', 'nginx'],
        ['Date', 'Wed, 25 Nov 2026 08:00:00 GMT'],
        ['X-App', '1'],
        ['Content-Type', 'text/plain;charset=UTF-8'],
        ['Transfer-Encoding', 'chunked'],
        ['Connection', 'close'],
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
      ),
    ).toEqual(expected);
    // What it may not: add a field, lose one, merge Set-Cookie, send a second content-type.
    expect(res(...app, ['x-powered-by', 'x'])).not.toEqual(expected);
    expect(res(...app.slice(0, 3))).not.toEqual(expected);
    expect(res(app[0]!, ['set-cookie', 'a=1, b=2'], app[3]!)).not.toEqual(expected);
    expect(res(...app, ['content-type', 'text/html'])).not.toEqual(expected);
  });

  for (const [framework, app] of Object.entries(apps)) {
    /** Runs the script through `base` and checks it against the in-memory run. */
    async function leg(server: string, base: string, output: () => string): Promise<void> {
      const expected = memory[framework];
      if (expected === undefined) throw new Error(`${framework}: no in-memory run`);
      const result = await runScript(httpSender(base));
      runs.push({ framework, server, result });
      expect(compare(expected, result), output()).toEqual([]);
      expect(result['GET /cookies']?.setCookie).toHaveLength(2);
    }

    it(`${framework}: in memory`, async () => {
      const result = await runScript(memorySender(app, request));
      memory[framework] = result;
      runs.push({ framework, server: 'memory', result });
      expect(result['GET /cookies']?.setCookie).toHaveLength(2);
    });

    it(`${framework}: node:http gives the same responses as in memory`, async () => {
      const server = await serve(app, { host: '127.0.0.1', port: 0, errors: () => {} });
      try {
        await leg('node:http', server.url, () => '');
      } finally {
        await server.close();
      }
    });

    it.skipIf(nginxBin === undefined)(
      `${framework}: FastCGI behind nginx gives the same responses as in memory`,
      async () => {
        const web = nginx;
        if (web === undefined) throw new Error('nginx did not start');
        await leg('fastcgi+nginx', `${web.url}/${framework}`, () =>
          [web.output(), ...fastcgiLogs].join('\n'),
        );
      },
    );

    it.skipIf(apacheBin === undefined)(
      `${framework}: CGI behind Apache mod_cgid gives the same responses as in memory`,
      async () => {
        const web = apache;
        if (web === undefined) throw new Error('Apache did not start');
        expect(web.recipes.map(recipeDifferences)).toEqual([[]]);
        await leg('cgi+apache', `${web.url}/cgi-bin/${framework}`, web.output);
      },
    );
  }
});
