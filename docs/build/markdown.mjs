/**
 * Markdown → HTML for the spec and the guides (markdown-it), with the few things a spec site
 * needs on top: an id on every heading, an id per requirement item (`#env-05`, issue 10), links
 * from every mention of a requirement ID to its definition, and `.md` links rewritten to the
 * generated pages. Everything is done on markdown-it's token stream, never on the HTML text.
 */
import MarkdownIt from 'markdown-it';

/** A defining item starts `**ENV-05** (MUST)`, exactly as scripts/spec-ids.mjs parses it. */
const REQ_ITEM = /^\*\*([A-Z]+(?:-[A-Z]+)?-\d{2})\*\* \(([^)]*)\)\s*/;
/** A mention of a requirement ID in running text. */
const REQ_MENTION = /\b[A-Z]+(?:-[A-Z]+)?-\d{2}\b/g;
const HAS_MENTION = /\b[A-Z]+(?:-[A-Z]+)?-\d{2}\b/; // not global: .test() must not keep state

/** The first `# heading` of a Markdown file, for page titles and sidebars. */
export function markdownTitle(source, fallback) {
  const m = /^#\s+(.+)$/m.exec(source);
  return m ? m[1].replace(/`/g, '').trim() : fallback;
}

/** GitHub-style slug: lowercase, punctuation dropped, spaces to hyphens. */
export function slugify(text) {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .trim()
    .replace(/\s+/g, '-');
}

/**
 * Renders Markdown for one page.
 * @param {string} source
 * @param {{
 *   ids: Map<string, string>,
 *   resolveLink: (href: string) => string | null,
 *   coverage?: (id: string) => string,
 * }} ctx `ids`: requirement ID → link from this page (`#env-05` or `02-environ.html#env-05`);
 *   `resolveLink`: a Markdown href → the href to emit, or null when the target is not part of
 *   the site (the link is then dropped and its text kept); `coverage`: HTML shown under a rule.
 * @returns {{html: string, toc: Array<{level: number, id: string, text: string}>}}
 */
export function renderMarkdown(source, ctx) {
  const md = new MarkdownIt({ html: true, linkify: false, typographer: false });
  // Our own schemes name symbols and pages, not URLs: mdurl would read `api:@tsgi/core` as
  // user@host and drop the `@`.
  const normalize = md.normalizeLink.bind(md);
  md.normalizeLink = (url) => (/^(api|site):/.test(url) ? url : normalize(url));
  const env = { toc: [] };
  const tokens = md.parse(source, env);
  const used = new Set();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'heading_open') _headingId(t, tokens[i + 1], env.toc, used);
    if (t.type === 'list_item_open') _requirementItem(tokens, i, ctx, used);
    if (t.type === 'inline') _inline(t, ctx, md);
  }
  return { html: md.renderer.render(tokens, md.options, env), toc: env.toc };
}

function _headingId(open, inline, toc, used) {
  const text = inline.children
    .filter((c) => c.type === 'text' || c.type === 'code_inline')
    .map((c) => c.content)
    .join('');
  let id = slugify(text) || 'section';
  for (let n = 1; used.has(id); n++) id = `${slugify(text)}-${n}`;
  used.add(id);
  open.attrSet('id', id);
  toc.push({ level: Number(open.tag.slice(1)), id, text });
}

/** Marks `- **ID** (LEVEL) …` items: id + class on the <li>, a self-link, the coverage note. */
function _requirementItem(tokens, i, ctx, used) {
  const inline = tokens[i + 2];
  if (tokens[i + 1]?.type !== 'paragraph_open' || inline?.type !== 'inline') return;
  const m = REQ_ITEM.exec(inline.content);
  if (!m) return;
  const [, id, level] = m;
  const anchor = id.toLowerCase();
  used.add(anchor);
  const li = tokens[i];
  li.attrSet('id', anchor);
  li.attrSet('class', `req level-${level.toLowerCase().replace(/\s+/g, '-')}`);
  // Replace the bold ID with a self-link and a level badge, so each rule can be linked to.
  const kids = inline.children;
  // markdown-it starts the inline with an empty text token; drop it so the ID comes first.
  while (kids[0]?.type === 'text' && kids[0].content === '') kids.shift();
  if (kids[0]?.type === 'strong_open' && kids[2]?.type === 'strong_close') {
    const head = new inline.children[0].constructor('html_inline', '', 0);
    head.content = `<a class="req-id" href="#${anchor}">${id}</a> <span class="req-level">${level}</span> `;
    const rest = kids[3];
    if (rest?.type === 'text') rest.content = rest.content.replace(/^\s*\([^)]*\)\s*/, '');
    kids.splice(0, 3, head);
  }
  if (!ctx.coverage) return;
  // The note goes just before this item's </li>: find the matching close at the same level.
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    if (tokens[j].type === 'list_item_open') depth++;
    if (tokens[j].type === 'list_item_close' && --depth === 0) {
      const note = new tokens[j].constructor('html_block', '', 0);
      note.content = `<div class="req-coverage">${ctx.coverage(id)}</div>\n`;
      tokens.splice(j, 0, note);
      return;
    }
  }
}

/** Inline pass: rewrite link targets, link requirement-ID mentions to their definitions. */
function _inline(inline, ctx, md) {
  const out = [];
  const open = []; // link_open tokens, to pair each dropped link_open with its link_close
  const Token = inline.children[0]?.constructor;
  for (const tok of inline.children) {
    if (tok.type === 'link_open') {
      const href = ctx.resolveLink(tok.attrGet('href') ?? '');
      open.push(href !== null);
      if (href === null) {
        tok.type = 'html_inline';
        tok.content = '<span class="offsite">';
      } else tok.attrSet('href', href);
      out.push(tok);
      continue;
    }
    if (tok.type === 'link_close') {
      if (open.pop() === false) {
        tok.type = 'html_inline';
        tok.content = '</span>';
      }
      out.push(tok);
      continue;
    }
    if (tok.type !== 'text' || open.length > 0 || !HAS_MENTION.test(tok.content)) {
      out.push(tok);
      continue;
    }
    // Split the text around each known ID mention and link it; unknown IDs stay plain text.
    let last = 0;
    for (const m of tok.content.matchAll(REQ_MENTION)) {
      const href = ctx.ids.get(m[0]);
      if (href === undefined) continue;
      if (m.index > last) out.push(_text(Token, tok.content.slice(last, m.index)));
      const a = new Token('html_inline', '', 0);
      a.content = `<a class="req-ref" href="${md.utils.escapeHtml(href)}">${m[0]}</a>`;
      out.push(a);
      last = m.index + m[0].length;
    }
    if (last < tok.content.length) out.push(_text(Token, tok.content.slice(last)));
  }
  inline.children = out;
}

function _text(Token, content) {
  const t = new Token('text', '', 0);
  t.content = content;
  return t;
}
