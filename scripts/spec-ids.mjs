#!/usr/bin/env node
/**
 * Requirement IDs of the TSGI specification: parses the defining list items of spec/*.md,
 * validates them, and writes or checks spec/requirements.json.
 *
 *   node scripts/spec-ids.mjs           validate and print a summary
 *   node scripts/spec-ids.mjs --write   validate, then write spec/requirements.json
 *   node scripts/spec-ids.mjs --check   validate, then exit 1 if spec/requirements.json is stale
 *
 * A defining item is one Markdown list item of the form
 *   - **ENV-05** (MUST) Text of the rule. _Untestable: reason._
 * where the untestable marker is optional (spec/README.md, "Conventions").
 * Plain Node ESM, no dependencies, so it runs before `pnpm install`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Requirement levels, RFC 2119 keywords as used by this spec. */
export const LEVELS = Object.freeze(['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY']);

/** Requirement ID prefixes, in the order of the spec's sections. */
export const PREFIXES = Object.freeze([
  'APP',
  'ENV',
  'IN',
  'ERRS',
  'SR',
  'WR',
  'BODY',
  'MW',
  'ERR',
  'EXT',
  'SRV',
  'ADP-NODE',
  'ADP-FCGI',
  'ADP-CGI',
  'ADP-SCGI',
  'ADP-FETCH',
  'WS',
]);

/** The shape every requirement ID must have. */
export const ID_PATTERN = /^[A-Z]+(-[A-Z]+)?-\d{2}$/;

/** What a mention of a requirement ID looks like in running text. */
export const REFERENCE_PATTERN = /\b[A-Z]+(?:-[A-Z]+)?-\d{2}\b/g;

const SPEC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'spec');
const JSON_NAME = 'requirements.json';

// Loose on purpose: a malformed ID or level is reported by validate(), not silently skipped.
const ITEM_START = /^- \*\*([A-Z][A-Z0-9-]*-\d+)\*\* \(([^)]*)\)\s*(.*)$/;
const UNTESTABLE = /\s*_Untestable:\s*(.*)_\s*$/;
const HEADING = /^#{1,2}\s+(.+?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)/;
const KEYWORDS = /\b(MUST NOT|MUST|SHOULD NOT|SHOULD|MAY)\b/g;
const FORBIDDEN_KEYWORDS = /\b(SHALL|REQUIRED|RECOMMENDED|OPTIONAL)\b/;
const STRENGTH = { MUST: 3, 'MUST NOT': 3, SHOULD: 2, 'SHOULD NOT': 2, MAY: 1 };
const ABBREVIATION = /\b(e\.g|i\.e|vs|cf)\.$/;
const TITLE_MAX = 120;

/** The spec's Markdown files (relative names), in document order. */
export function listSpecFiles(specDir = SPEC_DIR) {
  return fs
    .readdirSync(specDir)
    .filter((name) => name.endsWith('.md'))
    .sort();
}

