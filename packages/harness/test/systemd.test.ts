/**
 * The systemd recipes (docs/recipes/tsgi-fastcgi.{socket,service}, tsgi-serve.{socket,service})
 * as systemd runs them: `systemd-socket-activate` (systemd's own tool for socket activation
 * outside PID 1) binds the socket unit's `ListenStream=` and, on the first connection, starts
 * the service's `ExecStart=` with the socket as descriptor 3 (LISTEN_FDS, LISTEN_PID). The
 * FastCGI pair is reached through nginx-fastcgi-tcp.conf, the whole deployment of the guide.
 * A `tsgi` that ignored LISTEN_FDS would bind nothing the test talks to, so the requests hang.
 * `User=` is honoured when the test runs as root, through `setpriv`, which execs in place (the
 * PID, and so LISTEN_PID, stays the one systemd-socket-activate set); otherwise it is ours.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  type Daemon,
  freePort,
  type RenderedRecipe,
  recipeDifferences,
  requireTool,
  startDaemon,
  startNginx,
  tempDir,
  type WebServer,
  waitForPort,
  writeRecipe,
} from '@tsgi/harness';
import { request } from '@tsgi/harness/http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const activate = requireTool('systemd-socket-activate', 'socket activation of the systemd units');
const isRoot = process.getuid?.() === 0;
const setpriv = isRoot ? requireTool('setpriv', "the units' User= as root") : undefined;
const nginx = requireTool('nginx', 'the FastCGI units behind nginx');
const TSGI = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
const APP = fileURLToPath(new URL('../../fastcgi/test/fixtures/app.mjs', import.meta.url));

/** A user's uid, from /etc/passwd. */
function userId(name: string): number {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  return Number(line?.split(':')[2]);
}

/** The address each socket recipe listens on (its `ListenStream=`). */
const LISTEN = { 'tsgi-fastcgi': '127.0.0.1:9000', 'tsgi-serve': '127.0.0.1:8000' } as const;

/** The one value of `Key=` in a rendered unit file. */
function directive(unit: RenderedRecipe, key: string): string {
  const lines = readFileSync(unit.path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith(`${key}=`));
  expect(lines, `${unit.name}: ${key}=`).toHaveLength(1);
  return lines[0]!.slice(key.length + 1);
}

/** The units of one service, rendered for this machine, run as systemd would. */
async function activateUnits(
  dir: string,
  name: keyof typeof LISTEN,
  port: number,
): Promise<{ units: RenderedRecipe[]; daemon: Daemon }> {
  const units = [
    writeRecipe(dir, `${name}.socket`, { [LISTEN[name]]: `127.0.0.1:${port}` }),
    writeRecipe(dir, `${name}.service`, {
      '/usr/local/bin/tsgi': `${process.execPath} ${TSGI}`,
      '/srv/tsgi/app.mjs': APP,
    }),
  ];
  // ExecStart has no quoting in the recipes: whitespace separates the arguments, as systemd does.
  const argv = directive(units[1]!, 'ExecStart').split(/\s+/);
  const user = directive(units[1]!, 'User');
  const as =
    setpriv === undefined
      ? []
      : [setpriv, `--reuid=${user}`, `--regid=${user}`, '--init-groups', '--'];
  const listen = directive(units[0]!, 'ListenStream');
  const daemon = startDaemon(activate!, ['-l', listen, '--', ...as, ...argv]);
  await waitForPort(port);
  return { units, daemon };
}

describe.skipIf(activate === undefined || nginx === undefined)('systemd units', () => {
  const dir = tempDir('tsgi-systemd-');
  const daemons: Daemon[] = [];
  const rendered: RenderedRecipe[] = [];
  let web: WebServer;
  let servePort = 0;

  beforeAll(async () => {
    const fcgiPort = await freePort();
    const fcgi = await activateUnits(dir.path, 'tsgi-fastcgi', fcgiPort);
    servePort = await freePort();
    const serve = await activateUnits(dir.path, 'tsgi-serve', servePort);
    daemons.push(fcgi.daemon, serve.daemon);
    rendered.push(...fcgi.units, ...serve.units);
    web = await startNginx({
      recipes: [
        {
          name: 'nginx-fastcgi-tcp.conf',
          values: ({ port }) => ({
            'listen 80;': `listen 127.0.0.1:${port};`,
            '127.0.0.1:9000': `127.0.0.1:${fcgiPort}`,
          }),
        },
      ],
    });
    rendered.push(...web.recipes);
  });

  afterAll(async () => {
    await web?.stop();
    for (const d of daemons) await d.stop();
    dir.remove();
  });

  it('runs the recipes as published: the rendered copies differ only in the mapped values', () => {
    expect(rendered.map((r) => r.name)).toHaveLength(5);
    expect(rendered.map(recipeDifferences)).toEqual(rendered.map(() => []));
  });

  it('tsgi fastcgi serves the socket systemd passes, behind the nginx recipe (SCRIPT_NAME /app)', async () => {
    const res = await request(web.port, { target: '/app/x?y=1' });
    expect(res.status, daemons[0]!.output()).toBe(200);
    const seen = JSON.parse(res.body.toString());
    expect(seen.environ.SCRIPT_NAME).toBe('/app');
    expect(seen.environ.PATH_INFO).toBe('/x');
  });

  it('tsgi serve serves the socket systemd passes, with its access log', async () => {
    const res = await request(servePort, { target: '/x?y=1' });
    expect(res.status, daemons[1]!.output()).toBe(200);
    expect(JSON.parse(res.body.toString()).environ.PATH_INFO).toBe('/x');
    await expect.poll(() => daemons[1]!.output()).toMatch(/"GET \/x\?y=1 HTTP\/1\.1" 200/);
  });

  // Last: both services have answered a request, so each has exec'ed into tsgi by now.
  it.skipIf(!isRoot)("runs the service as the unit's User= (www-data)", () => {
    for (const d of daemons) {
      const pid = d.process.pid!;
      const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      expect(uid, d.output()).toBe(String(userId('www-data')));
    }
  });
});
