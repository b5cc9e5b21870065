/**
 * `tsgi cgi APP` (packages/cli/src/commands/cgi.ts), run as a web server would run it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { echo, FIXTURES, hasCli, runCgi, TSGI_BIN } from './_helpers.js';

const APP = `${FIXTURES}app.mjs`;
const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app', SERVER_PROTOCOL: 'HTTP/1.1' };

describe.skipIf(!hasCli)('tsgi cgi', () => {
  test('ADP-CGI-04 ADP-CGI-02: serves the request; HTTP_PROXY is gone before APP is loaded', async () => {
    const r = await runCgi(
      TSGI_BIN,
      { ...GET, PATH_INFO: '/x', HTTP_PROXY: 'http://evil.test:1' },
      '',
      {},
      ['cgi', APP],
    );
    expect(r.code).toBe(0);
    expect(r.head.split('\r\n')[0]).toBe('Status: 200 OK');
    const j = echo(r.body);
    expect(j.environ.PATH_INFO).toBe('/x');
    expect(j.proxyAtImport).toBe(null);
    expect(j.processEnvHttpProxy).toBe(null);
  });

  test('ADP-CGI-09: an APP that cannot be loaded answers 500 and logs why', async () => {
    const r = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', `${FIXTURES}does-not-exist.mjs`]);
    expect(r.head.split('\r\n')[0]).toBe('Status: 500 Internal Server Error');
    expect(r.stderr).toContain('does-not-exist.mjs');
  });

  test('ADP-CGI-06: without REQUEST_METHOD, APP is not loaded; a diagnostic and exit status 2', async () => {
    const r = await runCgi(TSGI_BIN, { SCRIPT_NAME: '/x' }, '', {}, ['cgi', APP]);
    expect(r.code).toBe(2);
    expect(r.stdout.length).toBe(0);
    expect(r.stderr).toContain('REQUEST_METHOD is not set');
  });

  test('ADP-CGI-12: under a web server, arguments after APP (an ISINDEX query) are ignored, options too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cli-'));
    try {
      const out = join(dir, 'written');
      const r = await runCgi(TSGI_BIN, { ...GET, QUERY_STRING: '--bundle+-o+x' }, '', {}, [
        'cgi',
        APP,
        '--bundle',
        '-o',
        out,
      ]);
      expect(r.code).toBe(0);
      expect(echo(r.body).environ.QUERY_STRING).toBe('--bundle+-o+x');
      expect(existsSync(out)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ADP-CGI-16: --bundle writes one executable file that serves the request by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cli-'));
    try {
      const out = join(dir, 'app');
      const b = await runCgi(TSGI_BIN, {}, '', {}, ['cgi', '--bundle', APP, '-o', out]);
      expect(b.code).toBe(0);
      const bad = await runCgi(TSGI_BIN, {}, '', {}, [
        'cgi',
        '--bundle',
        APP,
        '-o',
        join(dir, 'app.cgi'),
      ]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('without an extension or with .mjs');
      const r = await runCgi(out, { ...GET, HTTP_PROXY: 'http://evil.test:1' });
      expect(r.code).toBe(0);
      expect(echo(r.body).proxyAtImport).toBe(null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ADP-CGI-16: under a web server a JavaScript APP loads three modules: bin, the bundled request path, APP', async () => {
    const r = await runCgi(TSGI_BIN, { ...GET, NODE_DEBUG: 'esm' }, '', {}, ['cgi', APP]);
    expect(r.code).toBe(0);
    const loaded = new Set([...r.stderr.matchAll(/Storing (file:\/\/\S+)/g)].map((m) => m[1]));
    // NODE_DEBUG=esm names each module it loads; none at all means its format changed.
    expect(loaded.size, `no module list in NODE_DEBUG=esm output:\n${r.stderr}`).toBeGreaterThan(0);
    expect([...loaded].map((u) => u!.slice(u!.lastIndexOf('/') + 1)).sort()).toEqual([
      '_cgi-request.bundle.js',
      'app.mjs',
      'tsgi.js',
    ]);
  });

  test('ADP-CGI-16: a TypeScript APP and APP:export still go through the full loader', async () => {
    const ts = join(FIXTURES, '../../../cli/test/fixtures/app.ts');
    const r = await runCgi(TSGI_BIN, { ...GET, PATH_INFO: '/t' }, '', {}, ['cgi', `${ts}:app`]);
    expect(r.code).toBe(0);
    expect(r.body.toString()).toBe('hello from ts /t');
    const missing = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', `${APP}:nope`]);
    expect(missing.head.split('\r\n')[0]).toBe('Status: 500 Internal Server Error');
    expect(missing.stderr).toContain("has no export 'nope'");
  });

  test('IN-04: the app sees core errors as instances of the @tsgi/core it imports', async () => {
    const r = await runCgi(
      TSGI_BIN,
      { ...GET, REQUEST_METHOD: 'POST', CONTENT_LENGTH: '10' },
      'abc',
      {},
      ['cgi', `${FIXTURES}errors-app.mjs`],
    );
    expect(r.body.toString()).toBe('InputTruncatedError instanceof=true');
  });

  test('--help prints the usage with the cgi-bin wrapper', async () => {
    const r = await runCgi(TSGI_BIN, {}, '', {}, ['cgi', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.toString()).toContain('exec tsgi cgi /srv/tsgi/app.js');
  });
});
