/**
 * `tsgi serve app.mjs` where the module exports an Express or Koa app as it is: the CLI
 * recognises it before the export rule (an Express app is a two-argument function too) and
 * serves it through fromNodeHandler, saying so when it starts (issue 19).
 */
import { fileURLToPath } from 'node:url';
import { type Daemon, startDaemon, waitForOutput } from '@tsgi/harness';
import { afterEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

const daemons: Daemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

async function serve(
  file: string,
  ...args: string[]
): Promise<{ url: string; output: () => string }> {
  const d = startDaemon(process.execPath, [BIN, 'serve', file, '--bind', '127.0.0.1:0', ...args]);
  daemons.push(d);
  const url = (await waitForOutput(d, /Listening on (\S+)/))[1]!;
  return { url, output: d.output };
}

describe('tsgi serve a node framework app exported as it is', () => {
  it('an Express app: served through fromNodeHandler, mounted under --script-name', async () => {
    const { url, output } = await serve(fixture('plain-express.mjs'), '--script-name', '/api');
    expect(output()).toContain('(a node (req, res) app, served through fromNodeHandler)');
    const res = await fetch(`${url}/api/hi/ada`);
    // The bridge puts the mount point in req.baseUrl, as Express does for a mounted app.
    expect(await res.json()).toEqual({ hello: 'ada', baseUrl: '/api' });
  });

  it('a Koa app (not its callback()): served through fromNodeHandler', async () => {
    const { url } = await serve(fixture('plain-koa.mjs'));
    expect(await (await fetch(`${url}/k`)).json()).toEqual({ koa: '/k' });
  });
});
