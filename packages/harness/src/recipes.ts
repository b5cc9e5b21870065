/**
 * The deployment recipes of docs/recipes/ (issue 24): whole files a deployer copies, shown
 * verbatim on the docs site, and the very files the integration tests start the real servers
 * with. A recipe holds real values (`127.0.0.1:9000`, `/srv/tsgi/app.mjs`, `listen 80;`);
 * `renderRecipe` is the one place a test machine's values replace them (a free port, a temp
 * dir, the fixture app), and `recipeDifferences` proves nothing else was changed.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** docs/recipes/, from src/ or dist/ alike (both sit two levels below the repository). */
export const RECIPES_DIR = fileURLToPath(new URL('../../../docs/recipes/', import.meta.url));

/**
 * What to replace in a recipe: each key is a literal of the recipe (`'127.0.0.1:9000'`), each
 * value what the test machine uses instead (`'127.0.0.1:41234'`). Keys are replaced longest
 * first, every occurrence, comments included, so a comment never names a stale value.
 */
export type RecipeValues = Readonly<Record<string, string>>;

/** A recipe as a test used it: where the rendered copy is and what was mapped. */
export interface RenderedRecipe {
  /** The recipe's file name in docs/recipes/. */
  readonly name: string;
  /** The rendered copy the server read. */
  readonly path: string;
  readonly values: RecipeValues;
}

/** The names of every recipe file, sorted. */
export function recipeNames(): string[] {
  return readdirSync(RECIPES_DIR)
    .filter((f) => !f.startsWith('.') && f !== 'README.md')
    .sort();
}

/** A recipe's text, as the site shows it. */
export function readRecipe(name: string): string {
  return readFileSync(join(RECIPES_DIR, name), 'utf8');
}

/**
 * The recipe with the test machine's values in place of its own. Throws when a key does not
 * occur in the recipe: a mapping that matches nothing means the recipe changed under the test,
 * which would otherwise run with the recipe's real value (a port nobody listens on).
 */
export function renderRecipe(name: string, values: RecipeValues): string {
  let text = readRecipe(name);
  const keys = Object.keys(values).sort((a, b) => b.length - a.length);
  // Placeholders first, then the values, so one value's replacement is never replaced again.
  const marks = keys.map((_, i) => `\u0000${i}\u0000`);
  for (const [i, key] of keys.entries()) {
    if (!text.includes(key)) throw new Error(`recipe ${name} has no "${key}" to replace`);
    text = text.split(key).join(marks[i]!);
  }
  for (const [i, key] of keys.entries()) text = text.split(marks[i]!).join(values[key]!);
  return text;
}

/** Renders a recipe into `dir` (same file name) and returns what the test needs to check it. */
export function writeRecipe(dir: string, name: string, values: RecipeValues): RenderedRecipe {
  const path = join(dir, name);
  writeFileSync(path, renderRecipe(name, values), { mode: 0o644 });
  return { name, path, values };
}

/**
 * The lines where the rendered copy differs from the recipe other than by the mapped values:
 * `[]` when the server ran the recipe as published. Line by line, so an added or dropped line
 * shows too; read from the copy on disk, so it checks what the server read.
 */
export function recipeDifferences(rendered: RenderedRecipe): string[] {
  const want = readRecipe(rendered.name).split('\n');
  const got = readFileSync(rendered.path, 'utf8').split('\n');
  const out: string[] = [];
  if (want.length !== got.length) out.push(`${want.length} lines, rendered ${got.length}`);
  const keys = Object.keys(rendered.values);
  for (let i = 0; i < Math.min(want.length, got.length); i++) {
    const [w, g] = [want[i]!, got[i]!];
    if (w === g) continue;
    // The line may differ only where a key of the recipe line became its value.
    const pattern = _escape(w, keys, rendered.values);
    if (!new RegExp(`^${pattern}$`).test(g)) out.push(`line ${i + 1}: ${JSON.stringify(g)}`);
  }
  return out;
}

/** A regular expression for `line` with each key standing for the key or its mapped value. */
function _escape(line: string, keys: readonly string[], values: RecipeValues): string {
  const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const sorted = [...keys].sort((a, b) => b.length - a.length);
  let out = '';
  let rest = line;
  while (rest !== '') {
    const key = sorted.find((k) => rest.startsWith(k));
    if (key !== undefined) {
      out += `(?:${esc(values[key]!)})`;
      rest = rest.slice(key.length);
    } else {
      out += esc(rest[0]!);
      rest = rest.slice(1);
    }
  }
  return out;
}
