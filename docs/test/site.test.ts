/**
 * The built site in a real browser (issue 10): `pnpm docs:build`, `pnpm docs:serve` on a random
 * loopback port, then Debian's chromium driven by playwright-core. Builds once for the file.
 * Without /usr/bin/chromium the tests skip with a printed reason, except under CI=true where
 * they fail (scripts/ensure-system-deps.mjs installs it).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && !inCI) {
  console.warn(`SKIP docs/test/site.test.ts: ${CHROMIUM} not found (apt-get install chromium)`);
}
const SECTIONS = [
  'spec/index.html',
  'spec/requirements.html',
  'guides/index.html',
  'reports/conformance.html',
  'reports/frameworks.html',
  'reports/benchmarks.html',
  'api/index.html',
];

/** The DOM names the in-browser crawl uses: the tests' tsconfig has no DOM lib, on purpose. */
interface DomElement {
  id: string;
  getAttribute(name: string): string | null;
}
declare const DOMParser: new () => {
  parseFromString(
    text: string,
    type: string,
  ): { querySelectorAll(s: string): Iterable<DomElement> & ArrayLike<DomElement> };
};

let server: ChildProcess | undefined;
let context: BrowserContext | undefined;
let profile = '';
let base = '';
let page: Page;
let buildOutput = '';

/** Starts `docs/build/serve.mjs --port 0` and resolves with the URL it prints. */
function serve(): Promise<string> {
  const child = spawn(process.execPath, ['docs/build/serve.mjs', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
      if (m) resolve(m[0]);
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`docs:serve exited ${code}: ${out}`)));
  });
}

