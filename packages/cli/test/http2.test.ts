/**
 * `tsgi serve --certfile --keyfile` serves HTTP/2 and HTTP/1.1 on one port; `--no-http2` and
 * `--http2` (issue 20, ADP-NODE-15). curl is the client: it offers `h2` by ALPN, or only HTTP/1.1.
 */
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  type Daemon,
  requireTool,
  selfSignedCertificate,
  startDaemon,
  tempDir,
  waitForOutput,
} from '@tsgi/harness';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../bin/tsgi.cjs');
const APP = join(here, 'fixtures', 'app.js');
const exec = promisify(execFile);
const openssl = requireTool('openssl', 'makes the certificate of the HTTPS tests');
const curl = requireTool('curl', 'an HTTP/2 client (ALPN, h2c)');

const daemons: Daemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

const tmp = tempDir('tsgi-h2-');
afterAll(() => tmp.remove());
const key = join(tmp.path, 'key.pem');
const cert = join(tmp.path, 'cert.pem');

async function serve(args: string[]): Promise<string> {
  const daemon = startDaemon(process.execPath, [
    BIN,
    'serve',
    APP,
    ...args,
    '--bind',
    '127.0.0.1:0',
  ]);
  daemons.push(daemon);
  return waitForOutput(daemon, /Listening on (\S+)/).then((m) => m[1]!);
}

/** curl's `%{http_version}` and the body, with the flags given. */
async function fetchWith(flags: string[], url: string): Promise<[string, string]> {
  const { stdout } = await exec(curl!, ['-sk', ...flags, '-w', '\n%{http_version}', url]);
  const cut = stdout.lastIndexOf('\n');
  return [stdout.slice(cut + 1), stdout.slice(0, cut)];
}

describe.runIf(openssl !== undefined && curl !== undefined)('tsgi serve: HTTP/2', () => {
  it('ADP-NODE-15: --certfile/--keyfile serve HTTP/2 and HTTP/1.1 on one port; --no-http2 only HTTP/1.1', async () => {
    selfSignedCertificate(tmp.path);
    const url = await serve(['--certfile', cert, '--keyfile', key]);
    const [v2, body2] = await fetchWith(['--http2'], `${url}/two`);
    const [v1, body1] = await fetchWith(['--http1.1'], `${url}/one`);
    expect([v2, v1]).toEqual(['2', '1.1']);
    expect(JSON.parse(body2)).toMatchObject({ path: '/two', scheme: 'https' });
    expect(JSON.parse(body1)).toMatchObject({ path: '/one', scheme: 'https' });
    const only1 = await serve(['--certfile', cert, '--keyfile', key, '--no-http2']);
    expect((await fetchWith(['--http2'], `${only1}/`))[0]).toBe('1.1');
  });

  it('ADP-NODE-15: --http2 without TLS serves h2c with prior knowledge; --http2 --no-http2 exits 2', async () => {
    const url = await serve(['--http2']);
    expect(url.startsWith('http://')).toBe(true);
    expect((await fetchWith(['--http2-prior-knowledge'], `${url}/`))[0]).toBe('2');
    const both = spawnSync(process.execPath, [BIN, 'serve', APP, '--http2', '--no-http2'], {
      encoding: 'utf8',
    });
    expect([both.status, both.stderr]).toEqual([
      2,
      'tsgi: --http2 and --no-http2 contradict each other\n',
    ]);
  });
});
