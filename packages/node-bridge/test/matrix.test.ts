/**
 * Issue 19's matrix: Express 5, Koa 3 and Fastify 5 through `fromNodeHandler`, Hono (examples/hono),
 * h3 v2 and Elysia through `fromFetch`, each app written as its framework's docs teach and imported unmodified,
 * answer one request script (test/matrix.ts) identically in memory, on node:http
 * (`@tsgi/node`), over FastCGI behind a real nginx (`@tsgi/fastcgi`) and as a CGI program behind
 * a real Apache with mod_cgid (`@tsgi/cgi`, bundled by `bundleCGI`). Every server mounts each app
 * at `/<framework>` (SCRIPT_NAME, ENV-04). The table goes to .tmp/node-bridge/matrix.md (or
 * $TSGI_BRIDGE_MATRIX_OUT). nginx and Apache: `requireTool` (fail under CI, skip elsewhere).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Application, mount } from '@tsgi/core';
import { type FastCGIServer, serveFastCGI } from '@tsgi/fastcgi';
import { requireTool, startApache, startNginx, type WebServer } from '@tsgi/harness';
import { serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpSender } from '../../../examples/decoupling.js';
import hono from '../../../examples/hono/app.js';
import elysia from './apps/elysia.js';
import express from './apps/express.js';
import fastify from './apps/fastify.js';
import h3 from './apps/h3.js';
import koa from './apps/koa.js';
import { differences, memory, type Result, runAll, table } from './matrix.js';

const apps: Record<string, Application> = { express, koa, fastify, hono, h3, elysia };
/** Each app's module, for the CGI bundles (esbuild compiles the `.ts` as it is). */
const modules: Record<string, string> = Object.fromEntries(
  Object.keys(apps).map((f) => [
    f,
    fileURLToPath(
      new URL(f === 'hono' ? '../../../examples/hono/app.ts' : `./apps/${f}.ts`, import.meta.url),
    ),
  ]),
);
const SERVERS = ['memory', 'node:http', 'fastcgi+nginx', 'cgi+apache'] as const;
const out =
  process.env.TSGI_BRIDGE_MATRIX_OUT ??
  fileURLToPath(new URL('../../../.tmp/node-bridge', import.meta.url));

const nginxBin = requireTool('nginx', 'the framework matrix: FastCGI behind nginx');
const apacheBin = requireTool('apache2', 'the framework matrix: CGI behind Apache mod_cgid');

describe('issue 19 matrix: 6 frameworks x memory, node:http, FastCGI+nginx, CGI+Apache', () => {
  const rows: Record<string, Record<string, Result>> = {};
  const record = (framework: string, server: string, result: Result): void => {
    rows[framework] = { ...rows[framework], [server]: result };
  };
  const fastcgi: FastCGIServer[] = [];
  const logs: string[] = [];
  let nginx: WebServer | undefined;
  let apache: WebServer | undefined;

  async function startFastCGILeg(): Promise<void> {
    const ports: Record<string, number> = {};
    for (const [framework, app] of Object.entries(apps)) {
      // ADP-FCGI-04: the location is the mount point, SCRIPT_NAME /<framework>.
      const server = await serveFastCGI(app, {
        host: '127.0.0.1',
        port: 0,
        scriptName: `/${framework}`,
        errors: (text) => logs.push(text),
      });
      fastcgi.push(server);
      const a = server.address;
      if (a?.kind !== 'tcp') throw new Error('FastCGI backend not on TCP');
      ports[framework] = a.port;
    }
    nginx = await startNginx({
      config: (ctx) => `
  server {
    listen 127.0.0.1:${ctx.port};
    server_name localhost;
${Object.entries(ports)
  .map(
    ([f, port]) => `    location /${f}/ {
      include /etc/nginx/fastcgi_params;
      fastcgi_pass 127.0.0.1:${port};
    }`,
  )
  .join('\n')}
  }`,
    });
  }

  /** Apache: `ScriptAlias /<framework> cgi-bin/<framework>`, so SCRIPT_NAME is /<framework>. */
  async function startCGILeg(): Promise<void> {
    apache = await startApache({
      modules: ['alias', 'cgid'],
      config: (ctx) => `${Object.keys(apps)
        .map((f) => `ScriptAlias /${f} ${ctx.dir}/cgi-bin/${f}`)
        .join('\n')}
<Directory ${ctx.dir}/cgi-bin>
  Require all granted
</Directory>`,
    });
    const cgiBin = `${apache.dir}/cgi-bin`;
    mkdirSync(cgiBin, { recursive: true });
    chmodSync(cgiBin, 0o755);
    const { bundleCGI } = await import('@tsgi/cgi/bundle');
    await Promise.all(
      Object.keys(apps).map((f) =>
        bundleCGI({
          app: modules[f] as string,
          outfile: `${cgiBin}/${f}`,
          shebang: `#!${process.execPath}`,
        }),
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
      ...fastcgi.map((s) => s.close({ timeout: 200 })),
    ]);
    const columns = SERVERS.filter((s) => Object.values(rows).some((r) => r[s] !== undefined));
    const md = table(rows, columns, 'memory');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'matrix.md'), md);
    writeFileSync(join(out, 'matrix.json'), `${JSON.stringify(rows, null, 2)}\n`);
    expect(md).toContain(`| framework | ${columns.join(' | ')} |`);
  });

  for (const [framework, app] of Object.entries(apps)) {
    const prefix = `/${framework}`;
    async function leg(server: string, base: string, output: () => string): Promise<void> {
      const expected = rows[framework]?.memory;
      if (expected === undefined) throw new Error(`${framework}: no in-memory run`);
      const result = await runAll(httpSender(base));
      record(framework, server, result);
      expect(differences(expected, result), output()).toEqual([]);
    }

    it(`${framework}: in memory (the baseline; two Set-Cookie fields, SR-03)`, async () => {
      const result = await runAll(memory(mount(prefix, app), prefix));
      record(framework, 'memory', result);
      expect(result['GET /cookies']?.setCookie).toHaveLength(2);
      // examples/hono serves the decoupling script only: the extras are its 404, everywhere.
      expect(result['GET /error']?.status).toBe(framework === 'hono' ? 404 : 500);
      if (framework !== 'hono') expect(result['GET /users/42']?.body).toContain('42');
    });

    it(`${framework}: node:http answers as in memory (ADP-NODE, ENV-04 mount)`, async () => {
      const server = await serve(app, {
        host: '127.0.0.1',
        port: 0,
        scriptName: prefix,
        errors: () => {},
      });
      try {
        await leg('node:http', `${server.url.replace(/\/$/, '')}${prefix}`, () => '');
      } finally {
        await server.close();
      }
    });

    it.skipIf(nginxBin === undefined)(
      `${framework}: FastCGI behind nginx answers as in memory (ADP-FCGI-04)`,
      async () => {
        const web = nginx;
        if (web === undefined) throw new Error('nginx did not start');
        await leg('fastcgi+nginx', `${web.url}${prefix}`, () => [web.output(), ...logs].join('\n'));
      },
    );

    it.skipIf(apacheBin === undefined)(
      `${framework}: CGI behind Apache mod_cgid answers as in memory (ADP-CGI)`,
      async () => {
        const web = apache;
        if (web === undefined) throw new Error('Apache did not start');
        await leg('cgi+apache', `${web.url}${prefix}`, web.output);
      },
    );
  }
});
