/**
 * The API reference: typedoc over each package's TSDoc (entryPointStrategy `packages`), written
 * into site/api with the site header injected into every page, so the reference is one section
 * of the site and not a separate one. Also collects each symbol's URL for `api:` links in the
 * guides and for the search index.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as td from 'typedoc';
import { rootPrefix, siteHeader } from './layout.mjs';
import { apiPackages, ROOT, subpathSources } from './sources.mjs';

/** Symbol kinds worth a search entry (signatures and parameters would only add noise). */
const KINDS = new Set([
  'Module',
  'Namespace',
  'Enum',
  'Variable',
  'Function',
  'Class',
  'Interface',
  'TypeAlias',
  'Property',
  'Method',
  'Accessor',
  'EnumMember',
  'Constructor',
]);

/**
 * Source entry points per package: src/index.ts plus a src file for each subpath export
 * (`@tsgi/core/testing` → src/testing.ts). typedoc takes one list for all packages, so the list
 * is the union; the "did not match" warnings for packages without a given file are dropped.
 */
function _entryPoints(packages) {
  const files = new Set(['src/index.ts']);
  for (const dir of packages) {
    const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8'));
    for (const file of subpathSources(dir, pkg)) files.add(file);
  }
  return [...files];
}

/**
 * Runs typedoc into `${siteDir}/api`. Throws when typedoc cannot convert the project: an API
 * reference that silently vanished would be worse than a failed build.
 * @param {import('./site.mjs').Site} site
 */
export async function buildApi(site, siteDir) {
  const packages = apiPackages();
  const out = join(siteDir, 'api');
  const app = await td.Application.bootstrapWithPlugins({
    name: 'TSGI API reference',
    entryPoints: packages.map((d) => join(ROOT, d)),
    entryPointStrategy: 'packages',
    packageOptions: {
      entryPoints: _entryPoints(packages),
      // A package mid-edit may not type-check; its docs are still worth generating.
      skipErrorChecking: true,
      // No git remote in a fresh clone: "Defined in" links would point nowhere.
      disableSources: true,
      // Protected members are how an adapter extends server-node's GatewayServer/GatewaySink,
      // not API a user calls; they would also reference each adapter's internal connection type.
      excludeProtected: true,
    },
    readme: 'none',
    out,
    logLevel: 'Warn',
    skipErrorChecking: true,
    disableSources: true,
    githubPages: false,
    hideGenerator: true,
    // Packages document their deploy snippets in TSDoc; highlight what shiki knows.
    highlightLanguages: [
      'bash',
      'console',
      'css',
      'html',
      'javascript',
      'json',
      'jsonc',
      'json5',
      'yaml',
      'tsx',
      'typescript',
      'apache',
      'nginx',
      'ini',
      'shellscript',
    ],
    ignoredHighlightLanguages: ['lighttpd', 'text', 'conf'],
  });
  const warn = app.logger.warn.bind(app.logger);
  app.logger.warn = (text, ...rest) => {
    // core's `Digit` only spells out StatusCode ('200'…'599'): not API of its own, and
    // typedoc's intentionallyNotExported does not reach into one package of a packages build.
    if (/^Digit, defined in @tsgi\/core\/src\/types\.ts/.test(String(text))) return;
    if (!/did not match any files/.test(String(text))) warn(text, ...rest);
  };
  app.renderer.on(td.Renderer.EVENT_END_PAGE, (page) => {
    if (page.contents === undefined) return;
    const path = `api/${page.url}`;
    page.contents = page.contents
      .replace(
        '</head>',
        `<link rel="stylesheet" href="${rootPrefix(path)}assets/bar.css"><link rel="stylesheet" href="${rootPrefix(path)}assets/api.css"></head>`,
      )
      .replace(/<body[^>]*>/, (body) => `${body}${siteHeader(path)}`);
  });
  app.renderer.on(td.Renderer.EVENT_END, () => _collectSymbols(site, app.renderer.router));
  const project = await app.convert();
  if (!project) throw new Error('typedoc could not convert the packages (see the errors above)');
  await app.generateDocs(project, out);
  return packages;
}

/** A symbol's TSDoc summary as plain text (a function's is on its first signature). */
function _summary(target) {
  const comment = target.comment ?? target.signatures?.[0]?.comment;
  if (!comment) return undefined;
  return td.Comment.combineDisplayParts(comment.summary).replace(/\s+/g, ' ').trim() || undefined;
}

/** Records every documented symbol's URL: for `api:` links and for the search index. */
function _collectSymbols(site, router) {
  const short = new Map();
  for (const target of router.getLinkTargets()) {
    if (!(target instanceof td.Reflection)) continue;
    const kind = td.ReflectionKind[target.kind];
    if (!KINDS.has(kind)) continue;
    const url = `api/${router.getFullUrl(target)}`;
    // Modules give the import path (`@tsgi/core`, `@tsgi/core/testing`); the rest the member.
    const chain = [];
    const mods = [];
    for (let r = target; r && !r.isProject(); r = r.parent) {
      if (r.kindOf(td.ReflectionKind.Module)) mods.unshift(r.name);
      else chain.unshift(r.name);
    }
    const pkg = mods.filter((m) => m !== 'index').join('/');
    const name = chain.join('.') || pkg;
    site.api.set(target.getFullName(), url);
    if (chain.length > 0) {
      site.api.set(`${pkg}.${name}`, url);
      short.set(name, short.has(name) ? null : url);
    }
    site.search.push({
      t: name,
      d: `API · ${kind} · ${pkg}`,
      u: url,
      k: 'api',
      x: _summary(target),
    });
    if (chain.length === 1) site.symbols.push({ pkg, name, kind, url });
  }
  // A bare name (`runApplication`) links only when exactly one package exports it.
  for (const [name, url] of short) if (url !== null && !site.api.has(name)) site.api.set(name, url);
}
