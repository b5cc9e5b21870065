/**
 * @tsgi/node and @tsgi/fastcgi share one server lifecycle (@tsgi/server-node, issue 17), so
 * they now behave the same for: a stale unix socket (replaced) and a live one (EADDRINUSE),
 * shutdown with a request in flight (SRV-09), signals and exit codes, and the export rule
 * (default, else `app`) in `tsgi serve`, `tsgi fastcgi` and `tsgi cgi`. Each case runs the same
 * assertions against both adapters.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Application } from '@tsgi/core';
import { FastCGIClient, parseCgiResponse, serveFastCGI } from '@tsgi/fastcgi';
import { tempDir } from '@tsgi/harness';
import { serve } from '@tsgi/node';
import { afterEach, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('.', import.meta.url));
const BIN = resolve(here, '../bin/tsgi.cjs');
const APP_EXPORT = join(here, 'fixtures', 'app-export.mjs');
const NO_APP = join(here, 'fixtures', 'no-app.mjs');

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function socketPath(): string {
  const dir = tempDir('tsgi-parity-');
  cleanup.push(() => dir.remove());
  return join(dir.path, 'app.sock');
}

/** One adapter, started in-process on a unix socket, and one GET through it. */
interface Adapter {
  name: string;
  /** `log` receives the server's error log (default: dropped). */
  start(
    app: Application,
    path: string,
    log?: (text: string) => void,
  ): Promise<{ close(timeout: number): Promise<void> }>;
  get(path: string, pathInfo?: string): Promise<{ status: number; body: string }>;
}

const node: Adapter = {
  name: '@tsgi/node',
  async start(app, path, log = () => {}) {
    const handle = await serve(app, { path, errors: log });
    return { close: (timeout) => handle.close({ timeout }) };
  },
  get: (socketPath, pathInfo = '/') =>
    new Promise((done, reject) => {
      request({ socketPath, path: pathInfo, agent: false, headers: { host: 'x' } }, (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => done({ status: res.statusCode!, body }));
        res.on('error', reject);
      })
        .on('error', reject)
        .end();
    }),
};

function fcgiParams(pathInfo: string): Record<string, string> {
  return {
    REQUEST_METHOD: 'GET',
    SCRIPT_NAME: '',
    PATH_INFO: pathInfo,
    REQUEST_URI: pathInfo,
    QUERY_STRING: '',
    SERVER_PROTOCOL: 'HTTP/1.1',
    SERVER_NAME: 'x',
    SERVER_PORT: '80',
    REMOTE_ADDR: '127.0.0.1',
    HTTP_HOST: 'x',
  };
}

const fastcgi: Adapter = {
  name: '@tsgi/fastcgi',
  async start(app, path, log = () => {}) {
    const server = await serveFastCGI(app, { path, errors: log });
    return { close: (timeout) => server.close({ timeout }) };
  },
  async get(path, pathInfo = '/') {
    const client = await FastCGIClient.connect({ path });
    try {
      const res = await client.request({ params: fcgiParams(pathInfo) });
      if (!res.complete) throw new Error('the response was cut short');
      const cgi = parseCgiResponse(res.stdout);
      return { status: cgi.status, body: Buffer.from(cgi.body).toString() };
    } finally {
      client.destroy();
    }
  },
};

/** A socket file left behind by a process killed while listening. */
function staleSocket(path: string): void {
  spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
}

function refused(path: string): Promise<boolean> {
  return new Promise((done) => {
    const s = connect({ path }, () => {
      s.destroy();
      done(false);
    });
    s.on('error', () => done(true));
  });
}

const hello: Application = (_environ, startResponse) => {
  startResponse('200 OK', [['content-type', 'text/plain']]);
  return [new TextEncoder().encode('hello\n')];
};

