/**
 * The deploy configs in the guides are the ones the integration tests run: the test harness
 * (packages/harness/src/*.ts) and the tests that start real servers mark each template with
 *
 *     // docs:begin nginx          (or `# docs:begin nginx` inside a config template string)
 *     …the config…
 *     // docs:end nginx
 *
 * and the docs build embeds the lines between the markers, so the guide cannot drift from what
 * is tested. `${…}` placeholders in a template are shown as they are written: they name what
 * the deployer fills in (port, socket path, document root).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const BEGIN = /^\s*(?:\/\/|#|;)\s*docs:begin\s+([\w.-]+)\s*$/;
const END = /^\s*(?:\/\/|#|;)\s*docs:end(?:\s+([\w.-]+))?\s*$/;

/**
 * @typedef {{name: string, file: string, line: number, text: string}} ConfigRegion
 */

/** Every `docs:begin NAME` … `docs:end` region in the text of one file. */
export function extractRegions(source, file = '') {
  /** @type {ConfigRegion[]} */
  const out = [];
  let open = null;
  const lines = source.split(/\r?\n/);
  for (const [i, line] of lines.entries()) {
    const b = BEGIN.exec(line);
    if (b) {
      if (open) throw new Error(`${file}:${i + 1}: docs:begin ${b[1]} inside region ${open.name}`);
      open = { name: b[1], line: i + 2, body: [] };
      continue;
    }
    const e = END.exec(line);
    if (e && open) {
      if (e[1] !== undefined && e[1] !== open.name) {
        throw new Error(`${file}:${i + 1}: docs:end ${e[1]} closes region ${open.name}`);
      }
      out.push({ name: open.name, file, line: open.line, text: dedent(open.body.join('\n')) });
      open = null;
      continue;
    }
    if (open) open.body.push(line);
  }
  if (open) throw new Error(`${file}: docs:begin ${open.name} has no docs:end`);
  return out;
}

/** Removes the indentation common to every non-blank line. */
export function dedent(text) {
  const lines = text.split('\n');
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)[0].length);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines
    .map((l) => l.slice(cut))
    .join('\n')
    .replace(/^\n+|\s+$/g, '');
}

/**
 * All regions in the given files (relative to `root`), by name. A name defined twice is an
 * error: the guide could not tell which one the tests run.
 */
export function loadRegions(files, root) {
  /** @type {Map<string, ConfigRegion>} */
  const byName = new Map();
  for (const file of files) {
    for (const r of extractRegions(readFileSync(join(root, file), 'utf8'), file)) {
      const prev = byName.get(r.name);
      if (prev) throw new Error(`docs region ${r.name} defined twice: ${prev.file}, ${r.file}`);
      byName.set(r.name, r);
    }
  }
  return byName;
}

/** The fence language for a region name, for readers and for copy-paste. */
function _lang(name) {
  if (/nginx/.test(name)) return 'nginx';
  if (/lighttpd/.test(name)) return 'lighttpd';
  if (/apache|httpd/.test(name)) return 'apache';
  if (/sh$|command|busybox/.test(name)) return 'sh'; // busybox httpd has no config: its command line
  return 'text';
}

/**
 * Expands `<!-- config: NAME -->` lines of a guide into the tested config, or a note saying the
 * harness does not publish it yet (so the page never shows an untested config).
 * @param {string} markdown
 * @param {Map<string, ConfigRegion>} regions
 * @param {(msg: string) => void} warn
 */
export function expandConfigDirectives(markdown, regions, warn) {
  return markdown.replace(/^<!--\s*config:\s*([\w.-]+)\s*-->$/gm, (_, name) => {
    const r = regions.get(name);
    if (!r) {
      warn(`guide asks for config region "${name}", which no test marks yet`);
      return `> **Not published yet.** The tested \`${name}\` configuration will appear here once the integration tests mark it with \`docs:begin ${name}\` (see docs/build/configs.mjs).`;
    }
    const fence = r.text.includes('```') ? '~~~~' : '```';
    return `${fence}${_lang(name)}\n${r.text}\n${fence}\n\n<p class="config-source">From <code>${r.file}</code> line ${r.line}: the configuration the integration tests run.</p>`;
  });
}