describe.skipIf(!haveChromium && !inCI)('docs site in chromium', () => {
  beforeAll(async () => {
    if (!haveChromium) throw new Error(`CI: ${CHROMIUM} not found; ensure-system-deps installs it`);
    const built = await promisify(execFile)(process.execPath, ['docs/build/build.mjs'], {
      cwd: ROOT,
    });
    buildOutput = built.stdout + built.stderr;
    base = await serve();
    profile = mkdtempSync(join(tmpdir(), 'tsgi-docs-chromium-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      viewport: { width: 1280, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    server?.kill('SIGTERM');
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it('renders the home page with the site header', async () => {
    const res = await page.goto(base);
    expect(res?.status()).toBe(200);
    await expect(page.title()).resolves.toContain('TSGI');
    expect(await page.locator('main h1').first().isVisible()).toBe(true);
    const hrefs = await page
      .locator('.tsgi-nav a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(hrefs).toEqual(SECTIONS);
  });

  it('reaches every section from the navigation, and each section links to all the others', async () => {
    for (const section of SECTIONS) {
      await page.goto(base);
      await Promise.all([
        page.waitForURL(base + section),
        page.click(`.tsgi-nav a[href="${section}"]`),
      ]);
      expect(await page.locator('.tsgi-bar').count()).toBe(1);
      expect(await page.locator('.tsgi-nav a').count()).toBe(SECTIONS.length);
      expect(await page.locator('.tsgi-nav a[aria-current="page"]').count()).toBe(1);
    }
  });

  it('search finds an environ key (PATH_INFO) and a requirement ID (ENV-05)', async () => {
    await page.goto(`${base}guides/index.html`);
    await page.fill('#tsgi-q', 'PATH_INFO');
    const first = page.locator('#tsgi-results a').first();
    await expect(first.locator('.title').textContent()).resolves.toBe('PATH_INFO');
    await Promise.all([page.waitForURL(/spec\/02-environ\.html#env-\d\d$/), first.click()]);

    await page.fill('#tsgi-q', 'env-05');
    const hit = page.locator('#tsgi-results a').first();
    await expect(hit.locator('.title').textContent()).resolves.toBe('ENV-05');
    await page.press('#tsgi-q', 'Enter');
    await page.waitForURL(`${base}spec/02-environ.html#env-05`);
    expect(await page.locator('li#env-05:target').count()).toBe(1);
    // The API reference is indexed too.
    await page.fill('#tsgi-q', 'runApplication');
    await expect(page.locator('#tsgi-results a').first().getAttribute('href')).resolves.toMatch(
      /\/api\/.*runApplication.*\.html/,
    );
  });

  it("search matches the full text: a rule's later sentences, a guide's body, an API summary, with a quote", async () => {
    await page.goto(`${base}guides/index.html`);
    // "arity" is in APP-01's second sentence, not in its title or summary.
    await page.fill('#tsgi-q', 'inspect its arity');
    const rule = page.locator('#tsgi-results a').first();
    await expect(rule.locator('.title').textContent()).resolves.toBe('APP-01');
    await expect(rule.locator('.quote').textContent()).resolves.toMatch(/inspect its arity/);
    // Words of a guide's body text, in any order.
    await page.fill('#tsgi-q', 'socket activation systemd');
    await expect(page.locator('#tsgi-results a').first().getAttribute('href')).resolves.toMatch(
      /guides\/deployers\.html#/,
    );
    // An API symbol by words of its TSDoc summary.
    await page.fill('#tsgi-q', 'percent-decoded once, byte-transparent');
    const hrefs = await page
      .locator('#tsgi-results a')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.some((h) => /\/api\//.test(h))).toBe(true);
  });

  it("API pages have one header and one search box (typedoc's toolbar hidden), at desktop and phone widths", async () => {
    try {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(`${base}api/index.html`);
        expect(await page.locator('.tsgi-bar').count()).toBe(1);
        expect(await page.locator('#tsgi-q').isVisible()).toBe(true);
        expect(await page.locator('#tsd-search-trigger').isVisible()).toBe(false);
        expect(await page.locator('.tsd-page-toolbar .title').isVisible()).toBe(false);
        // On a phone typedoc's menu button stays: it opens the API navigation.
        expect(await page.locator('#tsd-toolbar-menu-trigger').isVisible()).toBe(width < 770);
        const m = await measure();
        expect(m.width, `api/index.html at ${width}px`).toBeLessThanOrEqual(m.viewport);
      }
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('resolves every internal link, asset and #fragment, crawling from the home page', async () => {
    // The crawl runs inside the browser: fetch() each page and parse it with DOMParser, so links
    // and ids are what chromium's HTML parser sees, without rendering 200 API pages one by one.
    const {
      ids: idLists,
      fragments,
      failures,
    } = await page.evaluate(
      async ({ start, navLinks }) => {
        const origin = new URL(start).origin;
        const ids: Record<string, string[]> = {};
        const fragments: Array<[string, string, string]> = [];
        const failures: string[] = [];
        const queue = [start];
        const seen = new Set(queue);
        const visit = async (url: string): Promise<void> => {
          const res = await fetch(url);
          if (!res.ok) {
            failures.push(`${url}: HTTP ${res.status}`);
            return;
          }
          const doc = new DOMParser().parseFromString(await res.text(), 'text/html');
          if (doc.querySelectorAll('.tsgi-bar .tsgi-nav a').length !== navLinks) {
            failures.push(`${url}: no site navigation`);
          }
          ids[url] = [...doc.querySelectorAll('[id], a[name]')].map(
            (e) => e.id || (e.getAttribute('name') ?? ''),
          );
          const refs = [
            ...[...doc.querySelectorAll('a[href], link[href]')].map((e) => e.getAttribute('href')!),
            ...[...doc.querySelectorAll('script[src], img[src]')].map(
              (e) => e.getAttribute('src')!,
            ),
          ];
          for (const ref of refs) {
            const u = new URL(ref, url);
            if (u.origin !== origin) continue;
            const target = u.origin + u.pathname;
            if (u.hash.length > 1)
              fragments.push([url, target, decodeURIComponent(u.hash.slice(1))]);
            if (seen.has(target)) continue;
            seen.add(target);
            if (target.endsWith('.html') || target.endsWith('/')) queue.push(target);
            else {
              const r = await fetch(target, { method: 'HEAD' });
              if (!r.ok) failures.push(`${url}: ${ref}: HTTP ${r.status}`);
            }
          }
        };
        while (queue.length > 0) await Promise.all(queue.splice(0, 8).map(visit));
        return { ids, fragments, failures };
      },
      { start: base, navLinks: SECTIONS.length },
    );
    const ids = new Map(Object.entries(idLists).map(([url, list]) => [url, new Set(list)]));
    for (const [from, to, id] of fragments) {
      const onPage = ids.get(to);
      if (onPage && !onPage.has(id)) failures.push(`${from}: #${id} not on ${to}`);
    }
    expect(failures).toEqual([]);
    // Every requirement's anchor is on its spec page.
    const reqs = JSON.parse(readFileSync(join(ROOT, 'spec/requirements.json'), 'utf8')) as {
      requirements: Array<{ file: string; anchor: string }>;
    };
    for (const r of reqs.requirements) {
      const url = `${base}spec/${r.file.replace(/\.md$/, '.html')}`;
      expect(ids.get(url)?.has(r.anchor), `${url}#${r.anchor}`).toBe(true);
    }
    expect(ids.size).toBeGreaterThan(20);
  });

  it('builds with every api: link in the guides resolved to a documented symbol and no typedoc warning', () => {
    expect(buildOutput).toMatch(/docs: built docs\/site/);
    expect(buildOutput.split('\n').filter((l) => /not in the API reference/.test(l))).toEqual([]);
    // typedoc's own warnings (a referenced type left out of the reference, issue 24): none.
    expect(buildOutput.split('\n').filter((l) => /\[warning\]/.test(l))).toEqual([]);
  });

  it('shows each deployment recipe and included example whole, byte for byte, on its guide page', async () => {
    const includes = (await import(new URL('../build/includes.mjs', import.meta.url).href)) as {
      includedFiles(md: string): string[];
    };
    // markdown-it's escaping of code: & < > and the double quote.
    const escapeCode = (t: string): string =>
      t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const shown = new Set<string>();
    for (const file of readdirSync(join(ROOT, 'docs/guides'))) {
      const wanted = includes.includedFiles(readFileSync(join(ROOT, 'docs/guides', file), 'utf8'));
      const url = `${base}guides/${file.replace(/^\d+-/, '').replace(/\.md$/, '.html')}`;
      const html = await (await fetch(url)).text();
      await page.goto(url);
      const blocks = await page.locator('main pre code').allTextContents();
      for (const path of wanted) {
        const text = readFileSync(join(ROOT, path), 'utf8');
        expect(html, `${file}: ${path}`).toContain(`>${escapeCode(text)}</code></pre>`);
        expect(blocks, `${file}: ${path}`).toContain(text);
        shown.add(path);
      }
    }
    // Every recipe is on the site, and the server authors' example too.
    const recipes = readdirSync(join(ROOT, 'docs/recipes')).map((f) => `docs/recipes/${f}`);
    expect(recipes.filter((r) => !shown.has(r))).toEqual([]);
    expect(
      [...shown].filter((p) => p.startsWith('examples/server-author/')).length,
    ).toBeGreaterThan(0);
  });

  it('renders every report from committed results, never "not generated", naming its JSON', async () => {
    for (const slug of ['conformance', 'frameworks', 'benchmarks']) {
      await page.goto(`${base}reports/${slug}.html`);
      expect(await page.locator('#not-generated').count(), slug).toBe(0);
      expect(await page.locator('main table').count(), slug).toBeGreaterThan(0);
      await expect(page.locator('main p.source a').first().getAttribute('href')).resolves.toMatch(
        /^data\/.*\.json$/,
      );
    }
  });

  // Issue 24: pages a person reads at a glance, at a desktop and at a phone width. Layout, not
  // pixels: no horizontal scrolling of the page (wide tables scroll inside their own box), a
  // bounded height (the generic renderer made the matrix 24,949 px tall), the report's own
  // parts present. Screenshots of each go to docs/test-artifacts/ for a person to look at.
  const WIDTHS = [
    ['desktop', 1280, 900],
    ['phone', 390, 844],
  ] as const;
  const REPORT_LAYOUT: Array<[string, number, string, number]> = [
    // page, max height in px at the phone width, a selector that must be there, its minimum count
    ['reports/conformance.html', 7000, '#conformance-grid td.c', 1000],
    ['reports/benchmarks.html', 12000, 'figure.bench-chart svg rect', 20],
    ['reports/frameworks.html', 4000, 'table.matrix td .outcome', 3],
  ];

  /** The page's scroll size against the viewport, measured in the browser. */
  const measure = () =>
    page.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: Record<string, number> } })
        .document.documentElement;
      return { width: d.scrollWidth!, height: d.scrollHeight!, viewport: d.clientWidth! };
    });

  it('lays out each report page at desktop and phone widths: grid, bar charts, bounded height, no sideways scroll', async () => {
    const dir = join(ROOT, 'docs/test-artifacts');
    mkdirSync(dir, { recursive: true });
    try {
      for (const [label, width, height] of WIDTHS) {
        await page.setViewportSize({ width, height });
        for (const [path, maxHeight, selector, min] of REPORT_LAYOUT) {
          await page.goto(base + path);
          const m = await measure();
          expect(m.width, `${path} at ${label} width: horizontal overflow`).toBeLessThanOrEqual(
            m.viewport,
          );
          expect(m.height, `${path} at ${label} width: page height`).toBeLessThan(maxHeight);
          expect(
            await page.locator(selector).count(),
            `${path}: ${selector}`,
          ).toBeGreaterThanOrEqual(min);
          const name = path.replace(/^reports\//, '').replace(/\.html$/, '');
          await page.screenshot({ path: join(dir, `${name}-${label}.png`) });
        }
      }
      // The grid's section filter hides the other sections' rows.
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`${base}reports/conformance.html`);
      const rows = page.locator('#conformance-grid tbody tr:visible');
      const all = await rows.count();
      await page.selectOption('#grid-section', 'input');
      const some = await rows.count();
      expect(some).toBeGreaterThan(1);
      expect(some).toBeLessThan(all / 2);
      // A failing cell says which requirement and why, on hover.
      await expect(
        page.locator('#conformance-grid td.c-front').first().getAttribute('title'),
      ).resolves.toMatch(/[A-Z]+-\d\d · ./);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('shows every top-level section and guide at a phone width: no sideways scrolling, the text first, the sidebar folded', async () => {
    const pages = [
      'index.html',
      ...SECTIONS.filter((s) => !s.startsWith('reports/') && !s.startsWith('api/')),
      'guides/deployers.html',
      'guides/server-authors.html',
    ];
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      const wide: string[] = [];
      for (const path of pages) {
        await page.goto(base + path);
        const m = await measure();
        if (m.width > m.viewport) wide.push(`${path}: ${m.width} px wide`);
        // The sidebar is one tap away above the text, not a screenful of links before it.
        const top = await page
          .locator('main h1')
          .first()
          .evaluate((h) => h.getBoundingClientRect().top);
        if (top > 600) wide.push(`${path}: the heading starts ${Math.round(top)} px down`);
      }
      expect(wide).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('saves a screenshot of the spec page', async () => {
    const dir = join(ROOT, 'docs/test-artifacts');
    mkdirSync(dir, { recursive: true });
    await page.goto(`${base}spec/02-environ.html`);
    await page.screenshot({ path: join(dir, 'spec.png') });
    expect(existsSync(join(dir, 'spec.png'))).toBe(true);
  });
});
