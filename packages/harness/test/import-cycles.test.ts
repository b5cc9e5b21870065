/**
 * No import cycles in the sources (issue 17): every relative import, `export ... from`, dynamic
 * `import()` and `import type` in packages/<name>/src, conformance/src and stress/src, read with
 * TypeScript's own pre-parser (the compiler the repo already has; no extra dependency), resolved
 * to a file, and the graph's strongly connected components listed. Type-only imports count: they
 * tie modules together for the reader and the compiler even when erased at run time. The same
 * walk checks that no file in packages/<name>/src is over 300 lines.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE = /\.(ts|mts|tsx)$/;

/** The source roots checked: every package's src, the suite's and stress's. */
function roots(): string[] {
  const packages = readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p, 'src'));
  return [...packages, join(ROOT, 'conformance/src'), join(ROOT, 'stress/src')].filter(existsSync);
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (`./x.js` is `./x.ts`), or undefined. */
function resolveSpecifier(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|cjs|jsx)$/, '');
  const ext = base.endsWith('.mjs') ? '.mts' : '.ts';
  const candidates = [base, `${stem}${ext}`, `${stem}.tsx`, join(base, 'index.ts')];
  return candidates.find((c) => SOURCE.test(c) && existsSync(c) && statSync(c).isFile());
}

/** Module graph: file -> files it imports. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = info.importedFiles
      .map((f) => resolveSpecifier(file, f.fileName))
      .filter((t): t is string => t !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Strongly connected components with more than one module, or a module importing itself. */
export function cycles(graph: Map<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop()!; ; w = stack.pop()!) {
      onStack.delete(w);
      component.push(w);
      if (w === v) break;
    }
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/**
 * Cycles not broken yet, each the sorted files of one: the test fails on any other cycle, and on
 * one of these once it is gone (then delete it here). Issue 17 wants this list empty.
 */
const OPEN: string[][] = [];

describe('import cycles', () => {
  it('the checker sees a cycle through an import type and an export from', () => {
    const a = join(ROOT, 'a.ts');
    const b = join(ROOT, 'b.ts');
    const c = join(ROOT, 'c.ts');
    const graph = new Map([
      [a, [b]],
      [b, [c]],
      [c, [a]],
    ]);
    expect(cycles(graph)).toEqual([[a, b, c]]);
    const parsed = ts.preProcessFile(
      "import type { X } from './b.js';\nexport * from './c.js';\nawait import('./d.js');",
      true,
      true,
    );
    expect(parsed.importedFiles.map((f) => f.fileName)).toEqual(['./b.js', './c.js', './d.js']);
  });

  it('packages/*/src, conformance/src and stress/src have none but the listed ones', () => {
    const files = roots().flatMap((r) => walk(r));
    expect(files.length).toBeGreaterThan(50);
    const found = cycles(importGraph(files)).map((c) => c.map((f) => relative(ROOT, f)));
    expect(found).toEqual(OPEN);
  });
});

describe('file size', () => {
  it('no source file in packages/*/src is over 300 lines (issue 17: one concern a file)', () => {
    const files = roots()
      .filter((r) => relative(ROOT, r).startsWith('packages'))
      .flatMap((r) => walk(r));
    const long = files
      .map((f) => [relative(ROOT, f), readFileSync(f, 'utf8').split('\n').length - 1] as const)
      .filter(([, lines]) => lines > 300);
    expect(long).toEqual([]);
  });
});
