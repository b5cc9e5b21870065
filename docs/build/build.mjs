#!/usr/bin/env node
/**
 * `pnpm docs:build`: builds the spec site into docs/site, offline, from the repository alone:
 * spec/*.md, docs/guides/*.md, docs/index.md, the packages' TSDoc (typedoc), the harness's
 * deploy configs and whatever report JSON the test and benchmark runs have written.
 *
 *   node docs/build/build.mjs            build; warnings are printed
 *   node docs/build/build.mjs --strict   build, then exit 1 if there was any warning
 */
import { cpSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildApi } from './api.mjs';
import { loadTraceability } from './coverage.mjs';
import { buildGuides, buildHome, guideFiles, guidePagePath } from './guides.mjs';
import { buildReports } from './reports.mjs';
import { writeSearchIndex } from './search.mjs';
import { Site } from './site.mjs';
import { DOCS, ROOT, SITE, SPEC, TRACEABILITY } from './sources.mjs';
import { buildSpec, specFiles, specPagePath } from './spec.mjs';

const started = Date.now();
const strict = process.argv.includes('--strict');
rmSync(SITE, { recursive: true, force: true });
mkdirSync(SITE, { recursive: true });

const site = new Site();
// Register every page first, so Markdown links can be checked against the whole site.
for (const f of specFiles()) site.register(join(SPEC, f), specPagePath(f));
if (existsSync(join(SPEC, 'requirements.json'))) {
  site.copy(join(SPEC, 'requirements.json'), 'spec/requirements.json');
}
for (const f of guideFiles()) site.register(join(DOCS, 'guides', f), guidePagePath(f));
site.register(join(DOCS, 'index.md'), 'index.html');

// typedoc first: the guides' api: links and the search index need its symbol URLs.
const packages = await buildApi(site, SITE);
const trace = loadTraceability(join(ROOT, TRACEABILITY));
const reqs = buildSpec(site, trace);
const { included } = buildGuides(site);
await buildReports(site);
buildHome(site);
site.write(SITE);
cpSync(join(DOCS, 'assets'), join(SITE, 'assets'), { recursive: true });
const entries = writeSearchIndex(site, SITE);

for (const w of site.warnings) console.warn(`docs: warning: ${w}`);
console.log(
  `docs: built ${relative(ROOT, SITE)} in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
    `${site.pages.size} pages, ${reqs.length} requirements, API of ${packages.length} packages, ` +
    `${included.length} included files, ${entries} search entries` +
    (trace.published ? '' : `, no ${TRACEABILITY} yet`),
);
if (strict && site.warnings.size > 0) {
  console.error(`docs: --strict: ${site.warnings.size} warning(s)`);
  process.exitCode = 1;
}
