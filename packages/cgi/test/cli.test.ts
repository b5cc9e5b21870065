/**
 * `tsgi cgi APP` (packages/cli/src/commands/cgi.ts), run as a web server would run it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { echo, FIXTURES, hasCli, runCgi, TSGI_BIN } from './_helpers.js';

const APP = `${FIXTURES}app.mjs`;
const GET = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/app', SERVER_PROTOCOL: 'HTTP/1.1' };

/** Runs `tsgi cgi app` and lists the files Node loaded as CommonJS and as ES modules. */
async function loaded(app: string) {
  const r = await runCgi(TSGI_BIN, { ...GET, NODE_DEBUG: 'esm,module' }, '', {}, ['cgi', app]);
  expect(r.code, r.stderr).toBe(0);
  const base = (p: string): string => p.slice(p.lastIndexOf('/') + 1);
  const names = (re: RegExp): string[] =>
    [...new Set([...r.stderr.matchAll(re)].map((m) => base(m[1]!)))].sort();
  // NODE_DEBUG names each file it loads; none at all means its format changed.
  const cjs = names(/MODULE \d+: load "(\/\S+)"/g);
  expect(cjs.length, `no module list in NODE_DEBUG output:\n${r.stderr}`).toBeGreaterThan(0);
  return {
    code: r.code,
    body: r.body.toString(),
    cjs,
    esm: names(/Storing (file:\/\/\S+)/g),
  };
}

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

  test('ADP-CGI-16: --snapshot writes a V8 start-up snapshot that serves the request by itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cli-'));
    try {
      const blob = join(dir, 'app.blob');
      const b = await runCgi(TSGI_BIN, {}, '', {}, ['cgi', '--snapshot', APP, '-o', blob]);
      expect(b.code, b.stderr).toBe(0);
      // It prints the wrapper, with the Node binary that built the blob (the only one that can run it).
      expect(b.stderr).toContain(`exec ${process.execPath} --snapshot-blob ${blob}`);
      // runCgi runs `node SCRIPT ARGS`: here `node --snapshot-blob FILE`.
      const env = { ...GET, PATH_INFO: '/s', HTTP_PROXY: 'http://evil.test:1' };
      const r = await runCgi('--snapshot-blob', env, '', {}, [blob]);
      expect(r.code).toBe(0);
      expect(echo(r.body).environ.PATH_INFO).toBe('/s');
      expect(echo(r.body).proxyAtImport).toBe(null);
      expect(echo(r.body).processEnvHttpProxy).toBe(null);
      const both = await runCgi(TSGI_BIN, {}, '', {}, [
        'cgi',
        '--snapshot',
        '--bundle',
        APP,
        '-o',
        blob,
      ]);
      expect(both.code).toBe(2);
      expect(both.stderr).toContain('choose one');
      const noOut = await runCgi(TSGI_BIN, {}, '', {}, ['cgi', '--snapshot', APP]);
      expect(noOut.code).toBe(2);
      expect(noOut.stderr).toContain('cgi --snapshot: give the output file with -o FILE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('ADP-CGI-16: under a web server an ES module APP is the one ES module loaded (bin/tsgi.cjs compiles the bundled request path itself)', async () => {
    const r = await loaded(APP);
    expect(r.cjs).toEqual(['tsgi.cjs']);
    expect(r.esm).toEqual(['app.mjs']);
  });

  test("ADP-CGI-16: a .cjs APP is required: Node's ESM loader never starts", async () => {
    const r = await loaded(`${FIXTURES}hello.cjs`);
    expect(r.code).toBe(0);
    expect(r.body).toBe('Hello, world!\n');
    expect(r.cjs).toEqual(['hello.cjs', 'tsgi.cjs']);
    expect(r.esm).toEqual([]);
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

describe.skipIf(!hasCli)('tsgi cgi: a CommonJS APP', () => {
  test('ADP-CGI-09: a .cjs APP that throws while loading runs once, answers 500 and logs why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cjs-'));
    try {
      const app = join(dir, 'boom.cjs');
      writeFileSync(app, "process.stderr.write('loading\\n');\nthrow new Error('boom at load');\n");
      const r = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', app]);
      expect(r.head.split('\r\n')[0]).toBe('Status: 500 Internal Server Error');
      expect(r.stderr.match(/loading/g)).toHaveLength(1);
      expect(r.stderr).toContain(`cannot load ${app}: Error: boom at load`);
      const missing = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', join(dir, 'nope.cjs')]);
      expect(missing.head.split('\r\n')[0]).toBe('Status: 500 Internal Server Error');
      expect(missing.stderr).toContain('cannot find application module');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('APP:name picks a named export of a .cjs APP; without it the shared rule takes `app`', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cjs-'));
    try {
      const app = join(dir, 'named.cjs');
      writeFileSync(
        app,
        "exports.app = (_e, start) => { start('200 OK', [['x-named', '1']]); return []; };\nexports.other = 42;\n",
      );
      const r = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', `${app}:app`]);
      expect(r.code).toBe(0);
      expect(r.head).toContain('x-named: 1');
      // The default export (module.exports) is not a function: the export `app` is served.
      const ruled = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', app]);
      expect(ruled.code).toBe(0);
      expect(ruled.head).toContain('x-named: 1');
      const wrong = await runCgi(TSGI_BIN, GET, '', {}, ['cgi', `${app}:other`]);
      expect(wrong.stderr).toContain("export 'other' is not a function (got number)");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!hasCli)('tsgi cgi: V8 code cache of the request path', () => {
  /** Loads the bundle the way bin/tsgi.cjs does, in a fresh node; what V8 said of the cache. */
  function rejected(bundle?: string, cache?: string): string {
    const args =
      bundle === undefined ? '' : `, ${JSON.stringify(bundle)}, ${JSON.stringify(cache)}`;
    const code = `const b = require(${JSON.stringify(TSGI_BIN)}).loadBundle(true${args});
      process.stdout.write(String(b.script.cachedDataRejected) + ' ' + typeof b.exports.runCgiRequest);`;
    return execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  }

  test('ADP-CGI-16: the build leaves a code cache that V8 accepts for the bundle', () => {
    expect(rejected()).toBe('false function');
  });

  test('a cache from another build of the bundle is not used', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cache-'));
    try {
      const dist = join(TSGI_BIN, '../../dist');
      const source = readFileSync(join(dist, '_cgi-request.bundle.cjs'), 'utf8');
      const cache = readFileSync(join(dist, '_cgi-request.bundle.cache'));
      const id = /\/\/# tsgi-build (\S+)\n$/.exec(source)?.[1];
      expect(id).toBeDefined();
      writeFileSync(join(dir, 'b.cache'), cache);
      // Same id: used (and accepted); another id, as after a rebuild: not even offered to V8.
      writeFileSync(join(dir, 'same.cjs'), source);
      expect(rejected(join(dir, 'same.cjs'), join(dir, 'b.cache'))).toBe('false function');
      const other = id!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      writeFileSync(join(dir, 'other.cjs'), source.replace(id!, other));
      expect(rejected(join(dir, 'other.cjs'), join(dir, 'b.cache'))).toBe('undefined function');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
