/**
 * Importing @tsgi/node, and serving plain HTTP with WebSockets on (the default), must not load
 * the `ws` package (about 55 ms of start-up on Node 20) or node:http2 with the HTTP/2 server
 * module (about 6-19 ms), paid by every server whether or not a client ever upgrades or the
 * server speaks HTTP/2. `ws` is loaded on the first upgrade request (`_websocket.ts`), which
 * then completes as usual; `_http2.ts` by `serve` when it makes an HTTP/2 server. No timing
 * here: only what got loaded.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/index.js', import.meta.url).href;

/** Runs `code` after starting a server on a free port; prints what it evaluates to. */
function inServer(code: string): string {
  return execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { createRequire } from 'node:module';
const { serve } = await import(${JSON.stringify(dist)});
const wsLoaded = () => Object.keys(createRequire(import.meta.url).cache).some((k) => /[\\/]ws[\\/]/.test(k));
const http2Loaded = () => process.moduleLoadList.some((m) => m.endsWith(' http2'));
const app = (environ, startResponse) => {
  const upgrade = environ['tsgix.websocket'];
  if (upgrade?.requested) { upgrade.accept(); return []; }
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [new TextEncoder().encode('ok')];
};
const handle = await serve(app, { host: '127.0.0.1', port: 0 });
const result = await (async () => { ${code} })();
await handle.close();
process.stdout.write(JSON.stringify(result));`,
    ],
    { encoding: 'utf8', timeout: 20_000 },
  );
}

describe('@tsgi/node import cost', () => {
  it('serving plain HTTP with WebSockets offered loads neither ws nor node:http2', () => {
    const out = inServer(`
      // node:http as the client: fetch (undici) loads node:http2 itself.
      const http = await import('node:http');
      const res = await new Promise((resolve, reject) =>
        http.get(handle.url, (r) => { let body = ''; r.on('data', (d) => (body += d)); r.on('end', () => resolve({ status: r.statusCode, body })); }).on('error', reject));
      return { ...res, ws: wsLoaded(), http2: http2Loaded() };`);
    expect(JSON.parse(out)).toEqual({ status: 200, body: 'ok', ws: false, http2: false });
  });

  it('the first upgrade request loads it and gets its 101', () => {
    const out = inServer(`
      const net = await import('node:net');
      const { port } = new URL(handle.url);
      const head = await new Promise((resolve, reject) => {
        const s = net.connect(Number(port), '127.0.0.1', () =>
          s.write('GET / HTTP/1.1\\r\\nHost: x\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n' +
            'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\\r\\nSec-WebSocket-Version: 13\\r\\n\\r\\n'));
        let got = '';
        s.on('data', (d) => { got += d; if (got.includes('\\r\\n\\r\\n')) { s.destroy(); resolve(got); } });
        s.on('error', reject);
      });
      return { line: head.split('\\r\\n')[0], accept: /sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK\\+xOo=/i.test(head), ws: wsLoaded() };`);
    expect(JSON.parse(out)).toEqual({
      line: 'HTTP/1.1 101 Switching Protocols',
      accept: true,
      ws: true,
    });
  });
});