function stripMarkdown(text) {
  return text
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

function firstSentence(text) {
  const plain = stripMarkdown(text);
  let sentence = plain;
  for (const match of plain.matchAll(/[.!?](?=\s|$)/g)) {
    const candidate = plain.slice(0, match.index + 1);
    if (ABBREVIATION.test(candidate)) continue;
    sentence = candidate;
    break;
  }
  if (sentence.length <= TITLE_MAX) return sentence;
  const cut = sentence.slice(0, TITLE_MAX - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > 60 ? cut.slice(0, space) : cut).replace(/[\s,;:]+$/, '')}…`;
}

/**
 * Parses every defining item of spec/*.md, in document order (file name, then line).
 * @param {string} [specDir] the spec directory; defaults to this repository's spec/.
 * @returns {Array<{id: string, level: string, section: string, file: string, anchor: string,
 *   title: string, untestable: boolean, untestableReason?: string, text: string, line: number}>}
 *   `text` (the full rule) and `line` are for diagnostics; renderJson() leaves them out.
 */
export function parseSpec(specDir = SPEC_DIR) {
  const out = [];
  for (const file of listSpecFiles(specDir)) {
    const lines = fs.readFileSync(path.join(specDir, file), 'utf8').split(/\r?\n/);
    let section = '';
    let inFence = false;
    let current = null;
    const finish = () => {
      if (current) out.push(buildRequirement(current));
      current = null;
    };
    for (const [index, line] of lines.entries()) {
      if (FENCE.test(line)) {
        finish();
        inFence = !inFence;
        continue;
      }
      if (inFence) continue;
      const heading = HEADING.exec(line);
      if (heading && !section) section = stripMarkdown(heading[1]);
      const item = ITEM_START.exec(line);
      if (item) {
        finish();
        current = { id: item[1], level: item[2], parts: [item[3]], section, file, line: index + 1 };
      } else if (current && /^\s+\S/.test(line) && !/^\s*[-*+] /.test(line)) {
        current.parts.push(line.trim());
      } else {
        finish();
      }
    }
    finish();
  }
  return out;
}

function buildRequirement({ id, level, parts, section, file, line }) {
  let text = parts.join(' ').trim();
  let untestableReason;
  const marker = UNTESTABLE.exec(text);
  if (marker) {
    untestableReason = marker[1].trim();
    text = text.slice(0, marker.index).trim();
  }
  const req = {
    id,
    level,
    section,
    file,
    anchor: id.toLowerCase(),
    title: firstSentence(text),
    untestable: marker !== null,
  };
  if (marker) req.untestableReason = untestableReason;
  Object.defineProperty(req, 'text', { value: text, enumerable: false });
  Object.defineProperty(req, 'line', { value: line, enumerable: false });
  return req;
}

/** Every mention of a requirement ID with a known prefix, with where it occurs. */
export function findReferences(specDir = SPEC_DIR) {
  const refs = [];
  for (const file of listSpecFiles(specDir)) {
    const lines = fs.readFileSync(path.join(specDir, file), 'utf8').split(/\r?\n/);
    for (const [index, line] of lines.entries()) {
      for (const match of line.matchAll(REFERENCE_PATTERN)) {
        const id = match[0];
        if (PREFIXES.includes(id.replace(/-\d{2}$/, ''))) refs.push({ id, file, line: index + 1 });
      }
    }
  }
  return refs;
}

/**
 * Checks the parsed requirements; returns a list of human-readable problems (empty when valid).
 * @param {ReturnType<typeof parseSpec>} reqs
 * @param {ReturnType<typeof findReferences>} [refs]
 */
export function validate(reqs, refs = []) {
  const problems = [];
  const where = (r) => `${r.file}:${r.line ?? '?'} ${r.id}`;
  const seen = new Map();
  const numbers = new Map();
  for (const r of reqs) {
    if (!ID_PATTERN.test(r.id)) problems.push(`${where(r)}: malformed ID (want ${ID_PATTERN})`);
    const prefix = r.id.replace(/-\d+$/, '');
    if (!PREFIXES.includes(prefix)) problems.push(`${where(r)}: unknown prefix ${prefix}`);
    if (!LEVELS.includes(r.level)) problems.push(`${where(r)}: unknown level "${r.level}"`);
    if (seen.has(r.id)) problems.push(`${where(r)}: duplicate of ${seen.get(r.id)}`);
    else seen.set(r.id, `${r.file}:${r.line ?? '?'}`);
    if (!numbers.has(prefix)) numbers.set(prefix, []);
    numbers.get(prefix).push(Number.parseInt(r.id.slice(prefix.length + 1), 10));
    if (!r.section) problems.push(`${where(r)}: file has no H1/H2 heading before the item`);
    const text = r.text ?? r.title;
    if (!text) problems.push(`${where(r)}: empty rule text`);
    if (FORBIDDEN_KEYWORDS.test(text)) {
      problems.push(`${where(r)}: use only MUST, MUST NOT, SHOULD, SHOULD NOT and MAY`);
    }
    const found = [...text.matchAll(KEYWORDS)].map((m) => m[1]);
    if (LEVELS.includes(r.level) && r.text !== undefined) {
      if (!found.includes(r.level)) {
        problems.push(`${where(r)}: level ${r.level} does not occur in the rule text`);
      }
      const strongest = Math.max(0, ...found.map((k) => STRENGTH[k]));
      if (STRENGTH[r.level] < strongest) {
        problems.push(`${where(r)}: level ${r.level} is weaker than a keyword in the rule text`);
      }
    }
    if (r.untestable && !r.untestableReason)
      problems.push(`${where(r)}: untestable without reason`);
  }
  for (const [prefix, nums] of numbers) {
    const sorted = [...nums].sort((a, b) => a - b);
    for (const [i, n] of sorted.entries()) {
      if (n !== i + 1)
        problems.push(`${prefix}: numbering has a gap or repeat near ${prefix}-${n}`);
    }
  }
  for (const ref of refs) {
    if (!seen.has(ref.id))
      problems.push(`${ref.file}:${ref.line}: ${ref.id} is referenced but not defined`);
  }
  return [...new Set(problems)];
}

/** The specification version these files state (spec/00-overview.md, "Versioning"). */
export const SPEC_VERSION = '1.1';

/**
 * The redirect table of spec/17-changelog.md ("### Redirects"): each first-edition ID that was
 * split, and the IDs that now hold its parts. Rows are `| OLD | NEW, NEW |`.
 * @returns {Array<{from: string, to: string[]}>}
 */
export function parseRedirects(specDir = SPEC_DIR) {
  const file = path.join(specDir, '17-changelog.md');
  if (!fs.existsSync(file)) return [];
  const text = fs.readFileSync(file, 'utf8');
  const start = text.indexOf('### Redirects');
  if (start < 0) return [];
  const redirects = [];
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !ID_PATTERN.test(cells[1])) continue;
    redirects.push({ from: cells[1], to: cells[2].split(/,\s*/) });
  }
  return redirects;
}

/** Problems with the redirects: every ID on either side must be defined. */
export function validateRedirects(redirects, reqs) {
  const ids = new Set(reqs.map((r) => r.id));
  const problems = [];
  for (const r of redirects) {
    for (const id of [r.from, ...r.to]) {
      if (!ids.has(id)) problems.push(`17-changelog.md redirects: ${id} is not defined`);
    }
    if (!r.to.includes(r.from))
      problems.push(`17-changelog.md redirects: ${r.from} must keep a part`);
  }
  return problems;
}

/** The committed JSON form: pretty, 2-space indent, trailing newline, document order. */
export function renderJson(reqs, redirects = []) {
  const requirements = reqs.map((r) => {
    const entry = {
      id: r.id,
      level: r.level,
      section: r.section,
      file: r.file,
      anchor: r.anchor,
      title: r.title,
      untestable: r.untestable,
    };
    if (r.untestable) entry.untestableReason = r.untestableReason;
    return entry;
  });
  return `${JSON.stringify({ version: SPEC_VERSION, requirements, redirects }, null, 2)}\n`;
}

function summary(reqs) {
  const counts = new Map();
  for (const r of reqs) {
    const prefix = r.id.replace(/-\d+$/, '');
    counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
  }
  const parts = PREFIXES.filter((p) => counts.has(p)).map((p) => `${p} ${counts.get(p)}`);
  return `${reqs.length} requirements (${parts.join(', ')})`;
}

function main(argv) {
  const write = argv.includes('--write');
  const check = argv.includes('--check');
  const reqs = parseSpec(SPEC_DIR);
  const redirects = parseRedirects(SPEC_DIR);
  const problems = [
    ...validate(reqs, findReferences(SPEC_DIR)),
    ...validateRedirects(redirects, reqs),
  ];
  if (problems.length > 0) {
    process.stderr.write(`spec-ids: ${problems.length} problem(s):\n  ${problems.join('\n  ')}\n`);
    return 1;
  }
  const json = renderJson(reqs, redirects);
  const target = path.join(SPEC_DIR, JSON_NAME);
  if (write) {
    fs.writeFileSync(target, json);
    process.stdout.write(`spec-ids: wrote spec/${JSON_NAME}: ${summary(reqs)}\n`);
    return 0;
  }
  if (check) {
    const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : '';
    if (current !== json) {
      process.stderr.write(
        `spec-ids: spec/${JSON_NAME} is out of date with spec/*.md; run \`node scripts/spec-ids.mjs --write\`\n`,
      );
      return 1;
    }
    process.stdout.write(`spec-ids: spec/${JSON_NAME} is up to date: ${summary(reqs)}\n`);
    return 0;
  }
  process.stdout.write(`spec-ids: ${summary(reqs)}\n`);
  return 0;
}

function invokedDirectly() {
  if (!process.argv[1]) return false;
  try {
    return fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (invokedDirectly()) process.exitCode = main(process.argv.slice(2));
