/**
 * ADP-CGI-16: `import ... from '@tsgi/cgi'` runs the bundled package from V8's code cache the
 * build made (scripts/bundle-index.mjs), and falls back to compiling it when the cache is not
 * this build's. Checked in child processes, as a web server runs a CGI script.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const CGI = {
  GATEWAY_INTERFACE: 'CGI/1.1',
  REQUEST_METHOD: 'GET',
  SCRIPT_NAME: '/cgi-bin/app',
  SERVER_NAME: 'localhost',
  SERVER_PORT: '80',
  SERVER_PROTOCOL: 'HTTP/1.1',
};
const temp = mkdtempSync(join(tmpdir(), 'tsgi-cgi-cache-test-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
const app = join(temp, 'app.mjs');
writeFileSync(
  app,
  "export default (_e, start) => { start('200 OK', [['content-type', 'text/plain']]); return [new TextEncoder().encode('hi')]; };\n",
);

/** One CGI request through `entry`; prints whether the cache was used after the response. */
async function request(entry: string): Promise<{ stdout: string; used: boolean }> {
  const script = `const m = await import(${JSON.stringify(entry)});
await m.runCGIModule(${JSON.stringify(app)});
process.stdout.write('\\n' + JSON.stringify(m._codeCache.used));`;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH, ...CGI },
  });
  const cut = stdout.lastIndexOf('\n');
  return { stdout: stdout.slice(0, cut), used: JSON.parse(stdout.slice(cut + 1)) };
}

describe('the package entry and its code cache (ADP-CGI-16)', () => {
  test("a request runs from the build's code cache", async () => {
    const r = await request(join(dist, 'index.bundle.js'));
    expect(r.stdout).toBe(
      'Status: 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi',
    );
    expect(r.used).toBe(true);
  });

  test('a cache from another build is not used; the bundle is compiled and answers the same', async () => {
    const copy = mkdtempSync(join(temp, 'dist-'));
    for (const f of ['index.bundle.js', 'index.bundle.cjs', 'index.bundle.cache']) {
      copyFileSync(join(dist, f), join(copy, f));
    }
    const cache = readFileSync(join(copy, 'index.bundle.cache'));
    cache[0] = cache[0] === 0x30 ? 0x31 : 0x30; // another build id
    writeFileSync(join(copy, 'index.bundle.cache'), cache);
    const r = await request(join(copy, 'index.bundle.js'));
    expect(r.stdout).toBe(
      'Status: 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi',
    );
    expect(r.used).toBe(false);
    rmSync(join(copy, 'index.bundle.cache'));
    expect((await request(join(copy, 'index.bundle.js'))).used).toBe(false); // no cache at all
  });

  test('the entry exports what the package modules export', async () => {
    const names = async (file: string): Promise<string[]> => {
      const { stdout } = await run(process.execPath, [
        '--input-type=module',
        '-e',
        `process.stdout.write(JSON.stringify(Object.keys(await import(${JSON.stringify(file)}))))`,
      ]);
      return (JSON.parse(stdout) as string[]).filter((n) => n !== '_codeCache').sort();
    };
    expect(await names(join(dist, 'index.bundle.js'))).toEqual(await names(join(dist, 'index.js')));
  });
});