describe.each([node, fastcgi])('$name', (adapter) => {
  it('ADP-FCGI-17: a stale unix socket is replaced; a live one fails with EADDRINUSE', async () => {
    const path = socketPath();
    staleSocket(path);
    const server = await adapter.start(hello, path);
    cleanup.push(() => server.close(100));
    expect(await adapter.get(path)).toEqual({ status: 200, body: 'hello\n' });
    // Neither adapter takes a socket from a running server, whichever adapter runs it.
    for (const other of [node, fastcgi]) {
      await expect(other.start(hello, path)).rejects.toMatchObject({
        code: 'EADDRINUSE',
        message: `listen EADDRINUSE: ${path}: another process accepts connections on this socket`,
      });
    }
    expect(await adapter.get(path)).toEqual({ status: 200, body: 'hello\n' });
  });

  it('SRV-09: shutdown refuses new connections, lets the in-flight request finish, then resolves', async () => {
    const path = socketPath();
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let started!: () => void;
    const inFlight = new Promise<void>((r) => {
      started = r;
    });
    const server = await adapter.start(async (environ, startResponse) => {
      started();
      await released;
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return [new TextEncoder().encode(`done ${environ['tsgi.signal'].aborted}\n`)];
    }, path);
    const response = adapter.get(path);
    await inFlight;
    let closed = false;
    const closing = server.close(60_000).then(() => {
      closed = true;
    });
    expect(await refused(path)).toBe(true);
    expect(closed).toBe(false);
    release();
    expect(await response).toEqual({ status: 200, body: 'done false\n' });
    await closing;
  });

  it('BODY-24, SRV-09: shutdown waits for the completion hook of a response already sent', async () => {
    const path = socketPath();
    const events: string[] = [];
    const server = await adapter.start((_environ, startResponse) => {
      startResponse('200 OK', [['content-type', 'text/plain']]);
      return Object.assign([new TextEncoder().encode('sent\n')], {
        async [Symbol.asyncDispose]() {
          events.push('hook started');
          await new Promise((r) => setTimeout(r, 300));
          events.push('hook settled');
        },
      });
    }, path);
    expect(await adapter.get(path)).toEqual({ status: 200, body: 'sent\n' });
    events.push('response received');
    await server.close(60_000);
    events.push('shutdown complete');
    expect(events.slice(-2)).toEqual(['hook settled', 'shutdown complete']);
    expect(events).toContain('hook started');
  });

  it('BODY-24: a completion hook that never settles is logged, and shutdown completes at the timeout', async () => {
    const path = socketPath();
    let log = '';
    const server = await adapter.start(
      (_environ, startResponse) => {
        startResponse('200 OK', [['content-type', 'text/plain']]);
        return Object.assign([new TextEncoder().encode('sent\n')], {
          [Symbol.asyncDispose]: () => new Promise<void>(() => {}),
        });
      },
      path,
      (text) => {
        log += text;
      },
    );
    expect(await adapter.get(path, '/stuck')).toEqual({ status: 200, body: 'sent\n' });
    await server.close(50);
    expect(log).toMatch(
      /^BODY-24: shutdown timed out after 50 ms with .*GET \/stuck.* still waiting for the completion hook of its response body\n$/m,
    );
  });

  it('SRV-09, ENV-24: past the shutdown timeout, tsgi.signal of the request still running aborts', async () => {
    const path = socketPath();
    let signal: AbortSignal | undefined;
    const server = await adapter.start(async (environ) => {
      signal = environ['tsgi.signal'];
      await new Promise((r) => signal!.addEventListener('abort', r));
      throw new Error('aborted');
    }, path);
    const response = adapter.get(path).catch(() => 'cut short');
    while (signal === undefined) await new Promise((r) => setImmediate(r));
    await server.close(50);
    expect(signal.aborted).toBe(true);
    expect(await response).not.toEqual(expect.objectContaining({ status: 200 }));
  });
});

/** Runs `tsgi <args>` to completion. */
function run(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
    const child = spawn(process.execPath, [BIN, ...args], { env });
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

/** Starts `tsgi <command> APP --bind unix:PATH` and resolves once it listens. */
async function daemon(
  command: string,
  path: string,
): Promise<{ child: ChildProcess; out(): string }> {
  const child = spawn(process.execPath, [BIN, command, APP_EXPORT, '--bind', `unix:${path}`]);
  let out = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    out += d;
  });
  cleanup.push(() => child.kill('SIGKILL'));
  while (!/listening on/i.test(out)) {
    if (child.exitCode !== null) throw new Error(`tsgi ${command} exited: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, out: () => out };
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));

describe('tsgi serve and tsgi fastcgi', () => {
  it('APP-01: the export rule: `app` is served without naming it; no application is the same error', async () => {
    for (const [command, adapter] of [
      ['serve', node],
      ['fastcgi', fastcgi],
    ] as const) {
      const path = socketPath();
      await daemon(command, path);
      expect(await adapter.get(path)).toEqual({ status: 200, body: 'the app export\n' });
    }
    const cgi = await run(['cgi', APP_EXPORT], { ...process.env, REQUEST_METHOD: 'GET' });
    expect(cgi.stdout).toMatch(/\r?\n\r?\nthe app export\n$/);
    const expected = `tsgi: ${NO_APP} exports no application: neither its default export nor an export named 'app' is a function; it exports default (object), handler (number) (name one with ${NO_APP}:<export>)\n`;
    for (const command of ['serve', 'fastcgi']) {
      const r = await run([command, NO_APP, '--bind', `unix:${socketPath()}`]);
      expect([r.code, r.stderr]).toEqual([2, expected]);
    }
  });

  it('SIGTERM with a request that never finishes: a second SIGTERM exits 143 in both', async () => {
    for (const [command, adapter] of [
      ['serve', node],
      ['fastcgi', fastcgi],
    ] as const) {
      const path = socketPath();
      const { child, out } = await daemon(command, path);
      void adapter.get(path, '/hang').catch(() => {});
      while (!out().includes('hang: started')) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM');
      while (!(await refused(path))) await new Promise((r) => setTimeout(r, 10));
      child.kill('SIGTERM'); // the shutdown is waiting for /hang: this one forces the exit
      expect(await exited(child)).toBe(143);
    }
  });
});
