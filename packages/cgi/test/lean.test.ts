/**
 * Start-up cost: every CGI request is a new process, so `@tsgi/cgi` must not pull in zod,
 * undici or `node:http` (js-peers.md §3: the first WHATWG Request/Response loads undici and
 * costs ~50 ms per request).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { expect, test } from 'vitest';
import { FIXTURES, runCgi } from './_helpers.js';

const require = createRequire(import.meta.url);
const FORBIDDEN = /^(?:zod|undici|node:(?:http|https|http2|_http_\w+)|http|https)(?:\/|$)/;

/** Every module statically reachable from `entry`, by resolved file (or bare built-in name). */
function importGraph(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    if (file.startsWith('node:') || !file.endsWith('.js')) continue;
    const src = readFileSync(file, 'utf8');
    // Static imports and re-exports; `import(` is dynamic and only used for the app itself.
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('.')) todo.push(resolve(dirname(file), spec));
      else if (spec.startsWith('node:')) todo.push(spec);
      else {
        seen.add(spec);
        todo.push(createRequire(file).resolve(spec));
      }
    }
  }
  return seen;
}

test('ADP-CGI-16: the static import graph of @tsgi/cgi has no zod, undici or node:http', () => {
  // What the bundle is built from: @tsgi/cgi's own modules and @tsgi/core's.
  const entry = resolve(dirname(require.resolve('@tsgi/cgi')), 'index.js');
  const graph = [...importGraph(entry)];
  expect(graph.some((f) => f.includes('/packages/core/dist/'))).toBe(true);
  expect(
    graph.filter((f) => FORBIDDEN.test(f) || /\/node_modules\/(?:zod|undici)\//.test(f)),
  ).toEqual([]);
  // Nothing from core's optional entries (schemas pulls zod, testing is for tests).
  expect(graph.filter((f) => /\/core\/dist\/(?:schemas|testing)\.js$/.test(f))).toEqual([]);
});

test('ADP-CGI-16: `@tsgi/cgi` is one bundled file that imports nothing but Node built-ins', () => {
  const entry = require.resolve('@tsgi/cgi');
  expect(entry.endsWith('/dist/index.bundle.js')).toBe(true);
  const imports = [...importGraph(entry)].filter((f) => f !== entry);
  expect(imports.filter((f) => !f.startsWith('node:'))).toEqual([]);
  expect(imports.filter((f) => FORBIDDEN.test(f))).toEqual([]);
});

test('ADP-CGI-16: a served request loads no http or undici built-ins beyond a bare node script', async () => {
  const env = { REQUEST_METHOD: 'GET', SCRIPT_NAME: '/cgi-bin/hello' };
  const lean = await runCgi(`${FIXTURES}lean-probe.mjs`, env);
  const bare = await runCgi(`${FIXTURES}bare-probe.mjs`, env);
  // Same response bytes as the hand-written baseline.
  expect(lean.stdout.toString('latin1')).toBe(bare.stdout.toString('latin1'));
  const loaded = JSON.parse(lean.stderr) as string[];
  const baseline = new Set(JSON.parse(bare.stderr) as string[]);
  const extra = loaded.filter((m) => !baseline.has(m));
  console.log(`built-ins loaded beyond a bare script: ${extra.join(', ') || 'none'}`);
  expect(loaded.filter((m) => /\b(?:_?https?|http2|_http_\w+|undici)\b/.test(m))).toEqual([]);
  expect(extra.length).toBeLessThan(10);
});
