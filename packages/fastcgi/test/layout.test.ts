/**
 * The package's layering (issue 17): the codec is pure (no import beyond its own files, no Node
 * globals), and no two source files import each other, directly or through others.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : e.name.endsWith('.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** Every module specifier a file imports or re-exports, type-only ones included. */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found = text.matchAll(/^\s*(?:import|export)\b[^'"]*?\bfrom\s*['"]([^'"]+)['"]/gm);
  const bare = text.matchAll(/^\s*import\s*['"]([^'"]+)['"]/gm);
  const dynamic = text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g);
  return [...found, ...bare, ...dynamic].map((m) => m[1]!);
}

/** Comments and string literals out of the way, so a word in prose is not taken for code. */
function code(file: string): string {
  return readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\/\/.*$/gm, '')
    .replace(/'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, "''");
}

describe('@tsgi/fastcgi layout', () => {
  it('the codec imports nothing beyond its own directory and uses no Node globals', () => {
    const codec = join(SRC, 'codec');
    const files = sources(codec);
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      for (const spec of specifiers(file)) {
        expect(spec, `${relative(SRC, file)} imports ${spec}`).toMatch(/^\.\/[\w-]+\.js$/);
      }
      const body = code(file);
      for (const word of ['Buffer', 'process', 'require', 'globalThis', 'TextDecoder']) {
        expect(body, `${relative(SRC, file)} uses ${word}`).not.toMatch(
          new RegExp(`\\b${word}\\b`),
        );
      }
    }
  });

  it('no import cycles among the source files', () => {
    const graph = new Map<string, string[]>();
    for (const file of sources(SRC)) {
      const deps = specifiers(file)
        .filter((s) => s.startsWith('.'))
        .map((s) => resolve(dirname(file), s.replace(/\.js$/, '.ts')));
      graph.set(file, deps);
    }
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' → '),
        );
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it('the client and the codec do not reach into the server', () => {
    for (const dir of ['client', 'codec']) {
      for (const file of sources(join(SRC, dir))) {
        for (const spec of specifiers(file)) expect(spec).not.toMatch(/server\//);
      }
    }
  });
});
