import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

interface Requirement {
  id: string;
  level: string;
  section: string;
  file: string;
  anchor: string;
  title: string;
  untestable: boolean;
  untestableReason?: string;
}

interface Reference {
  id: string;
  file: string;
  line: number;
}

interface Redirect {
  from: string;
  to: string[];
}

interface SpecIds {
  LEVELS: readonly string[];
  PREFIXES: readonly string[];
  ID_PATTERN: RegExp;
  parseSpec(specDir: string): Requirement[];
  renderJson(reqs: Requirement[], redirects?: Redirect[]): string;
  parseRedirects(specDir: string): Redirect[];
  validateRedirects(redirects: Redirect[], reqs: Requirement[]): string[];
  findReferences(specDir: string): Reference[];
  listSpecFiles(specDir: string): string[];
  validate(reqs: Requirement[], refs?: Reference[]): string[];
}

const specDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// A relative URL, imported dynamically so the type checker does not look for a declaration file.
const scriptUrl = new URL('../../scripts/spec-ids.mjs', import.meta.url).href;
const specIds = (await import(scriptUrl)) as SpecIds;

const reqs = specIds.parseSpec(specDir);
const ids = reqs.map((r) => r.id);
const redirects = specIds.parseRedirects(specDir);

describe('spec/requirements.json', () => {
  it('equals a fresh parse of spec/*.md (run `node scripts/spec-ids.mjs --write`)', () => {
    const committed = readFileSync(join(specDir, 'requirements.json'), 'utf8');
    expect(committed).toBe(specIds.renderJson(reqs, redirects));
  });

  it('has version 1.1 and the requirements in document order', () => {
    const committed = JSON.parse(readFileSync(join(specDir, 'requirements.json'), 'utf8')) as {
      version: string;
      requirements: Requirement[];
    };
    expect(committed.version).toBe('1.1');
    expect(committed.requirements.map((r) => r.id)).toEqual(ids);
  });
});

describe('redirects (17-changelog.md)', () => {
  it('maps every split first-edition ID to defined IDs that include it', () => {
    expect(redirects.map((r) => r.from)).toEqual(
      expect.arrayContaining(['APP-05', 'ENV-24', 'IN-12', 'BODY-13', 'SRV-02']),
    );
    expect(specIds.validateRedirects(redirects, reqs)).toEqual([]);
  });

  it('reports a redirect to an undefined ID', () => {
    expect(specIds.validateRedirects([{ from: 'APP-05', to: ['APP-05', 'APP-99'] }], reqs)).toEqual(
      ['17-changelog.md redirects: APP-99 is not defined'],
    );
  });
});

describe('requirement IDs', () => {
  it('defines at least 80 requirements', () => {
    expect(reqs.length).toBeGreaterThanOrEqual(80);
  });

  it('gives every requirement a well-formed ID with a known prefix and a valid level', () => {
    for (const r of reqs) {
      expect(r.id, r.id).toMatch(/^[A-Z]+(-[A-Z]+)?-\d{2}$/);
      expect(specIds.PREFIXES, r.id).toContain(r.id.replace(/-\d{2}$/, ''));
      expect(['MUST', 'MUST NOT', 'SHOULD', 'SHOULD NOT', 'MAY'], r.id).toContain(r.level);
      expect(r.anchor).toBe(r.id.toLowerCase());
      expect(r.title.length, r.id).toBeGreaterThan(0);
      expect(r.title.length, r.id).toBeLessThanOrEqual(120);
      expect(r.section, r.id).not.toBe('');
      if (r.untestable) expect(r.untestableReason, r.id).toBeTruthy();
      else expect(r.untestableReason, r.id).toBeUndefined();
    }
  });

  it('has no duplicate IDs', () => {
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
    expect(duplicates).toEqual([]);
  });

  it('defines every ID that spec/*.md references', () => {
    const defined = new Set(ids);
    const pattern = /\b[A-Z]+(-[A-Z]+)?-\d{2}\b/g;
    const undefinedRefs: string[] = [];
    for (const file of specIds.listSpecFiles(specDir)) {
      const text = readFileSync(join(specDir, file), 'utf8');
      for (const match of text.matchAll(pattern)) {
        const id = match[0];
        const prefix = id.replace(/-\d{2}$/, '');
        if (specIds.PREFIXES.includes(prefix) && !defined.has(id))
          undefinedRefs.push(`${file}: ${id}`);
      }
    }
    expect(undefinedRefs).toEqual([]);
  });

  it('passes every check of scripts/spec-ids.mjs (levels match keywords, numbering has no gaps)', () => {
    expect(specIds.validate(reqs, specIds.findReferences(specDir))).toEqual([]);
  });

  it('keeps the base IDs that code and tests already cite', () => {
    const base: Array<[string, number]> = [
      ['APP', 8],
      ['ENV', 26],
      ['IN', 9],
      ['ERRS', 2],
      ['SR', 12],
      ['WR', 3],
      ['BODY', 14],
      ['MW', 8],
      ['ERR', 5],
      ['EXT', 6],
      ['SRV', 4],
      ['ADP-NODE', 6],
      ['ADP-FCGI', 4],
      ['ADP-CGI', 3],
    ];
    const defined = new Set(ids);
    for (const [prefix, count] of base) {
      for (let n = 1; n <= count; n++) {
        const id = `${prefix}-${String(n).padStart(2, '0')}`;
        expect(defined.has(id), id).toBe(true);
      }
    }
  });
});
