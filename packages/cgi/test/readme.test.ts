/**
 * The README shows the same server configurations the tests use (the recipes of docs/recipes/,
 * whole), and its Node wrapper works.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readRecipe } from '@tsgi/harness';
import { expect, test } from 'vitest';
import { echo, FIXTURES, runCgi } from './_helpers.js';
import { CGI_RECIPES } from './_servers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('SRV-01: the README shows the recipes the CGI tests start Apache, lighttpd and busybox from, whole', () => {
  for (const [lang, name] of [
    ['apache', CGI_RECIPES.apache],
    ['lighttpd', CGI_RECIPES.lighttpd],
    ['sh', CGI_RECIPES.busybox],
    ['sh', 'cgi-wrapper.sh'],
  ]) {
    expect(readme, name).toContain(`\`\`\`${lang}\n${readRecipe(name!)}\`\`\``);
  }
});

test("ADP-CGI-04: the README's #!/usr/bin/env node wrapper runs an app (runCGIModule)", async () => {
  const block = /```js\n(#!\/usr\/bin\/env node\n[^`]*?runCGIModule[^`]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const script = `${FIXTURES}_readme-wrapper.generated.mjs`;
  writeFileSync(script, block!.replace('/srv/tsgi/app.js', `${FIXTURES}app.mjs`));
  try {
    const r = await runCgi(script, {
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/cgi-bin/app',
      HTTP_PROXY: 'http://evil.test',
    });
    const j = echo(r.body);
    expect(j.environ.SCRIPT_NAME).toBe('/cgi-bin/app');
    expect(j.proxyAtImport).toBe(null);
  } finally {
    rmSync(script, { force: true });
  }
});
