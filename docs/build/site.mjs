/**
 * The site being built: its pages, the source files they come from (to rewrite Markdown links),
 * requirement anchors, API symbol URLs and the search entries. Every page is registered before
 * any is rendered, so a link can be checked against the whole site while rendering.
 */
import { copyFileSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { relativeLink, renderPage } from './layout.mjs';
import { ROOT } from './sources.mjs';

/**
 * @typedef {{t: string, d: string, u: string, k: string, x?: string}} SearchEntry title, detail,
 *   url, kind, and the full text searched after the title and detail (issue 24)
 */

/** Most characters of a section's text the index keeps (the guides' sections are shorter). */
const _SECTION_TEXT = 2000;

export class Site {
  /** @type {Map<string, {path: string, title: string, body: string, sidebar?: string}>} */
  pages = new Map();
  /** absolute source file → site path */
  sources = new Map();
  /** requirement ID → site path#anchor */
  ids = new Map();
  /** API symbol (full name, and short name when unique) → site path */
  api = new Map();
  /** @type {Array<{pkg: string, name: string, kind: string, url: string}>} documented exports */
  symbols = [];
  /** @type {SearchEntry[]} */
  search = [];
  /** @type {Array<[string, string]>} absolute source → site path */
  copies = [];
  warnings = new Set();

  /** Declares that `source` (absolute) becomes the page or file `sitePath`. */
  register(source, sitePath) {
    this.sources.set(resolve(source), sitePath);
  }

  /** Copies a file into the site as-is (and lets Markdown link to it). */
  copy(source, sitePath) {
    this.register(source, sitePath);
    this.copies.push([source, sitePath]);
  }

  /** @param {{path: string, title: string, body: string, sidebar?: string, toc?: Array<{level: number, id: string, text: string}>}} page */
  addPage(page) {
    this.pages.set(page.path, page);
    // Full text for prose pages (spec, guides, home); report pages are tables of outcomes.
    const text = page.path.startsWith('reports/') ? new Map() : _sectionTexts(page.body);
    this.search.push({ t: page.title, d: 'page', u: page.path, k: 'page', x: text.get('') });
    for (const h of page.toc ?? []) {
      if (h.level < 2 || h.level > 3) continue;
      const x = text.get(h.id);
      this.search.push({ t: h.text, d: page.title, u: `${page.path}#${h.id}`, k: 'section', x });
    }
  }

  /** Requirement ID → link to its rule from `page` (same page: just the fragment). */
  idLinks(page) {
    const out = new Map();
    for (const [id, target] of this.ids) out.set(id, relativeLink(page, target));
    return out;
  }

  warn(message) {
    this.warnings.add(message);
  }

  /**
   * A Markdown href as written in `sourceFile` → the href to emit on `pagePath`, or null when
   * the target is not part of the site (its text is kept, unlinked, and a warning printed).
   * `api:NAME` links to the API reference page of symbol NAME; `site:PATH` to a generated page
   * (the browser test checks that it exists).
   */
  resolveLink(href, sourceFile, pagePath) {
    if (href === '' || href.startsWith('#')) return href;
    const where = relative(ROOT, sourceFile);
    if (href.startsWith('api:')) {
      const target = this.api.get(href.slice(4));
      if (target === undefined) this.warn(`${where}: ${href} is not in the API reference`);
      return target === undefined ? null : relativeLink(pagePath, target);
    }
    // site:PATH names a generated page that has no Markdown source (spec/requirements.html).
    if (href.startsWith('site:')) return relativeLink(pagePath, href.slice(5));
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) return href; // https:, mailto: …
    const [path, hash] = href.split('#');
    let abs = resolve(dirname(sourceFile), decodeURIComponent(path ?? ''));
    if (existsSync(abs) && statSync(abs).isDirectory()) {
      abs =
        ['README.md', 'index.md'].map((f) => join(abs, f)).find((f) => this.sources.has(f)) ?? abs;
    }
    const target = this.sources.get(abs);
    if (target === undefined) {
      this.warn(`${where}: link to ${href} has no page on the site; shown as plain text`);
      return null;
    }
    return relativeLink(pagePath, hash === undefined ? target : `${target}#${hash}`);
  }

  /** Writes every page and copied file under `outDir`. */
  write(outDir) {
    for (const page of this.pages.values()) _writeFile(join(outDir, page.path), renderPage(page));
    for (const [source, sitePath] of this.copies) {
      mkdirSync(dirname(join(outDir, sitePath)), { recursive: true });
      copyFileSync(source, join(outDir, sitePath));
    }
  }
}

function _writeFile(file, text) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/**
 * The plain text under each h2/h3 of a page's HTML, by the heading's id ('' for the text before
 * the first heading), for the full-text search.
 */
function _sectionTexts(html) {
  const out = new Map();
  const parts = html.split(/<h[23][^>]*\sid="([^"]+)"[^>]*>/);
  for (let i = 0; i < parts.length; i += 2) {
    const id = i === 0 ? '' : parts[i - 1];
    const text = parts[i]
      .replace(/<(script|style|svg)[\s\S]*?<\/\1>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&amp;/g, '&')
      .replace(/\s+/g, ' ')
      .trim();
    if (text) out.set(id, (out.get(id) ? `${out.get(id)} ` : '') + text.slice(0, _SECTION_TEXT));
  }
  return out;
}
