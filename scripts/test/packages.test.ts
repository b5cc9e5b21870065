/**
 * The packages as npm would publish them (issue 24): every workspace package that is not
 * `private: true` is packed with pnpm (workspace: ranges become versions, as on publish) and
 * its tarball checked by publint (package.json against the files it ships) and by
 * @arethetypeswrong (the types each export resolves to, ESM-only profile: the packages are
 * `type: module`, so require() from CommonJS and node10 resolution are out of scope). Private
 * packages (the harness, the examples, bench, stress) are never packed. Needs the build
 * (`pnpm test` runs `tsc -b` first). Offline: both tools read the tarball only.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LICENSE = readFileSync(join(ROOT, 'LICENSE'), 'utf8');

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  description?: string;
  keywords?: string[];
  files?: string[];
}

/** Every workspace package folder (pnpm-workspace.yaml's globs are one `*` deep at most). */
function workspaceDirs(): string[] {
  const globs = [
    ...readFileSync(join(ROOT, 'pnpm-workspace.yaml'), 'utf8').matchAll(/^\s*-\s*(\S+)/gm),
  ].map((m) => m[1]!.replace(/['"]/g, ''));
  return globs.flatMap((g) =>
    g.endsWith('/*')
      ? readdirSync(join(ROOT, g.slice(0, -2))).map((d) => `${g.slice(0, -2)}/${d}`)
      : [g],
  );
}

const manifests = workspaceDirs()
  .filter((d) => existsSync(join(ROOT, d, 'package.json')))
  .map((dir) => ({
    dir,
    pkg: JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as Manifest,
  }));
const published = manifests.filter((m) => m.pkg.private !== true);

/** The pnpm that runs this workspace (its bin when pnpm started vitest, else npx's pinned one). */
function pnpm(args: string[], cwd: string) {
  const execPath = process.env.npm_execpath;
  if (execPath && /pnpm/.test(execPath)) return run(process.execPath, [execPath, ...args], { cwd });
  return run('npx', ['--yes', 'pnpm@10.34.8', ...args], { cwd });
}

let dest = '';
const tarballs = new Map<string, string>();

describe('published packages', () => {
  beforeAll(async () => {
    dest = mkdtempSync(join(tmpdir(), 'tsgi-pack-'));
    // One pnpm run packs them all (as `pnpm pack:published` does), private packages filtered out.
    const filters = published.flatMap(({ dir }) => ['--filter', `./${dir}`]);
    await pnpm(['-r', ...filters, 'pack', '--pack-destination', dest], ROOT);
    for (const { pkg } of published) {
      const file = join(dest, `${pkg.name.replace(/^@/, '').replace('/', '-')}-${pkg.version}.tgz`);
      if (existsSync(file)) tarballs.set(pkg.name, file);
    }
  }, 60_000);

  afterAll(() => {
    if (dest) rmSync(dest, { recursive: true, force: true });
  });

  it('packs only the packages that are not private (the harness, examples, bench and stress are not)', () => {
    expect(published.length).toBeGreaterThan(5);
    for (const m of manifests) {
      if (/harness|example|bench|stress/.test(m.pkg.name)) expect(m.pkg.private, m.dir).toBe(true);
    }
    expect([...tarballs.keys()].sort()).toEqual(published.map((m) => m.pkg.name).sort());
  });

  it('gives every published package the MIT LICENSE file, a README, a description and keywords', () => {
    for (const { dir, pkg } of published) {
      expect(pkg.license, dir).toBe('MIT');
      expect(readFileSync(join(ROOT, dir, 'LICENSE'), 'utf8'), `${dir}/LICENSE`).toBe(LICENSE);
      expect(existsSync(join(ROOT, dir, 'README.md')), `${dir}/README.md`).toBe(true);
      expect(pkg.files, dir).toContain('LICENSE');
      expect(pkg.description, dir).toBeTruthy();
      expect(pkg.keywords, dir).toContain('tsgi');
    }
  });

  it('passes publint (strict, suggestions included) on every packed tarball', async () => {
    const problems: string[] = [];
    for (const [name, file] of tarballs) {
      const bytes = readFileSync(file);
      const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const { messages, pkg } = await publint({
        pack: { tarball: tarball as ArrayBuffer },
        level: 'suggestion',
        strict: true,
      });
      for (const m of messages) problems.push(`${name}: ${m.type}: ${formatMessage(m, pkg)}`);
    }
    expect(problems).toEqual([]);
  });

  it('passes @arethetypeswrong (ESM-only profile, as `attw --profile esm-only`) on every packed tarball', async () => {
    // attw's own engine in-process (one TypeScript load, not one per package); the CLI's exit
    // rule: any problem not in an ignored resolution fails.
    const ignored = new Set(['node10', 'node16-cjs']);
    const problems: string[] = [];
    for (const [name, file] of tarballs) {
      const analysis = await checkPackage(
        createPackageFromTarballData(new Uint8Array(readFileSync(file))),
      );
      expect(analysis.types, `${name} ships types`).toBeTruthy();
      if (!analysis.types) continue;
      for (const p of analysis.problems) {
        if ('resolutionKind' in p && ignored.has(p.resolutionKind)) continue;
        problems.push(`${name}: ${JSON.stringify(p)}`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
