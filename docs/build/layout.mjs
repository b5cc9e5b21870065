/**
 * The page shell shared by every page of the site, typedoc's included: one header with the
 * top-level sections and the search box, so every section is one click from every page.
 * Links are relative (no leading `/`) so the site works from any folder and from file://.
 */
import { posix } from 'node:path';

/** Top-level sections: [label, site path, one line for the home page]. Every page links to each. */
export const SECTIONS = [
  ['Specification', 'spec/index.html', 'The normative TSGI 1.1 text, one anchor per rule.'],
  ['Requirements', 'spec/requirements.html', 'Every rule ID in one table, with its coverage.'],
  ['Guides', 'guides/index.html', 'For framework authors, server authors and deployers.'],
  ['Conformance', 'reports/conformance.html', 'Each server against each rule, from the suite.'],
  ['Frameworks', 'reports/frameworks.html', 'Each example framework on each server.'],
  ['Benchmarks', 'reports/benchmarks.html', 'The latest benchmark run.'],
  ['API', 'api/index.html', 'The packages, generated from their TSDoc.'],
];

export function escapeHtml(text) {
  return String(text)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;');
}

/** The relative prefix from a page (`spec/02-environ.html`) back to the site root (`../`). */
export function rootPrefix(pagePath) {
  const depth = pagePath.split('/').length - 1;
  return depth === 0 ? '' : '../'.repeat(depth);
}

/** A link from one site page to another site path (both relative to the site root). */
export function relativeLink(fromPage, toPath) {
  const [path, hash] = toPath.split('#');
  let rel = posix.relative(posix.dirname(fromPage), path);
  if (rel === '') rel = posix.basename(path);
  return hash === undefined ? rel : `${rel}#${hash}`;
}

/** The header: brand, section links (the current one marked), search box and its scripts. */
export function siteHeader(pagePath) {
  const p = rootPrefix(pagePath);
  const links = SECTIONS.map(([label, path]) => {
    // A section's index link stays marked on its inner pages (spec/02-environ.html, api/…).
    const inSection =
      path.endsWith('/index.html') &&
      pagePath.startsWith(path.split('/')[0] + '/') &&
      !SECTIONS.some(([, q]) => q === pagePath);
    const current = path === pagePath || inSection;
    return `<a href="${p}${path}"${current ? ' aria-current="page"' : ''}>${label}</a>`;
  }).join('');
  return `<header class="tsgi-bar">
<a class="tsgi-brand" href="${p}index.html">TSGI</a>
<nav class="tsgi-nav" aria-label="Sections">${links}</nav>
<div class="tsgi-search" role="search">
<input type="search" id="tsgi-q" placeholder="Search IDs, environ keys, API…" aria-label="Search the site" autocomplete="off">
<ol id="tsgi-results" hidden></ol>
</div>
</header>
<script src="${p}assets/search-index.js" defer></script>
<script src="${p}assets/search.js" defer></script>`;
}

/**
 * A complete page of our own (not typedoc's).
 * @param {{path: string, title: string, body: string, sidebar?: string}} page
 */
export function renderPage({ path, title, body, sidebar }) {
  const p = rootPrefix(path);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · TSGI</title>
<link rel="stylesheet" href="${p}assets/bar.css">
<link rel="stylesheet" href="${p}assets/style.css">
</head>
<body class="tsgi">
${siteHeader(path)}
<div class="tsgi-layout">
${sidebar ? _side(sidebar) : ''}
<main id="content">
${body}
</main>
</div>
<footer class="tsgi-footer">TSGI 1.1 · built from the repository by <code>pnpm docs:build</code></footer>
</body>
</html>
`;
}

/**
 * The sidebar in a disclosure: open beside the text on a wide screen (the summary is hidden),
 * closed above it on a phone, so the page starts with its content and the whole list is one tap
 * away, not a cut-off inner scroll (issue 24).
 */
function _side(html) {
  return `<aside class="tsgi-side"><details class="tsgi-side-toggle" open><summary>Contents</summary>${html}</details></aside>
<script>if (matchMedia('(max-width: 50rem)').matches) document.querySelector('.tsgi-side-toggle').open = false;</script>`;
}

/**
 * A sidebar: the section's pages (current one marked) and this page's table of contents.
 * @param {string} pagePath
 * @param {string} heading
 * @param {Array<[string, string]>} pages [label, site path]
 * @param {Array<{level: number, id: string, text: string}>} [toc]
 */
export function sidebar(pagePath, heading, pages, toc = []) {
  const items = pages
    .map(([label, path]) => {
      const cur = path === pagePath ? ' aria-current="page"' : '';
      return `<li><a href="${relativeLink(pagePath, path)}"${cur}>${escapeHtml(label)}</a></li>`;
    })
    .join('\n');
  const tocItems = toc
    .filter((h) => h.level === 2)
    .map((h) => `<li><a href="#${h.id}">${escapeHtml(h.text)}</a></li>`)
    .join('\n');
  return `<nav aria-label="${escapeHtml(heading)}"><h2>${escapeHtml(heading)}</h2><ul>${items}</ul></nav>${
    tocItems ? `<nav aria-label="On this page"><h2>On this page</h2><ul>${tocItems}</ul></nav>` : ''
  }`;
}
