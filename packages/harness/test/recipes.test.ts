/**
 * The recipe renderer and its check (issue 24): a rendered copy that differs from the published
 * recipe anywhere but in the mapped values is reported, a mapping the recipe lacks is refused,
 * and every recipe of docs/recipes/ is started by some test, so none is shown untested.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  readRecipe,
  recipeDifferences,
  recipeNames,
  renderRecipe,
  tempDir,
  writeRecipe,
} from '@tsgi/harness';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const NGINX = 'nginx-fastcgi-tcp.conf';
const values = { 'listen 80;': 'listen 127.0.0.1:4321;', '127.0.0.1:9000': '127.0.0.1:5555' };

describe('recipes', () => {
  const dir = tempDir('tsgi-recipes-');
  afterAll(() => dir.remove());

  it('renders only the mapped values, every occurrence, and reports no difference', () => {
    const text = renderRecipe(NGINX, values);
    expect(text).toContain('listen 127.0.0.1:4321;');
    expect(text).toContain('fastcgi_pass 127.0.0.1:5555;');
    expect(text).not.toContain('127.0.0.1:9000');
    expect(text.replaceAll('127.0.0.1:5555', '127.0.0.1:9000')).toBe(
      readRecipe(NGINX).replace('listen 80;', 'listen 127.0.0.1:4321;'),
    );
    expect(recipeDifferences(writeRecipe(dir.path, NGINX, values))).toEqual([]);
  });

  it('reports an edit outside the mapped values, and an added line', () => {
    const rendered = writeRecipe(dir.path, NGINX, values);
    const text = readFileSync(rendered.path, 'utf8');
    writeFileSync(
      rendered.path,
      text.replace('client_max_body_size 10m;', 'client_max_body_size 1m;'),
    );
    expect(recipeDifferences(rendered)).toEqual([
      expect.stringMatching(/^line \d+: ".*client_max_body_size 1m;"$/),
    ]);
    writeFileSync(rendered.path, `${text}fastcgi_buffering off;\n`);
    expect(recipeDifferences(rendered)).toContainEqual(expect.stringMatching(/lines, rendered/));
  });

  it('refuses a mapping the recipe does not contain (the recipe changed under the test)', () => {
    expect(() => renderRecipe(NGINX, { '127.0.0.1:9999': 'x' })).toThrow(/has no "127.0.0.1:9999"/);
  });

  it('each recipe is started by a test (named in a test file or the harness)', () => {
    const sources: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.name === 'node_modules' || e.name === 'dist') continue;
        if (e.isDirectory()) walk(join(d, e.name));
        else if (/\.ts$/.test(e.name) && !e.name.startsWith('recipes.'))
          sources.push(readFileSync(join(d, e.name), 'utf8'));
      }
    };
    for (const d of readdirSync(join(ROOT, 'packages'))) {
      for (const sub of ['test', 'src'])
        if (existsSync(join(ROOT, 'packages', d, sub))) walk(join(ROOT, 'packages', d, sub));
    }
    const unit = (n: string): string => n.replace(/\.(socket|service)$/, '');
    const unused = recipeNames().filter(
      (n) => !sources.some((s) => s.includes(`'${n}'`) || s.includes(`'${unit(n)}'`)),
    );
    expect(unused).toEqual([]);
  });
});
