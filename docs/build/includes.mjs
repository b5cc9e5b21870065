/**
 * Whole files shown verbatim in a guide (issue 24): `<!-- file: PATH -->` on a line of its own,
 * PATH relative to the repository, becomes a fenced block holding the file's bytes and a note
 * naming it. The deployment recipes (docs/recipes/) are the files the integration tests start
 * the real servers from, the server authors' example (examples/server-author/) the server the
 * conformance suite is run against: what a reader copies is what is tested, never a copy of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** docs/recipes/, relative to the repository. */
export const RECIPES = 'docs/recipes';

const DIRECTIVE = /^<!--\s*file:\s*(\S+)\s*-->$/gm;

/** The fence language for a file, for readers and for copy-paste. */
export function fileLanguage(path) {
  const name = path.split('/').pop();
  if (/^nginx/.test(name)) return 'nginx';
  if (/^lighttpd/.test(name)) return 'lighttpd';
  if (/^apache/.test(name)) return 'apache';
  if (/\.(socket|service)$/.test(name)) return 'ini';
  if (/\.sh$/.test(name)) return 'sh';
  if (/\.[cm]?ts$/.test(name)) return 'ts';
  if (/\.[cm]?js$/.test(name)) return 'js';
  return 'text';
}

/** The paths a guide includes, in order. */
export function includedFiles(markdown) {
  return [...markdown.matchAll(DIRECTIVE)].map((m) => m[1]);
}

/**
 * Expands each `<!-- file: PATH -->` into the file's text in a fence (long enough that the
 * file's own backticks cannot close it) and a note. A missing file is an error: a guide must
 * never show a stale or absent recipe.
 * @param {string} markdown
 * @param {string} root the repository
 */
export function expandFileDirectives(markdown, root) {
  return markdown.replace(DIRECTIVE, (_, path) => {
    const file = join(root, path);
    if (!existsSync(file)) throw new Error(`<!-- file: ${path} -->: no such file`);
    const text = readFileSync(file, 'utf8');
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    const fence = '`'.repeat(longest + 1);
    // markdown-it keeps a fence's content up to the closing line, final newline included, so
    // the <code> element holds the file's bytes exactly when the file ends with a newline.
    const body = text.endsWith('\n') ? text : `${text}\n`;
    const note = path.startsWith(`${RECIPES}/`)
      ? 'the file the integration tests start the server with, only ports and paths changed'
      : 'the file the tests run';
    return `${fence}${fileLanguage(path)}\n${body}${fence}\n\n<p class="config-source"><code>${path}</code>: ${note}.</p>`;
  });
}
