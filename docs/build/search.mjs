/**
 * The search index: requirement IDs, environ keys, API symbols, pages and headings, each with its
 * full text where it has one (the rule, the section, the TSDoc summary; issue 24), written as a
 * script (`window.TSGI_SEARCH = […]`) rather than JSON so search also works from file://, where
 * fetch() of a local file is refused. assets/search.js reads it; nothing is loaded from outside.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Kinds in the order results of equal rank are listed. */
const KIND_ORDER = ['requirement', 'environ', 'page', 'section', 'api'];

/**
 * Writes assets/search-index.js (and search-index.json, for tools). Returns the entry count.
 * @param {import('./site.mjs').Site} site
 */
export function writeSearchIndex(site, siteDir) {
  const seen = new Set();
  const rows = [];
  for (const e of site.search) {
    const key = `${e.t}\u0000${e.u}`;
    if (seen.has(key) || !e.u) continue;
    seen.add(key);
    // The full text is a fifth column only where there is one; search.js quotes it in a hit.
    rows.push(e.x ? [e.t, e.d, e.u, e.k, e.x] : [e.t, e.d, e.u, e.k]);
  }
  rows.sort((a, b) => KIND_ORDER.indexOf(a[3]) - KIND_ORDER.indexOf(b[3]));
  const json = JSON.stringify(rows);
  writeFileSync(join(siteDir, 'assets', 'search-index.json'), json);
  writeFileSync(join(siteDir, 'assets', 'search-index.js'), `window.TSGI_SEARCH=${json};\n`);
  return rows.length;
}
