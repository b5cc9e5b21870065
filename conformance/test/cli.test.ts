/** The `tsgi-conformance` CLI: server and app commands, exit codes, report files. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serve } from '@tsgi/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { createProbe } from '../src/probe/index.js';
import { startReference } from './_reference-server.js';

const dir = mkdtempSync(join(tmpdir(), 'tsgi-conformance-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = join(import.meta.dirname, 'fixtures/apps.mjs');

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await main(argv, { write: (t: string) => (out += t) });
  return { code, out };
}

describe('tsgi-conformance server', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(createProbe(), { port: 0, scriptName: '/m', errors: () => {} });
  });
  afterAll(() => server.close({ timeout: 100 }));

  it('usage errors exit 2; --help exits 0', async () => {
    expect((await run('server')).code).toBe(2);
    expect((await run('bogus')).code).toBe(2);
    expect((await run('--help')).code).toBe(0);
  });

  it('--list prints the selected cases with their requirements', async () => {
    const { code, out } = await run('server', '--list', '--only', 'SR-0');
    expect(code).toBe(0);
    expect(out).toMatch(/response\/header-injection {2}MUST {2}SR-05/);
    expect(out).not.toMatch(/environ\//);
  });

  it('exits 0 when every MUST case passes and writes JSON, JUnit and HTML', async () => {
    const [json, junit, html] = ['r.json', 'r.xml', 'r.html'].map((f) => join(dir, f)) as [
      string,
      string,
      string,
    ];
    const { code, out } = await run(
      'server',
      '--url',
      server.url,
      '--mount',
      '/m',
      '--only',
      'environ/',
      '--only',
      'BODY-06',
      '--json',
      json,
      '--junit',
      junit,
      '--html',
      html,
    );
    expect(code).toBe(0);
    expect(out).toMatch(/✓ pass environ\/script-name {2}MUST {2}ENV-04 ENV-05/);
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report).toMatchObject({
      suite: '@tsgi/conformance',
      target: { mount: '/m', profile: 'http', stateless: false, missing: [] },
    });
    expect(report.cases[0]).toMatchObject({
      id: 'environ/shape',
      level: 'MUST',
      status: 'pass',
      message: '',
    });
    expect(report.summary.fail).toBe(0);
    expect(readFileSync(junit, 'utf8')).toMatch(/^<\?xml[\s\S]*<testcase classname="environ"/);
    expect(readFileSync(html, 'utf8')).toMatch(/<table>[\s\S]*environ\/path-bytes/);
  });

  it('exits 1 on a MUST failure, printing expected, actual and the spec section', async () => {
    const ref = await startReference(createProbe(), { broken: { utf8Path: true } });
    try {
      const { code, out } = await run('server', '--url', ref.url, '--only', 'environ/path-bytes');
      expect(code).toBe(1);
      expect(out).toMatch(/✗ fail environ\/path-bytes/);
      expect(out).toMatch(/expected: PATH_INFO = /);
      expect(out).toMatch(/see spec\/02-environ\.html#env-06/);
    } finally {
      await ref.close();
    }
  });

  it('--strict turns a SHOULD failure into exit 1; --profile cgi reports unobservable cases', async () => {
    const ref = await startReference(createProbe()); // no SERVER_SOFTWARE: ENV-17 (SHOULD) fails
    try {
      expect((await run('server', '--url', ref.url, '--only', 'environ/remote-vars')).code).toBe(0);
      expect(
        (await run('server', '--url', ref.url, '--only', 'environ/remote-vars', '--strict')).code,
      ).toBe(1);
      const { out } = await run(
        'server',
        '--url',
        ref.url,
        '--profile',
        'cgi',
        '--only',
        'errors/disconnect',
      );
      expect(out).toMatch(
        /\? unobservable errors\/disconnect-idle[\s\S]*cannot be observed here: the transport cannot tell the application/,
      );
    } finally {
      await ref.close();
    }
  });
});

describe('tsgi-conformance server: profiles and capabilities', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  let stateless: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(createProbe(), { port: 0, errors: () => {} });
    stateless = await serve(createProbe({ stateless: true }), { port: 0, errors: () => {} });
  });
  afterAll(async () => {
    await server.close({ timeout: 100 });
    await stateless.close({ timeout: 100 });
  });

  it('an unknown capability or profile is a usage error naming the valid ones', async () => {
    const bad = await run('server', '--url', server.url, '--without', 'rawHeaders,bogus');
    expect(bad.code).toBe(2);
    expect(bad.out).toMatch(
      /unknown capability "bogus"; valid: direct, disconnect, .*gates, store/,
    );
    const also = await run('server', '--list', '--with', 'nope');
    expect(also).toMatchObject({ code: 2 });
    expect(also.out).toMatch(/unknown capability "nope"/);
    const profile = await run('server', '--url', server.url, '--profile', 'nosuch');
    expect(profile.code).toBe(2);
    expect(profile.out).toMatch(
      /unknown profile "nosuch"; valid: http, node, fastcgi, cgi, bun, deno, workerd/,
    );
  });

  it('--list shows what each case needs and which profile it belongs to', async () => {
    const { out } = await run('server', '--list', '--without', 'rawTarget', '--only', 'ENV-07');
    expect(out).toMatch(/environ\/request-uri[\s\S]*needs: rawTarget \(not in http: rawTarget\)/);
    const node = await run('server', '--list', '--only', 'node/framing');
    expect(node.out).toMatch(/profile: node only/);
  });

  it('--without makes a case unobservable, not failed; the report says what was missing', async () => {
    const json = join(dir, 'without.json');
    const { code, out } = await run(
      'server',
      '--url',
      server.url,
      '--without',
      'httpVersion',
      '--only',
      'environ/server-protocol',
      '--only',
      'node/environ',
      '--json',
      json,
    );
    expect(code).toBe(0);
    expect(out).toMatch(
      /\? unobservable environ\/server-protocol[\s\S]*cannot be observed here: the runtime does not show/,
    );
    expect(out).toMatch(/· n\/a {2}node\/environ[\s\S]*a rule of the node profile only/);
    expect(out).toMatch(/profile http; cannot observe: httpVersion/);
    expect(out).toMatch(
      /0 relaxed by the profile, 1 cannot be observed here, 0 skipped, 1 not applicable/,
    );
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.target).toMatchObject({ profile: 'http', missing: ['httpVersion'] });
    expect(report.target.capabilities).not.toContain('httpVersion');
    expect(report.summary).toMatchObject({ unobservable: 1, 'n/a': 1, fail: 0 });
    expect(report.cases[0]).toMatchObject({ status: 'unobservable', capability: 'httpVersion' });
  });

  it('--with adds a capability the profile lacks', async () => {
    const args = [
      'server',
      '--url',
      server.url,
      '--profile',
      'cgi',
      '--only',
      'errors/disconnect-signal',
    ];
    expect((await run(...args)).out).toMatch(/\? unobservable errors\/disconnect-signal/);
    const { code, out } = await run(...args, '--with', 'disconnect');
    expect(code).toBe(0);
    expect(out).toMatch(/✓ pass errors\/disconnect-signal/);
  });

  it('--stateless runs against a stateless probe: timed holds, inline observations', async () => {
    const { code, out } = await run(
      'server',
      '--url',
      stateless.url,
      '--stateless',
      '--only',
      'response/deferred-headers',
      '--only',
      'body/release-normal',
      '--only',
      'environ/shape',
    );
    expect(code).toBe(0);
    expect(out).toMatch(/✓ pass response\/deferred-headers/);
    expect(out).toMatch(/\? unobservable body\/release-normal[\s\S]*stateless mode/);
    expect(out).toMatch(/profile http, stateless probe; cannot observe: gates, store/);
    // Without --stateless the suite asks the stateless probe's store, which has nothing.
    const plain = await run('server', '--url', stateless.url, '--only', 'body/release-normal');
    expect(plain.code).toBe(1);
    expect(plain.out).toMatch(/the probe runs stateless .*: run the suite with --stateless/);
  });
});

describe('tsgi-conformance app', () => {
  it('a conforming application passes the battery in memory and over node:http', async () => {
    const { code, out } = await run('app', fixture);
    expect(code).toBe(0);
    expect(out).toMatch(/✓ pass app\/memory\/get-root/);
    expect(out).toMatch(/✓ pass app\/node\/post-form/);
    expect(out).toMatch(/✓ pass app\/memory\/head-like-get {2}SHOULD {2}BODY-12/);
  });

  it('loads a .ts application through tsx, and APP:name picks an export', async () => {
    const ts = await run(
      'app',
      join(import.meta.dirname, 'fixtures/app.ts'),
      '--only',
      'app/memory/',
    );
    expect(ts.code).toBe(0);
    expect(ts.out).toMatch(/✓ pass app\/memory\/get-root/);
    const named = await run('app', `${fixture}:bad`, '--only', 'app/memory/get-root');
    expect(named.code).toBe(1);
  });

  it('a missing or exportless module is one line and exit 2, not a stack', async () => {
    const missing = await run('app', './no-such-app.ts');
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/^app: cannot find application module \.\/no-such-app\.ts .*\n$/);
    const none = await run('app', join(import.meta.dirname, 'fixtures/apps.mjs:nothing'));
    expect(none.code).toBe(2);
    expect(none.out.trim().split('\n')).toHaveLength(1);
    expect(none.out).not.toMatch(/\bat .*:\d+:\d+/);
  });

  it('links failures to the docs site anchor, under TSGI_DOCS_URL when set, not to a repository path', async () => {
    const { specLink } = await import('../src/server/spec-links.js');
    expect(specLink('BODY-09')).toBe('spec/07-response-body.html#body-09');
    expect(specLink('ADP-FETCH-10')).toBe('spec/19-profile-fetch.html#adp-fetch-10');
    process.env.TSGI_DOCS_URL = 'https://docs.example/tsgi';
    try {
      expect(specLink('SR-05')).toBe('https://docs.example/tsgi/spec/05-start-response.html#sr-05');
    } finally {
      delete process.env.TSGI_DOCS_URL;
    }
  });

  it('a broken one fails with the requirement IDs and call sites', async () => {
    const { runAppBattery } = await import('../src/app/battery.js');
    const { bad } = (await import(fixture)) as { bad: never };
    const report = await runAppBattery(bad, { only: ['app/memory/'] });
    const post = report.cases.find((c) => c.id === 'app/memory/post-form');
    expect(post).toMatchObject({ status: 'fail', requirement: 'APP-04' });
    const get = report.cases.find((c) => c.id === 'app/memory/get-root');
    expect(get).toMatchObject({ status: 'fail', requirements: ['BODY-09'] });
    expect(get?.message).toMatch(/SR-04: header names should be lower case/);
    expect(report.summary.ok).toBe(false);
  });
});
