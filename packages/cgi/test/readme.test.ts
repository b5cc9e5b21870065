/**
 * The README shows the same server configurations the tests use, and its Node wrapper works.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { echo, FIXTURES, runCgi } from './_helpers.js';
import { apacheConfig, lighttpdConfig, README_CGI_BIN } from './_servers.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('SRV-01: the README documents the Apache and lighttpd configs the tests run', () => {
  expect(readme).toContain(`\`\`\`apache\n${apacheConfig(README_CGI_BIN)}\n\`\`\``);
  expect(readme).toContain(`\`\`\`lighttpd\n${lighttpdConfig(README_CGI_BIN)}\n\`\`\``);
  // busybox: the harness runs `busybox httpd -f -vv -p 127.0.0.1:PORT -h ROOT`, cgi-bin under ROOT.
  expect(readme).toContain('busybox httpd -f -p 127.0.0.1:8080 -h /srv/tsgi');
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
