/**
 * The guides (docs/guides/*.md) and the home page (docs/index.md). Two directives keep them
 * true to the code instead of restating it:
 *
 * - `<!-- file: PATH -->`: a whole file, verbatim: a deployment recipe the integration tests
 *   start the servers from, an example the tests run (includes.mjs);
 * - `<!-- api: PACKAGE -->`: the package's documented exports, linked to the API reference.
 *
 * `[text](api:name)` links to a symbol's API page.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandFileDirectives, includedFiles } from './includes.mjs';
import { escapeHtml, relativeLink, SECTIONS, sidebar } from './layout.mjs';
import { markdownTitle, renderMarkdown } from './markdown.mjs';
import { DOCS, ROOT } from './sources.mjs';

const GUIDES = join(DOCS, 'guides');

/** docs/guides/*.md, in name order (the files are numbered to set the order). */
export function guideFiles() {
  return existsSync(GUIDES)
    ? readdirSync(GUIDES)
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];
}

export function guidePagePath(file) {
  return `guides/${file.replace(/^\d+-/, '').replace(/\.md$/, '.html')}`;
}

function _summary(source) {
  const para = source
    .split(/\n\s*\n/)
    .find((p) => p.trim() !== '' && !/^\s*(#|<!--|```|>|[-*] |\|)/.test(p));
  return (para ?? '')
    .replace(/\s+/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
}

/** `<!-- api: @tsgi/node -->` → a list of the package's documented exports. */
function _expandApi(markdown, site) {
  return markdown.replace(/^<!--\s*api:\s*(\S+)\s*-->$/gm, (_, pkg) => {
    const syms = site.symbols.filter((s) => s.pkg === pkg);
    if (syms.length === 0) {
      site.warn(`guide lists the exports of ${pkg}, which has none documented yet`);
      return `> \`${pkg}\` has no documented exports yet; its API reference will list them.`;
    }
    return syms
      .map((s) => `- [\`${s.name}\`](api:${s.pkg}.${s.name}) (${s.kind.toLowerCase()})`)
      .join('\n');
  });
}

/** @param {import('./site.mjs').Site} site */
export function buildGuides(site) {
  const files = guideFiles();
  const sources = new Map(files.map((f) => [f, readFileSync(join(GUIDES, f), 'utf8')]));
  const nav = [
    ['All guides', 'guides/index.html'],
    ...files.map((f) => [markdownTitle(sources.get(f), f), guidePagePath(f)]),
  ];
  for (const file of files) {
    const path = guidePagePath(file);
    let md = expandFileDirectives(sources.get(file), ROOT);
    md = _expandApi(md, site);
    const { html, toc } = renderMarkdown(md, {
      ids: site.idLinks(path),
      resolveLink: (href) => site.resolveLink(href, join(GUIDES, file), path),
    });
    const title = markdownTitle(sources.get(file), file);
    site.addPage({ path, title, body: html, toc, sidebar: sidebar(path, 'Guides', nav, toc) });
  }
  const list = files
    .map((f) => {
      const href = relativeLink('guides/index.html', guidePagePath(f));
      return `<li><a href="${href}">${escapeHtml(markdownTitle(sources.get(f), f))}</a><p>${escapeHtml(_summary(sources.get(f)))}</p></li>`;
    })
    .join('\n');
  site.addPage({
    path: 'guides/index.html',
    title: 'Guides',
    body: `<h1>Guides</h1>\n<ul class="cards">\n${list}\n</ul>`,
    sidebar: sidebar('guides/index.html', 'Guides', nav),
  });
  return { included: files.flatMap((f) => includedFiles(sources.get(f))) };
}

/** The home page: docs/index.md, then a card per section generated from SECTIONS. */
export function buildHome(site) {
  const source = join(DOCS, 'index.md');
  const md = existsSync(source) ? readFileSync(source, 'utf8') : '# TSGI\n';
  const { html } = renderMarkdown(md, {
    ids: site.idLinks('index.html'),
    resolveLink: (href) => site.resolveLink(href, source, 'index.html'),
  });
  const cards = SECTIONS.map(
    ([label, path, blurb]) =>
      `<li><a href="${path}">${escapeHtml(label)}</a><p>${escapeHtml(blurb)}</p></li>`,
  ).join('\n');
  const body = `${html}\n<h2 id="sections">Sections</h2>\n<ul class="cards">\n${cards}\n</ul>`;
  site.addPage({ path: 'index.html', title: 'TSGI', body });
}
