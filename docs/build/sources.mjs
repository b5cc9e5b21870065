/**
 * Every input the docs build reads, in one place, so a moved file is a one-line change here.
 * The generated pages name these paths, so a reader can tell where each table came from.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DOCS = join(ROOT, 'docs');
export const SITE = join(DOCS, 'site');
export const SPEC = join(ROOT, 'spec');

/** Coverage of each requirement ID by conformance cases and lint checks (issue 10). */
export const TRACEABILITY = 'conformance/traceability.json';

/**
 * The generated report pages: each is rendered from JSON written by a test or benchmark run,
 * never from hand-copied numbers. `files` are tried in order; a folder means every *.json in it.
 * `pivot` turns a list of records into a rows × columns table (`from` names the list).
 * `render` names a readable renderer for a known shape (reports.mjs; the generic one otherwise).
 * `script` finds the package script that writes the JSON, to name it when the JSON is absent;
 * `fallback` says how to generate it when no script matches.
 */
export const REPORTS = [
  {
    slug: 'conformance',
    title: 'Conformance matrix',
    intro: 'Each requirement ID against each server, as the conformance suite last reported it.',
    files: ['conformance/results/matrix.json', 'conformance/results'],
    pivot: null,
    render: 'conformance',
    script: /matrix|conformance/,
    fallback: 'the conformance suite (see conformance/README.md)',
  },
  {
    slug: 'frameworks',
    title: 'Frameworks by server',
    intro:
      'The same routes written with Hono, itty-router and plain TSGI, run on each server and compared with the in-memory run of the same framework.',
    files: [
      ...(process.env.TSGI_DECOUPLING_OUT
        ? [`${process.env.TSGI_DECOUPLING_OUT}/decoupling.json`]
        : []),
      // The committed run (a fresh build is never "not generated"), then a local test run's.
      'examples/results/decoupling.json',
      '.tmp/decoupling/decoupling.json',
    ],
    pivot: { from: 'cells', rows: 'framework', cols: 'server' },
    script: null,
    fallback:
      '`pnpm vitest run examples` (examples/native/test/decoupling.test.ts; also part of `pnpm test`)',
  },
  {
    slug: 'benchmarks',
    title: 'Benchmarks',
    intro:
      'The latest benchmark run on the project machine (2 cores); numbers are comparable only within one run.',
    files: ['bench/results/latest.json'],
    pivot: null,
    render: 'benchmarks',
    script: /^bench/,
    fallback: 'the benchmark runner in bench/',
  },
];

/**
 * The packages whose TSDoc becomes the API reference: a folder with package.json, tsconfig.json
 * and src/index.ts. Private packages (the test harness) are left out; a placeholder package with
 * no exports yet is kept (typedoc documents it as empty rather than failing).
 */
export function apiPackages() {
  const dirs = [];
  const candidates = [
    ...readdirSync(join(ROOT, 'packages')).map((d) => `packages/${d}`),
    'conformance',
  ];
  for (const dir of candidates) {
    const pkgFile = join(ROOT, dir, 'package.json');
    if (!existsSync(pkgFile) || !existsSync(join(ROOT, dir, 'tsconfig.json'))) continue;
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
    if (pkg.private === true) continue;
    // A package is documented from src/index.ts, or from its subpath exports' sources when it
    // has no index (@tsgi/serve: one file per runtime, chosen by export condition).
    if (!existsSync(join(ROOT, dir, 'src', 'index.ts')) && subpathSources(dir, pkg).length === 0)
      continue;
    dirs.push(dir);
  }
  return dirs;
}

/**
 * The src files behind a package's subpath exports (`@tsgi/core/testing` → src/testing.ts),
 * as paths relative to the package.
 */
export function subpathSources(dir, pkg) {
  const files = [];
  for (const [sub, target] of Object.entries(pkg.exports ?? {})) {
    const file = typeof target === 'string' ? target : target?.default;
    const m = typeof file === 'string' ? /^\.\/dist\/(.+)\.js$/.exec(file) : null;
    if (sub !== '.' && m && existsSync(join(ROOT, dir, 'src', `${m[1]}.ts`)))
      files.push(`src/${m[1]}.ts`);
  }
  return files;
}

/** Package scripts that might write a report, as `[command, scriptBody]` pairs. */
export function packageScripts() {
  const out = [];
  const dirs = ['.', 'conformance', 'bench'];
  if (existsSync(join(ROOT, 'examples'))) {
    for (const d of readdirSync(join(ROOT, 'examples'))) dirs.push(`examples/${d}`);
  }
  for (const dir of dirs) {
    const file = join(ROOT, dir, 'package.json');
    if (!existsSync(file)) continue;
    const pkg = JSON.parse(readFileSync(file, 'utf8'));
    for (const [name, body] of Object.entries(pkg.scripts ?? {})) {
      const cmd = dir === '.' ? `pnpm run ${name}` : `pnpm --filter ${pkg.name} run ${name}`;
      out.push({ name, cmd, body: String(body) });
    }
  }
  return out;
}
