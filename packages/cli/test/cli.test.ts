/** The `tsgi` command, run as a child process exactly as users run it. */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type Daemon,
  freePort,
  requireTool,
  startDaemon,
  tempDir,
  waitForOutput,
  waitForPort,
} from '@tsgi/harness';
import { afterEach, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const BIN = resolve(here, '../bin/tsgi.cjs');
const ROOT = resolve(here, '../../..');
const fixture = (name: string): string => join(here, 'fixtures', name);

const daemons: Daemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

/** Runs tsgi to completion. */
function run(
  args: string[],
  cwd = ROOT,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

/** Starts `tsgi serve ...` on a free port and resolves once it prints its URL. */
async function serve(args: string[], cwd = ROOT): Promise<{ daemon: Daemon; url: string }> {
  const daemon = startDaemon(process.execPath, [BIN, 'serve', ...args, '--bind', '127.0.0.1:0'], {
    cwd,
  });
  daemons.push(daemon);
  const url = await waitForOutput(daemon, /Listening on (\S+)/).then((m) => m[1]!);
  return { daemon, url };
}

/** GET over a fresh connection; resolves to status and body text. */
function get(url: string, timeout = 10_000): Promise<{ status: number; body: string }> {
  return new Promise((done, reject) => {
    request(url, { agent: false, timeout }, (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => done({ status: res.statusCode!, body }));
    })
      .on('error', reject)
      .on('timeout', function (this: ReturnType<typeof request>) {
        this.destroy(new Error(`GET ${url}: no response in ${timeout} ms`));
      })
      .end();
  });
}

function exited(daemon: Daemon): Promise<number | null> {
  const p = daemon.process;
  if (p.exitCode !== null) return Promise.resolve(p.exitCode);
  return new Promise((r) => p.once('exit', (code) => r(code)));
}

describe('tsgi CLI', () => {
  it('--help lists the commands and exits 0; no command prints usage and exits 2', async () => {
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: tsgi <command>');
    for (const c of ['serve', 'fastcgi', 'cgi'])
      expect(help.stdout).toMatch(new RegExp(`^ {2}${c} `, 'm'));
    expect(help.stdout).toMatch(/^ {2}-V, --version +print the version$/m);
    const version = await run(['--version']);
    expect([version.code, version.stdout]).toEqual([
      0,
      expect.stringMatching(/^tsgi \d+\.\d+\.\d+/),
    ]);
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: tsgi <command>');
  });

  it('serve --help prints the serve usage and exits 0', async () => {
    for (const args of [
      ['serve', '--help'],
      ['help', 'serve'],
      ['serve', 'app.js', '-h'],
    ]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout).toContain('Usage: tsgi serve APP');
      // Grouped as gunicorn's and uvicorn's help are (issue 23).
      const groups = [...r.stdout.matchAll(/^([A-Z][a-z][^:\n]*):$/gm)].map((m) => m[1]);
      expect(groups).toEqual([
        'Listening',
        'Workers',
        'Limits and timeouts',
        'Logs and monitoring',
        'Common to serve, fastcgi and scgi',
        'Examples',
      ]);
    }
  });

  it('bad arguments exit 2 with one line naming the problem', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['nope'], /unknown command 'nope'/],
      [['serve'], /missing APP/],
      [['serve', fixture('app.js'), '--bogus'], /unknown option --bogus/],
      [['serve', fixture('app.js'), 'extra'], /unexpected argument 'extra'/],
      [['serve', fixture('app.js'), '--bind', '::1:80'], /IPv6 address in brackets/],
      [
        ['serve', fixture('app.js'), '--bind', 'localhost:99999'],
        /port must be between 0 and 65535/,
      ],
      [['serve', fixture('app.js'), '--workers', 'two'], /--workers must be a whole number/],
      [['serve', fixture('app.js'), '--script-name', 'api'], /--script-name must start with '\/'/],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^tsgi: [^\n]*\n$/);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  });

  it('an APP that cannot be found or fails to load exits 2 with one line', async () => {
    const missing = await run(['serve', 'does/not/exist.js']);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      expect.stringMatching(/^tsgi: cannot find application module does\/not\/exist\.js[^\n]*\n$/),
    ]);
    const broken = await run(['serve', fixture('broken.js')]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^tsgi: cannot load .*broken\.js: Error: kaboom at import\n$/);
  });

  it('a syntax error in a .js, .mjs or .ts APP names file, line and column (issue 23)', async () => {
    // Written at run time: a fixture with a syntax error would break the repository's lint.
    const tmp = tempDir('tsgi-syntax-');
    const dir = tmp.path;
    const source = (types: string) =>
      `export default (e${types}, sr${types}) => {\n  sr('200 OK', [];\n  return [];\n};\n`;
    const files = {
      'bad.js': source(''),
      'bad.mjs': source(''),
      'bad.ts': source(': any'),
    };
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    for (const name of ['bad.js', 'bad.mjs']) {
      const r = await run(['serve', join(dir, name)]);
      expect([r.code, r.stderr]).toEqual([
        2,
        `tsgi: cannot load ${join(dir, name)}: SyntaxError: missing ) after argument list (${join(dir, name)}:2:17)\n`,
      ]);
    }
    const ts = await run(['serve', join(dir, 'bad.ts')]);
    expect([ts.code, ts.stderr]).toEqual([
      2,
      `tsgi: cannot load ${join(dir, 'bad.ts')}: TransformError: ${join(dir, 'bad.ts')}:2:17: Expected ")" but found ";"\n`,
    ]);
    tmp.remove();
  });

  it('APP-01: an export that is not a function, or is missing, exits 2 with one line', async () => {
    const notFn = await run(['serve', `${fixture('app.js')}:notAFunction`]);
    expect(notFn.code).toBe(2);
    expect(notFn.stderr).toMatch(
      /^tsgi: .*export 'notAFunction' is not a function \(got number\)[^\n]*\n$/,
    );
    const missing = await run(['serve', `${fixture('app.js')}:nothing`]);
    expect(missing.code).toBe(2);
    // The error lists what the module does export.
    expect(missing.stderr).toMatch(
      /^tsgi: .* has no export 'nothing'; it exports default \(function\), named \(function\), notAFunction \(number\)\n$/,
    );
  });

  it('serve APP: serves the default export, prints the URL; :name picks an export; --script-name mounts', async () => {
    const { url } = await serve([fixture('app.js')]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    expect(JSON.parse((await get(`${url}/x`)).body)).toMatchObject({
      which: 'default',
      path: '/x',
      multiprocess: false,
    });
    const named = await serve([`${fixture('app.js')}:named`, '--script-name', '/api']);
    expect(JSON.parse((await get(`${named.url}/api/y`)).body)).toEqual({
      which: 'named',
      path: '/y',
    });
  });

  it('serve a .ts APP (loaded through tsx)', async () => {
    const { url } = await serve([fixture('app.ts')]);
    expect(await get(`${url}/t`)).toEqual({ status: 200, body: 'hello from ts /t' });
  });

  it('serve a package specifier resolved from the working directory (require and import-only exports)', async () => {
    const dir = tempDir();
    try {
      const pkg = join(dir.path, 'node_modules', '@fixture', 'app');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({
          name: '@fixture/app',
          type: 'module',
          exports: { './sub': './sub.js', './esm': { import: './sub.js' } },
        }),
      );
      writeFileSync(
        join(pkg, 'sub.js'),
        "export default (e, sr) => { sr('200 OK', []); return [new TextEncoder().encode('pkg ' + e.PATH_INFO)]; };\n",
      );
      const a = await serve(['@fixture/app/sub'], dir.path);
      expect((await get(`${a.url}/a`)).body).toBe('pkg /a');
      const b = await serve(['@fixture/app/esm'], dir.path);
      expect((await get(`${b.url}/b`)).body).toBe('pkg /b');
      const missing = await run(['serve', '@fixture/nothing'], dir.path);
      expect(missing.code).toBe(2);
      expect(missing.stderr).toMatch(/^tsgi: cannot find application module @fixture\/nothing/);
    } finally {
      dir.remove();
    }
  });

  it('SIGTERM: an in-flight request completes, then the process exits 0', async () => {
    const { daemon, url } = await serve([fixture('app.js')]);
    const slow = get(`${url}/slow`);
    while (!daemon.output().includes('slow: started')) await new Promise((r) => setTimeout(r, 10));
    daemon.process.kill('SIGTERM');
    expect((await slow).status).toBe(200);
    expect(await exited(daemon)).toBe(0);
  });

  it('SIGHUP: a single process keeps serving; with --workers, new workers replace the old gracefully (issue 23)', async () => {
    const single = await serve([fixture('app.js')]);
    single.daemon.process.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 100));
    expect((await get(`${single.url}/`)).status).toBe(200);

    const { daemon, url } = await serve([fixture('app.js'), '--workers', '2']);
    const pidOf = async (path = '/'): Promise<number> =>
      (JSON.parse((await get(`${url}${path}`)).body) as { pid: number }).pid;
    const before = new Set<number>();
    for (let i = 0; i < 40 && before.size < 2; i++) before.add(await pidOf());
    // A request in flight on an old worker when the reload starts still completes.
    const slow = get(`${url}/slow`);
    while (!daemon.output().includes('slow: started')) await new Promise((r) => setTimeout(r, 10));
    daemon.process.kill('SIGHUP');
    expect((await slow).status).toBe(200);
    await expect
      .poll(() => daemon.output(), { timeout: 10_000 })
      .toContain('SIGHUP: starting 2 new workers, then stopping 2 gracefully');
    // Once the old workers have gone, every request is served by a new one.
    await expect
      .poll(async () => before.has(await pidOf()) || before.has(await pidOf()), { timeout: 10_000 })
      .toBe(false);
    for (const pid of before) {
      await expect
        .poll(
          () => {
            try {
              process.kill(pid, 0);
              return true;
            } catch {
              return false;
            }
          },
          { timeout: 10_000 },
        )
        .toBe(false);
    }
    expect(daemon.process.exitCode).toBe(null); // the primary lives on
    daemon.process.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
  });

  it('--workers 2: workers share the port (multiprocess), a killed worker is replaced, SIGTERM stops all', async () => {
    const { daemon, url } = await serve([fixture('app.js'), '--workers', '2']);
    const pids = new Set<number>();
    while (pids.size < 2) {
      const data = JSON.parse((await get(`${url}/`)).body) as {
        pid: number;
        multiprocess: boolean;
      };
      expect(data.multiprocess).toBe(true); // ENV-22
      pids.add(data.pid);
    }
    const [victim] = pids;
    process.kill(victim!, 'SIGKILL');
    let replaced = false;
    while (!replaced) {
      // A connection handed to the worker as it died is lost: retry it.
      const res = await get(`${url}/`, 1000).catch(() => undefined);
      if (res !== undefined) replaced = !pids.has((JSON.parse(res.body) as { pid: number }).pid);
    }
    expect(daemon.output()).toMatch(
      new RegExp(`worker ${victim} was killed by SIGKILL; starting another`),
    );
    daemon.process.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
  });

  it('--workers: SIGTERM exits once every worker has, even one whose IPC channel outlives it', async () => {
    // Each worker of this fixture leaves a child holding its IPC channel, so node:cluster
    // reports the worker's exit before its disconnect (as it sometimes does when several
    // workers exit at once): the primary counted such a worker as living and never exited.
    const { daemon } = await serve([fixture('holds-ipc.mjs'), '--workers', '2']);
    daemon.process.kill('SIGTERM');
    const code = await Promise.race([
      exited(daemon),
      new Promise((r) => setTimeout(() => r('still running 5 s after SIGTERM'), 5000)),
    ]);
    expect(code).toBe(0);
  });

  it('SRV-13: --workers: a stuck worker is never handed new connections; killing it closes the one it held', async () => {
    const { daemon, url } = await serve([fixture('app.js'), '--workers', '2']);
    const held = get(`${url}/block`, 10_000).then(
      () => 'answered',
      (err: Error) => (/no response/.test(err.message) ? 'hung' : 'closed'),
    );
    let stuck = 0;
    while (stuck === 0) {
      const m = /block: (\d+)/.exec(daemon.output());
      if (m) stuck = Number(m[1]);
      else await new Promise((r) => setTimeout(r, 10));
    }
    // Workers accept for themselves (SCHED_NONE): the free one takes every new connection.
    // With node's round-robin the primary would hand one to the stuck worker, never answered.
    for (let i = 0; i < 6; i++) {
      const res = await get(`${url}/`, 2000);
      expect((JSON.parse(res.body) as { pid: number }).pid).not.toBe(stuck);
    }
    process.kill(stuck, 'SIGKILL');
    expect(await held).toBe('closed');
    daemon.process.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
  });

  it('--workers: an APP that fails to load is reported once, exit 2', async () => {
    const r = await run(['serve', fixture('broken.js'), '--workers', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tsgi: cannot load [^\n]*kaboom at import\n$/);
  });

  it('--access-log prints a Common Log Format line to stdout', async () => {
    const { daemon, url } = await serve([fixture('app.js'), '--access-log']);
    await get(`${url}/logged?x=1`);
    while (!daemon.output().includes('/logged')) await new Promise((r) => setTimeout(r, 10));
    expect(daemon.output()).toMatch(
      /^127\.0\.0\.1 - - \[[^\]]+\] "GET \/logged\?x=1 HTTP\/1\.1" 200 \d+$/m,
    );
  });

  it('SRV-08, SRV-06: --max-conns refuses with 503; --header-timeout frees a slowloris slot (issue 22)', async () => {
    const { url } = await serve([
      fixture('app.js'),
      '--max-conns',
      '1',
      '--header-timeout',
      '1500', // long enough that the slowloris still holds the slot when the next request comes
      '--access-log',
    ]);
    const port = Number(new URL(url).port);
    // A slowloris: one header byte, then nothing. It holds the only slot...
    const slow = connect({ port, host: '127.0.0.1' });
    slow.on('error', () => {});
    await new Promise((r) => slow.once('connect', r));
    slow.write('G');
    const slowClosed = new Promise<string>((r) => {
      let text = '';
      slow.on('data', (d) => {
        text += d;
      });
      slow.once('close', () => r(text));
    });
    await new Promise((r) => setTimeout(r, 50));
    expect((await get(url)).status).toBe(503);
    // ...until the header timeout answers it 408 and closes it; then a good request succeeds.
    expect(await slowClosed).toMatch(/^HTTP\/1\.1 408 /);
    // The server may see the close an instant after the client does: poll, briefly.
    await expect.poll(async () => (await get(url)).status, { timeout: 3000 }).toBe(200);
  });

  it('ERR-01: the error log stamps each line with time and pid, and names the request (issue 23)', async () => {
    const { daemon, url } = await serve([fixture('app.js')]);
    expect((await get(`${url}/throw?q=1`)).status).toBe(500);
    await expect
      .poll(() => daemon.output())
      .toMatch(
        /^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000\] \[\d+\] GET \/throw\?q=1: ERR-01: application error: Error: fixture: thrown on purpose$/m,
      );
    // The stack's lines are stamped too: a log shared by workers stays attributable.
    await expect.poll(() => daemon.output()).toMatch(/^\[[^\]]+\] \[\d+\] {5}at /m);
  });

  it('serve an `export default { fetch }` module through fromFetch, and say so (issue 23)', async () => {
    const { daemon, url } = await serve([fixture('fetch-app.mjs'), '--script-name', '/api']);
    expect(daemon.output()).toContain('(a fetch handler, served through fromFetch)');
    // Mounted: the handler's routes see the path below the script name, as at the root.
    expect(await get(`${url}/api/users?id=7`)).toEqual({
      status: 200,
      body: 'fetch handler saw /users?id=7',
    });
  });

  it('systemd socket activation: without --bind, serve takes the socket on fd 3 (LISTEN_FDS, issue 23)', async () => {
    const activate = requireTool(
      'systemd-socket-activate',
      'passes a listening socket as systemd does',
    );
    if (activate === undefined) return;
    const port = await freePort();
    const d = startDaemon(activate, [
      '-l',
      `127.0.0.1:${port}`,
      process.execPath,
      BIN,
      'serve',
      fixture('app.js'),
    ]);
    daemons.push(d);
    await waitForPort(port);
    // The first connection makes systemd-socket-activate exec tsgi with the socket on fd 3.
    expect(JSON.parse((await get(`http://127.0.0.1:${port}/activated`)).body).path).toBe(
      '/activated',
    );
    await expect.poll(() => d.output()).toContain(`Listening on http://127.0.0.1:${port}`);
    // --workers cannot share one activated socket yet: a usage error, said once.
    const port2 = await freePort();
    const w = startDaemon(activate, [
      '-l',
      `127.0.0.1:${port2}`,
      ...[process.execPath, BIN, 'serve', fixture('app.js'), '--workers', '2'],
    ]);
    daemons.push(w);
    await waitForPort(port2);
    connect({ port: port2, host: '127.0.0.1' }).on('error', () => {});
    await expect
      .poll(() => w.output())
      .toContain('tsgi: --workers with systemd socket activation: not supported');
  });

  it('ENV-19: --forwarded-allow-ips believes X-Forwarded-For/-Proto from the proxies named, and no one else (issue 23)', async () => {
    const seen = async (url: string): Promise<{ remote: string; scheme: string }> =>
      new Promise((done, reject) => {
        request(
          `${url}/who`,
          {
            agent: false,
            headers: { 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https' },
          },
          (res) => {
            let body = '';
            res.on('data', (d) => {
              body += d;
            });
            res.on('end', () => done(JSON.parse(body)));
          },
        )
          .on('error', reject)
          .end();
      });
    const trusting = await serve([fixture('app.js'), '--forwarded-allow-ips', '127.0.0.1']);
    expect(await seen(trusting.url)).toMatchObject({ remote: '203.0.113.7', scheme: 'https' });
    const plain = await serve([fixture('app.js')]);
    expect(await seen(plain.url)).toMatchObject({ remote: '127.0.0.1', scheme: 'http' });
  });

  it('tsgi.config.json in the working directory supplies APP and flags; the command line wins (issue 23)', async () => {
    const tmp = tempDir('tsgi-cfg-');
    writeFileSync(
      join(tmp.path, 'tsgi.config.json'),
      JSON.stringify({ app: fixture('app.js'), 'script-name': '/cfg', bind: '127.0.0.1:1' }),
    );
    // serve() adds --bind 127.0.0.1:0 after the file's bind: the flag wins.
    const { url } = await serve([], tmp.path);
    expect(JSON.parse((await get(`${url}/cfg/x`)).body)).toMatchObject({
      scriptName: '/cfg',
      path: '/x',
    });
    tmp.remove();
  });

  it('--certfile/--keyfile serve HTTPS (HTTPS=on, tsgi.url_scheme https); one without the other exits 2 (issue 20)', async () => {
    const tmp = tempDir('tsgi-tls-');
    const key = join(tmp.path, 'key.pem');
    const cert = join(tmp.path, 'cert.pem');
    const made = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    expect(made.status).toBe(0);
    const { url } = await serve([fixture('app.js'), '--certfile', cert, '--keyfile', key]);
    expect(url.startsWith('https://')).toBe(true);
    const body = await new Promise<string>((done, reject) => {
      httpsRequest(
        `${url}/secure`,
        { ca: readFileSync(cert), agent: false, servername: 'localhost' },
        (res) => {
          let text = '';
          res.on('data', (d) => {
            text += d;
          });
          res.on('end', () => done(text));
        },
      )
        .on('error', reject)
        .end();
    });
    expect(JSON.parse(body)).toMatchObject({ path: '/secure', scheme: 'https' });
    const half = await run(['serve', fixture('app.js'), '--certfile', cert]);
    expect([half.code, half.stderr]).toEqual([
      2,
      'tsgi: --certfile and --keyfile go together (HTTPS needs both)\n',
    ]);
    tmp.remove();
  });

  it('--ping-path and --status-path answer before the application, as php-fpm ping.path/pm.status_path (issue 23)', async () => {
    const { url } = await serve([
      fixture('app.js'),
      '--ping-path',
      '/ping',
      '--status-path',
      '/status',
    ]);
    expect(await get(`${url}/ping`)).toEqual({ status: 200, body: 'pong\n' });
    await get(`${url}/app-request`);
    const status = JSON.parse((await get(`${url}/status`)).body);
    expect(status).toMatchObject({ accepted_requests: 1, connections: expect.any(Number) });
    expect(status.pid).toBeGreaterThan(0);
    expect(JSON.parse((await get(`${url}/other`)).body).path).toBe('/other');
  });

  it('SIGTTIN/SIGTTOU: one worker more, one fewer, as gunicorn (issue 23)', async () => {
    const { daemon, url } = await serve([fixture('app.js'), '--workers', '2']);
    daemon.process.kill('SIGTTIN');
    await expect.poll(() => daemon.output()).toContain('tsgi: SIGTTIN: 3 workers');
    daemon.process.kill('SIGTTOU');
    await expect.poll(() => daemon.output()).toContain('tsgi: SIGTTOU: 2 workers');
    expect((await get(`${url}/`)).status).toBe(200);
    expect(daemon.output()).not.toMatch(/exited with code|was killed/);
  });

  it('--timeout: a worker whose event loop is stuck is killed and replaced (issue 23)', async () => {
    const { daemon, url } = await serve([fixture('app.js'), '--workers', '2', '--timeout', '1']);
    // One worker busy-loops for 10 s; its request is lost with it, the others are served.
    get(`${url}/block`, 15_000).catch(() => {});
    await expect
      .poll(() => daemon.output(), { timeout: 8000 })
      .toMatch(/tsgi: worker \d+ did not answer for 1000 ms \(--timeout\); killing it/);
    expect((await get(`${url}/after`)).status).toBe(200);
  });

  it('--log-level: error hides the start-up and worker notices but keeps the error log; critical hides both (issue 23)', async () => {
    const port = await freePort();
    const quiet = startDaemon(process.execPath, [
      BIN,
      'serve',
      fixture('app.js'),
      '--bind',
      `127.0.0.1:${port}`,
      '--workers',
      '2',
      '--log-level',
      'error',
    ]);
    daemons.push(quiet);
    await waitForPort(port);
    await expect
      .poll(
        async () =>
          (await get(`http://127.0.0.1:${port}/throw`).catch(() => ({ status: 0 }))).status,
      )
      .toBe(500);
    await expect.poll(() => quiet.output()).toMatch(/ERR-01: application error/);
    expect(quiet.output()).not.toContain('Listening on');
    const port2 = await freePort();
    const silent = startDaemon(process.execPath, [
      BIN,
      'serve',
      fixture('app.js'),
      '--bind',
      `127.0.0.1:${port2}`,
      '--log-level',
      'critical',
    ]);
    daemons.push(silent);
    await waitForPort(port2);
    expect((await get(`http://127.0.0.1:${port2}/throw`)).status).toBe(500);
    await new Promise((r) => setTimeout(r, 200));
    expect(silent.output()).toBe('');
    const bad = await run(['serve', fixture('app.js'), '--log-level', 'loud']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "tsgi: --log-level must be one of debug, info, warning, error, critical, got 'loud'\n",
    ]);
  });

  it('tsgi build bundles a .ts APP into one .mjs that serves without tsx; tsgi cgi on a .ts APP says so, once an hour (issue 23)', async () => {
    const tmp = tempDir('tsgi-build-');
    const ts = join(tmp.path, 'app.ts');
    writeFileSync(ts, readFileSync(fixture('app.ts')));
    const out = join(tmp.path, 'app.mjs');
    const built = await run(['build', ts, '-o', out]);
    expect([built.code, built.stdout]).toEqual([
      0,
      expect.stringMatching(/^tsgi build: wrote .*app\.mjs \(\d+ bytes\)\n$/),
    ]);
    expect(readFileSync(out, 'utf8')).not.toContain('tsx');
    const { url } = await serve([out]);
    expect((await get(`${url}/built`)).status).toBe(200);
    // CGI: the hint goes to the web server's error log on the first request, not the next.
    const cgiEnv = {
      ...process.env,
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: 'GET',
      SCRIPT_NAME: '/x',
      PATH_INFO: '/',
      SERVER_NAME: 'localhost',
      SERVER_PORT: '80',
      SERVER_PROTOCOL: 'HTTP/1.1',
    };
    const first = spawnSync(process.execPath, [BIN, 'cgi', ts], { env: cgiEnv, encoding: 'utf8' });
    expect(first.stderr).toContain(
      `tsgi cgi: ${ts} is TypeScript, compiled on every request; build it once for speed: tsgi build ${ts}`,
    );
    expect(first.stdout).toMatch(/^Status: 200|^Content-Type/im);
    const second = spawnSync(process.execPath, [BIN, 'cgi', ts], { env: cgiEnv, encoding: 'utf8' });
    expect(second.stderr).not.toContain('is TypeScript');
    tmp.remove();
  });

  it('bad limits exit 2 naming the flag', async () => {
    for (const [flag, value] of [
      ['--max-conns', '0'],
      ['--header-timeout', 'x'],
      ['--keep-alive', '-1'],
    ] as const) {
      const r = await run(['serve', fixture('app.js'), flag, value]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(flag);
    }
    const f = await run(['fastcgi', fixture('app.js'), '--read-timeout', '0']);
    expect([f.code, f.stderr.includes('--read-timeout')]).toEqual([2, true]);
  });

  it('--access-log-file appends JSON lines (--access-log-format json) and reopens on SIGUSR1 (issue 23)', async () => {
    const tmp = tempDir('tsgi-access-');
    const file = join(tmp.path, 'access.log');
    const { daemon, url } = await serve([
      fixture('app.js'),
      '--access-log-file',
      file,
      '--access-log-format',
      'json',
    ]);
    await get(`${url}/first`);
    await expect
      .poll(() => (existsSync(file) ? readFileSync(file, 'utf8') : ''))
      .toContain('"request":"GET /first HTTP/1.1"');
    // logrotate: move the file away, signal, and the next line goes to a new file.
    renameSync(file, `${file}.1`);
    daemon.process.kill('SIGUSR1');
    await new Promise((r) => setTimeout(r, 100));
    await get(`${url}/second`);
    await expect
      .poll(() => (existsSync(file) ? readFileSync(file, 'utf8') : ''))
      .toContain('"request":"GET /second HTTP/1.1"');
    expect(readFileSync(`${file}.1`, 'utf8')).not.toContain('/second');
    const bad = await run(['serve', fixture('app.js'), '--access-log-format', 'xml']);
    expect([bad.code, bad.stderr]).toEqual([
      2,
      "tsgi: --access-log-format must be common, combined or json, got 'xml'\n",
    ]);
    tmp.remove();
  });

  it('--reload: a changed file under the APP directory is served without a restart by hand (issue 23)', async () => {
    const tmp = tempDir('tsgi-reload-');
    const file = join(tmp.path, 'app.mjs');
    const version = (v: string) =>
      `export default (e, sr) => { sr('200 OK', [['content-type', 'text/plain']]); return [new TextEncoder().encode('${v}')]; };\n`;
    writeFileSync(file, version('one'));
    const { daemon, url } = await serve([file, '--reload']);
    expect((await get(url)).body).toBe('one');
    writeFileSync(file, version('two'));
    await expect.poll(async () => (await get(url)).body, { timeout: 10_000 }).toBe('two');
    expect(daemon.output()).toMatch(
      /tsgi: app\.mjs changed: starting 1 new workers, then stopping 1 gracefully/,
    );
    tmp.remove();
  });

  it('--max-requests: a worker is replaced after serving its share, without failing a request (issue 23)', async () => {
    const { daemon, url } = await serve([
      fixture('app.js'),
      '--workers',
      '2',
      '--max-requests',
      '3',
    ]);
    const pids = new Set<number>();
    // A worker keeps serving until its replacement listens, then leaves: a few hundred ms here,
    // seconds on a loaded machine, in which a request loop makes hundreds of requests (348 of
    // them once; a bound of 300 failed in CI). Bounded by time instead.
    const until = Date.now() + 20_000;
    while (Date.now() < until && pids.size <= 2) {
      const res = await get(`${url}/`);
      expect(res.status).toBe(200);
      pids.add((JSON.parse(res.body) as { pid: number }).pid);
    }
    // More than the two first workers have served, and no request failed.
    expect(pids.size).toBeGreaterThan(2);
    expect(daemon.output()).toMatch(/tsgi: worker \d+ served 3 requests; replacing it/);
    expect(daemon.output()).not.toMatch(/exited with code|was killed/);
    const single = await run(['serve', fixture('app.js'), '--max-requests', '3']);
    expect([single.code, single.stderr]).toEqual([
      2,
      'tsgi: --max-requests needs --workers 2 or more (a worker is replaced, not the server)\n',
    ]);
  });

  it("README's first command: `pnpm start` serves examples/hello (/, /echo, /stream)", async () => {
    const { url } = await serve(['examples/hello/app.ts']);
    expect(await get(`${url}/`)).toEqual({ status: 200, body: 'Hello, World!\n' });
    const echo = JSON.parse((await get(`${url}/echo?a=1`)).body) as {
      method: string;
      path: string;
      query: string;
    };
    expect(echo).toMatchObject({ method: 'GET', path: '/echo', query: 'a=1' });
    expect((await get(`${url}/stream`)).body).toBe(
      'chunk 1 of 5\nchunk 2 of 5\nchunk 3 of 5\nchunk 4 of 5\nchunk 5 of 5\n',
    );
  });
});
