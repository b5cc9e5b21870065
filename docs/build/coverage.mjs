/**
 * Which conformance cases and lint checks cover each requirement, from
 * conformance/traceability.json. Its format is owned by the conformance suite and may still
 * change, so this reader accepts the plausible shapes instead of one exact schema:
 *
 * - keyed by ID: `{ "ENV-05": {cases, lint} }` or `{ requirements: { "ENV-05": {…} } }`
 * - a list: `[{ id, cases, lint }]` or `{ requirements: [{ id, cases, lint }] }`
 * - inverted: `{ cases: [{ id, requirements: [...] }], lint: [{ id, requirements: [...] }] }`
 *
 * Case and check entries may be strings or objects naming themselves by `id`, `name` or `title`.
 */
import { existsSync, readFileSync } from 'node:fs';

const CASE_KEYS = ['cases', 'conformance', 'tests', 'conformanceCases', 'battery', 'appBattery'];
const LINT_KEYS = ['lint', 'lintChecks', 'checks', 'rules'];
const ID = /^[A-Z]+(?:-[A-Z]+)?-\d{2}$/;

/**
 * @typedef {{cases: string[], lint: string[]}} Coverage
 * @typedef {{published: boolean, byId: Map<string, Coverage>, source: string}} Traceability
 */

/** Reads and normalises the traceability file; `published` is false when it does not exist. */
export function loadTraceability(file) {
  if (!existsSync(file)) return { published: false, byId: new Map(), source: file };
  return {
    published: true,
    byId: normaliseTraceability(JSON.parse(readFileSync(file, 'utf8'))),
    source: file,
  };
}

/** @returns {Map<string, Coverage>} */
export function normaliseTraceability(data) {
  const byId = new Map();
  const entry = (id) => {
    if (!byId.has(id)) byId.set(id, { cases: [], lint: [] });
    return byId.get(id);
  };
  const addFrom = (id, obj) => {
    const e = entry(id);
    for (const k of CASE_KEYS) for (const n of _names(obj?.[k])) _push(e.cases, n);
    for (const k of LINT_KEYS) for (const n of _names(obj?.[k])) _push(e.lint, n);
  };
  const reqs = Array.isArray(data) ? data : (data?.requirements ?? data);
  if (Array.isArray(reqs)) {
    for (const r of reqs) if (typeof r?.id === 'string' && ID.test(r.id)) addFrom(r.id, r);
  } else if (reqs && typeof reqs === 'object') {
    for (const [id, v] of Object.entries(reqs)) if (ID.test(id)) addFrom(id, v);
  }
  // The inverted shape: each case or check lists the requirement IDs it covers.
  for (const [keys, field] of [
    [CASE_KEYS, 'cases'],
    [LINT_KEYS, 'lint'],
  ]) {
    for (const k of keys) {
      const list = Array.isArray(data) ? undefined : data?.[k];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const name = _names([item])[0];
        const ids = item?.requirements ?? item?.covers ?? item?.ids ?? item?.requirementIds;
        if (name === undefined || !Array.isArray(ids)) continue;
        for (const id of ids) if (typeof id === 'string') _push(entry(id)[field], name);
      }
    }
  }
  return byId;
}

function _names(v) {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  const out = [];
  for (const item of list) {
    if (typeof item === 'string') out.push(item);
    else if (item && typeof item === 'object') {
      const n = item.id ?? item.name ?? item.title ?? item.case ?? item.check;
      if (typeof n === 'string') out.push(n);
    }
  }
  return out;
}

function _push(list, name) {
  if (!list.includes(name)) list.push(name);
}
