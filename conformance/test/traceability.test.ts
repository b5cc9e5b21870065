/**
 * CONF-06: every MUST and SHOULD of the spec is checked by a server case or the lint, or is
 * listed with the reason it is not; the table is written to conformance/traceability.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LINT_REQUIREMENTS } from '../src/lint/index.js';
import { CASES } from '../src/server/cases/index.js';
import { NOT_CHECKED_HERE, type SpecRequirement, traceability } from '../src/traceability.js';

const root = join(import.meta.dirname, '../..');
const specFile = join(root, 'spec/requirements.json');
const spec = existsSync(specFile)
  ? (JSON.parse(readFileSync(specFile, 'utf8')) as {
      version: string;
      requirements: SpecRequirement[];
    })
  : undefined;

describe.skipIf(spec === undefined)('traceability against spec/requirements.json', () => {
  const reqs = spec?.requirements ?? [];
  const rows = traceability(reqs);
  const known = new Set(reqs.map((r) => r.id));

  it('CONF-06: every MUST and SHOULD is checked, or listed with a reason', () => {
    const open = rows.filter((r) => r.level !== 'MAY' && r.status === 'uncovered');
    expect(open.map((r) => `${r.id} (${r.level}): ${r.title}`)).toEqual([]);
  });

  it('cases and lint cite only IDs the spec defines', () => {
    const cited = [...CASES.flatMap((c) => c.requirements), ...Object.keys(LINT_REQUIREMENTS)];
    expect([...new Set(cited)].filter((id) => !known.has(id))).toEqual([]);
  });

  it('no stale exemption: listed IDs exist and are not checked after all', () => {
    const covered = new Set(rows.filter((r) => r.status === 'covered').map((r) => r.id));
    const ids = Object.keys(NOT_CHECKED_HERE);
    expect(ids.filter((id) => !known.has(id) || covered.has(id))).toEqual([]);
  });

  it('case IDs are unique and well formed', () => {
    const ids = CASES.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9-]+\/[a-z0-9-]+$/);
  });

  it('writes conformance/traceability.json', () => {
    const count = (s: string) => rows.filter((r) => r.status === s).length;
    const out = join(root, 'conformance/traceability.json');
    const doc = {
      generatedFrom: 'spec/requirements.json',
      specVersion: spec?.version ?? null,
      summary: {
        requirements: rows.length,
        covered: count('covered'),
        untestable: count('untestable'),
        elsewhere: count('elsewhere'),
        uncovered: count('uncovered'),
        cases: CASES.length,
        lintChecks: Object.keys(LINT_REQUIREMENTS).length,
      },
      requirements: rows,
    };
    writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
    // Keep the generated file in Biome's format so `biome check` stays clean.
    try {
      execFileSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', out], {
        stdio: 'ignore',
      });
    } catch {
      // Biome missing: the file is still valid JSON.
    }
    expect(JSON.parse(readFileSync(out, 'utf8')).summary.uncovered).toBe(count('uncovered'));
  });
});
