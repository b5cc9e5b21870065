/**
 * The docs generator's pieces, without a browser: the code samples in the guides type-check
 * against the packages' real exports, included files are shown byte for byte, traceability and report
 * JSON in the plausible shapes are understood, and requirement items get their anchors.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Coverage {
  cases: string[];
  lint: string[];
}
// Imported by URL so the type checker does not look for declaration files of the .mjs modules.
const load = async <T>(rel: string): Promise<T> =>
  (await import(new URL(`../build/${rel}`, import.meta.url).href)) as T;
const includes = await load<{
  expandFileDirectives(md: string, root: string): string;
  includedFiles(md: string): string[];
}>('includes.mjs');
const coverage = await load<{ normaliseTraceability(data: unknown): Map<string, Coverage> }>(
  'coverage.mjs',
);
const markdown = await load<{
  renderMarkdown(
    source: string,
    ctx: { ids: Map<string, string>; resolveLink(href: string): string | null },
  ): { html: string; toc: Array<{ level: number; id: string; text: string }> };
}>('markdown.mjs');
const reports = await load<{
  renderJson(value: unknown, ctx: { site: { ids: Map<string, string> }; path: string }): string;
}>('reports.mjs');

/** `/@tsgi/x(/sub)` → the d.ts its package.json exports, as `paths` for the type checker. */
function workspacePaths(): Record<string, string[]> {
  const paths: Record<string, string[]> = {};
  const dirs = [...readdirSync(join(ROOT, 'packages')).map((d) => `packages/${d}`), 'conformance'];
  for (const dir of dirs) {
    let pkg: { name: string; exports?: Record<string, { types?: string } | string> };
    try {
      pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
      if (typeof target !== 'object' || target.types === undefined) continue;
      paths[pkg.name + sub.slice(1)] = [join(ROOT, dir, target.types)];
    }
  }
  return paths;
}

describe('guides', () => {
  it('have TypeScript samples that type-check against the packages (run `pnpm build` first)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-docs-snippets-'));
    try {
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      // The samples import the reader's own app as ./app.js.
      writeFileSync(
        join(dir, 'app.ts'),
        "import type { Application } from '@tsgi/core';\ndeclare const app: Application;\nexport default app;\n",
      );
      const files = [join(dir, 'app.ts')];
      const origin = new Map<string, string>();
      const sources = [
        'docs/index.md',
        ...readdirSync(join(ROOT, 'docs/guides')).map((f) => `docs/guides/${f}`),
      ];
      for (const rel of sources) {
        const md = readFileSync(join(ROOT, rel), 'utf8');
        for (const [i, m] of [...md.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].entries()) {
          const file = join(dir, `${rel.replace(/\W+/g, '_')}_${i}.ts`);
          writeFileSync(file, `${m[1]}export {};\n`);
          files.push(file);
          origin.set(file, `${rel} sample ${i + 1}`);
        }
      }
      expect(origin.size).toBeGreaterThan(4);
      const program = ts.createProgram(files, {
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        target: ts.ScriptTarget.ES2022,
        lib: ['lib.es2023.d.ts'],
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        paths: workspacePaths(),
      });
      const errors = ts.getPreEmitDiagnostics(program).map((d) => {
        const where = d.file ? (origin.get(d.file.fileName) ?? d.file.fileName) : '';
        return `${where}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
      });
      expect(errors).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

describe('included files', () => {
  it('embeds a file byte for byte in a fence its own backticks cannot close, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tsgi-docs-include-'));
    try {
      const text = 'server {\n    listen 80;   # ```not a fence```\n}\n';
      writeFileSync(join(dir, 'nginx-x.conf'), text);
      const md = 'A\n<!-- file: nginx-x.conf -->\nB\n';
      expect(includes.includedFiles(md)).toEqual(['nginx-x.conf']);
      const out = includes.expandFileDirectives(md, dir);
      expect(out).toContain(`\`\`\`\`nginx\n${text}\`\`\`\`\n`);
      const { html } = markdown.renderMarkdown(out, { ids: new Map(), resolveLink: () => null });
      expect(html).toContain('listen 80;   # ```not a fence```\n}\n</code>');
      expect(html).toContain('<code>nginx-x.conf</code>');
      expect(() => includes.expandFileDirectives('<!-- file: gone.conf -->', dir)).toThrow(
        /gone\.conf -->: no such file/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('traceability', () => {
  const want = new Map([['ENV-05', { cases: ['path-info-basic'], lint: ['env-path-info'] }]]);
  it.each([
    ['keyed by ID', { 'ENV-05': { cases: ['path-info-basic'], lint: ['env-path-info'] } }],
    [
      'requirements map',
      {
        requirements: { 'ENV-05': { tests: [{ id: 'path-info-basic' }], checks: 'env-path-info' } },
      },
    ],
    [
      'requirements list',
      {
        requirements: [
          { id: 'ENV-05', cases: ['path-info-basic'], lint: [{ name: 'env-path-info' }] },
        ],
      },
    ],
    [
      'inverted',
      {
        cases: [{ id: 'path-info-basic', requirements: ['ENV-05'] }],
        lint: [{ id: 'env-path-info', covers: ['ENV-05'] }],
      },
    ],
  ])('reads the %s shape', (_, data) => {
    expect(coverage.normaliseTraceability(data)).toEqual(want);
  });
});

describe('markdown', () => {
  it('gives each requirement item an anchor and links ID mentions to it', () => {
    const ids = new Map([['ENV-05', '#env-05']]);
    const { html, toc } = markdown.renderMarkdown(
      '## Paths\n\n- **ENV-05** (MUST) `PATH_INFO` MUST be present.\n\nSee ENV-05 and [x](other.md).\n',
      { ids, resolveLink: (href) => (href === 'other.md' ? 'other.html' : null) },
    );
    expect(html).toContain('<li id="env-05" class="req level-must">');
    expect(html).toContain(
      '<a class="req-id" href="#env-05">ENV-05</a> <span class="req-level">MUST</span>',
    );
    expect(html).toContain('See <a class="req-ref" href="#env-05">ENV-05</a>');
    expect(html).toContain('<a href="other.html">x</a>');
    expect(toc).toEqual([{ level: 2, id: 'paths', text: 'Paths' }]);
  });
});

describe('report JSON', () => {
  it('renders a server → ID → outcome map as a matrix with IDs linked to the spec', () => {
    const site = { ids: new Map([['ENV-05', 'spec/02-environ.html#env-05']]) };
    const html = reports.renderJson(
      {
        generated: '2025-01-01',
        results: { node: { 'ENV-05': 'pass' }, fastcgi: { 'ENV-05': 'fail' } },
      },
      { site, path: 'reports/conformance.html' },
    );
    expect(html).toContain('<dt>generated</dt><dd>2025-01-01</dd>');
    expect(html).toContain('<th>node</th><th>fastcgi</th>');
    expect(html).toContain('<a href="../spec/02-environ.html#env-05">ENV-05</a>');
    expect(html).toContain('outcome-fail');
  });
});
