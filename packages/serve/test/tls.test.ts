import { request } from 'node:https';
import { fileURLToPath } from 'node:url';
import { requireTool, selfSignedCertificate, tempDir } from '@tsgi/harness';
import { type RuntimeName, requireRuntime, startRuntimeScript } from '@tsgi/harness/runtimes';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('./fixtures/tls.mjs', import.meta.url));
const openssl = requireTool('openssl', 'generates the certificate for the TLS tests');

function get(port: number): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    request(
      { host: '127.0.0.1', port, path: '/', rejectUnauthorized: false, agent: false },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve(JSON.parse(body) as Record<string, string>));
      },
    )
      .on('error', reject)
      .end();
  });
}

for (const runtime of ['bun', 'deno'] as RuntimeName[]) {
  const binary = requireRuntime(runtime, `serve() over TLS on ${runtime}`);
  describe.skipIf(binary === undefined || openssl === undefined)(`TLS on ${runtime}`, () => {
    it('HTTPS=on, tsgi.url_scheme https, REMOTE_ADDR and REMOTE_PORT (ENV-17, ENV-19, ADP-FETCH-02)', async () => {
      const dir = tempDir();
      const { key, cert } = selfSignedCertificate(dir.path);
      const server = await startRuntimeScript(runtime, SCRIPT, {
        env: { TLS_CERT: cert, TLS_KEY: key },
      });
      try {
        const environ = await get(server.port);
        expect(environ.HTTPS, server.output()).toBe('on');
        expect(environ['tsgi.url_scheme']).toBe('https');
        expect(environ.SERVER_PORT).toBe(String(server.port));
        expect(environ.REMOTE_ADDR).toMatch(/127\.0\.0\.1$/);
        expect(Number(environ.REMOTE_PORT)).toBeGreaterThan(0);
        expect(environ.SERVER_SOFTWARE).toMatch(runtime === 'bun' ? /Bun\// : /Deno\//);
      } finally {
        await server.stop();
        dir.remove();
      }
    });
  });
}
