/** loadApp: resolving APP from a directory, importing it, and the shared export rule. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@tsgi/harness';
import { AppLoadError, loadApp, resolveAppModule } from '@tsgi/server-node';
import { afterAll, describe, expect, it } from 'vitest';

const dir = tempDir('tsgi-load-app-');
afterAll(() => dir.remove());

function file(name: string, text: string): string {
  const path = join(dir.path, name);
  writeFileSync(path, text);
  return path;
}

const FN = "(e, start) => { start('200 OK', []); return []; }";

describe('loadApp', () => {
  it('APP-01: an ES module default export, or its export `app`, by relative path from cwd', async () => {
    file('default.mjs', `export default ${FN};\nexport const app = 1;`);
    file('named.mjs', `export const app = ${FN};\nexport const other = 2;`);
    expect(typeof (await loadApp('default.mjs', { cwd: dir.path }))).toBe('function');
    expect(typeof (await loadApp('./named.mjs', { cwd: dir.path }))).toBe('function');
  });

  it('a CommonJS module with exports.app, and module:name', async () => {
    file('cjs.cjs', `exports.app = ${FN};\nexports.second = ${FN};`);
    expect(typeof (await loadApp('cjs.cjs', { cwd: dir.path }))).toBe('function');
    expect(typeof (await loadApp('cjs.cjs:second', { cwd: dir.path }))).toBe('function');
  });

  it('a package specifier resolved from cwd', async () => {
    const pkg = join(dir.path, 'node_modules', 'fixture-app');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'fixture-app', main: 'i.js' }));
    writeFileSync(join(pkg, 'i.js'), `module.exports = ${FN};`);
    expect(typeof (await loadApp('fixture-app', { cwd: dir.path }))).toBe('function');
  });

  it('every failure is a one-line AppLoadError', async () => {
    file('throws.mjs', "throw new Error('kaboom at import');");
    file('none.mjs', 'export const handler = 1;');
    const cases: Array<[string, RegExp]> = [
      ['missing.mjs', /^cannot find application module missing\.mjs \(from /],
      ['./missing.mjs', /^cannot find application module \.\/missing\.mjs/],
      ['no-such-package', /^cannot find application module no-such-package \(from /],
      ['throws.mjs', /^cannot load throws\.mjs: Error: kaboom at import$/],
      ['none.mjs', /^none\.mjs exports no application: .* it exports handler \(number\)/],
      ['', /^APP is empty$/],
    ];
    for (const [spec, message] of cases) {
      const err = await loadApp(spec, { cwd: dir.path }).catch((e: unknown) => e);
      expect(err, spec).toBeInstanceOf(AppLoadError);
      expect((err as Error).message, spec).toMatch(message);
    }
  });

  it('importModule loads TypeScript files (the CLI passes tsx)', async () => {
    const ts = file('app.ts', `export default ${FN};`);
    const seen: string[] = [];
    const app = await loadApp('app.ts', {
      cwd: dir.path,
      importModule: async (specifier) => {
        seen.push(specifier);
        return { default: () => [] };
      },
    });
    expect(typeof app).toBe('function');
    expect(seen).toEqual([`file://${ts}`]);
  });

  it('resolveAppModule: a file URL, an absolute path, a directory with a package.json', () => {
    const path = file('abs.mjs', `export default ${FN};`);
    expect(resolveAppModule(`file://${path}`, '/')).toBe(path);
    expect(resolveAppModule(path, '/')).toBe(path);
    const sub = join(dir.path, 'sub');
    mkdirSync(sub, { recursive: true });
    writeFileSync(join(sub, 'package.json'), JSON.stringify({ main: 'main.js' }));
    writeFileSync(join(sub, 'main.js'), '');
    expect(resolveAppModule('./sub', dir.path)).toBe(join(sub, 'main.js'));
  });
});
