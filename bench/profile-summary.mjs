#!/usr/bin/env node
/**
 * Summarises V8 .cpuprofile files (from `node --cpu-prof`): the functions with the most self
 * time, time by origin (GC, node internals, each @tsgi package, dependencies), and the inclusive
 * time of the project's own functions. Several files are merged (e.g. one per CGI process).
 *
 *   node bench/profile-summary.mjs FILE.cpuprofile [MORE...] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where a function comes from, for the breakdown. */
export function origin(url, name) {
  if (url === '') {
    if (name === '(garbage collector)') return 'GC';
    if (name === '(idle)') return 'idle';
    if (name === '(program)') return 'program (V8/native, outside JS)';
    return name.startsWith('(') ? name : 'native';
  }
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /\/packages\/([^/]+)\//.exec(url);
  if (pkg) return `@tsgi/${pkg[1]}`;
  const dep = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep) return dep[1];
  if (url.includes('/bench/')) return 'bench (app, server script)';
  return 'other';
}

function shortUrl(url) {
  return url
    .replace(`file://${ROOT}`, '')
    .replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, '');
}

/**
 * Self and inclusive milliseconds per function (name + location) over the given profiles.
 * Inclusive time counts a function once per sample however deep it recurses.
 */
export function summarise(profiles) {
  const self = new Map();
  const inclusive = new Map();
  const byOrigin = new Map();
  let total = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const key = (n) => {
      const f = n.callFrame;
      const where = f.url ? `${shortUrl(f.url)}:${f.lineNumber + 1}` : '';
      return `${f.functionName || '(anonymous)'}\t${where}`;
    };
    const mean = p.timeDeltas.length > 0 ? (p.endTime - p.startTime) / p.timeDeltas.length : 0;
    for (let i = 0; i < p.samples.length; i++) {
      const ms = (p.timeDeltas[i + 1] ?? mean) / 1000;
      const n = byId.get(p.samples[i]);
      if (n === undefined) continue;
      total += ms;
      const k = key(n);
      self.set(k, (self.get(k) ?? 0) + ms);
      const o = origin(n.callFrame.url, n.callFrame.functionName);
      byOrigin.set(o, (byOrigin.get(o) ?? 0) + ms);
      const seen = new Set();
      for (let id = n.id; id !== undefined; id = parent.get(id)) {
        const a = byId.get(id);
        const ak = key(a);
        if (seen.has(ak)) continue;
        seen.add(ak);
        inclusive.set(ak, (inclusive.get(ak) ?? 0) + ms);
      }
    }
  }
  const sorted = (m) => [...m.entries()].sort((a, b) => b[1] - a[1]);
  return { total, self: sorted(self), inclusive: sorted(inclusive), byOrigin: sorted(byOrigin) };
}

/** The report as text. */
export function report(s, top = 25) {
  const pct = (ms) => `${((100 * ms) / s.total).toFixed(1).padStart(5)}%`;
  const line = ([k, ms]) => {
    const [name, where] = k.split('\t');
    return `${ms.toFixed(1).padStart(9)} ms ${pct(ms)}  ${name}  ${where}`;
  };
  const own = s.inclusive.filter(([k]) => /packages\/|\/bench\//.test(k.split('\t')[1] ?? ''));
  return [
    `sampled ${s.total.toFixed(0)} ms`,
    '',
    'by origin (self time):',
    ...s.byOrigin.map(([o, ms]) => `${ms.toFixed(1).padStart(9)} ms ${pct(ms)}  ${o}`),
    '',
    `top ${top} functions by self time:`,
    ...s.self.slice(0, top).map(line),
    '',
    `top ${top} project functions by inclusive time (packages/*, bench/*):`,
    ...own.slice(0, top).map(line),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' } },
  });
  if (positionals.length === 0) {
    console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [MORE...] [--top N]');
    process.exit(2);
  }
  const profiles = positionals.map((f) => JSON.parse(readFileSync(f, 'utf8')));
  console.log(report(summarise(profiles), Number(values.top)));
}
