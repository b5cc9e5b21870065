#!/usr/bin/env node
/**
 * `pnpm docs:serve`: serves docs/site on 127.0.0.1 (never on other interfaces), read-only.
 *
 *   node docs/build/serve.mjs [--port N]   default port 8080; 0 picks a free one
 *
 * Prints `docs: serving <dir> at http://127.0.0.1:PORT/` once listening (the docs test reads it).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { SITE } from './sources.mjs';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.txt': 'text/plain; charset=utf-8',
};

/** Maps a URL path to a file under `root`, or undefined (outside the root, or missing). */
function resolveFile(root, urlPath) {
  let path;
  try {
    path = decodeURIComponent(urlPath.split('?')[0] ?? '/');
  } catch {
    return undefined;
  }
  const file = normalize(join(root, path));
  if (file !== root && !file.startsWith(root + sep)) return undefined;
  if (existsSync(file) && statSync(file).isDirectory())
    return resolveFile(root, `${path.replace(/\/?$/, '/')}index.html`);
  return existsSync(file) ? file : undefined;
}

export function startServer(root = SITE, port = 8080) {
  const server = createServer((req, res) => {
    const file =
      req.method === 'GET' || req.method === 'HEAD' ? resolveFile(root, req.url ?? '/') : undefined;
    if (file === undefined) {
      res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? 404 : 405, {
        'content-type': 'text/plain',
      });
      res.end('Not Found\n');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cache-control': 'no-cache',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const argv = process.argv.slice(2);
const i = argv.indexOf('--port');
const port = i >= 0 ? Number(argv[i + 1]) : Number(process.env.PORT ?? 8080);
if (!existsSync(join(SITE, 'index.html'))) {
  console.error('docs: docs/site is empty; run `pnpm docs:build` first');
  process.exit(1);
}
const server = await startServer(SITE, port);
const { port: actual } = server.address();
console.log(`docs: serving docs/site at http://127.0.0.1:${actual}/`);
for (const sig of ['SIGINT', 'SIGTERM'])
  process.once(sig, () => server.close(() => process.exit(0)));
