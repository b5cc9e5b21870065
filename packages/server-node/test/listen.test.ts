/**
 * listen(): TCP (IPv4, IPv6), unix sockets with the stale-socket rule and file mode/owner/group,
 * and an inherited descriptor (ADP-FCGI-17 names the three for FastCGI; @tsgi/node has them too).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { tempDir } from '@tsgi/harness';
import {
  clearStaleSocket,
  isInheritedSocket,
  listen,
  listenTarget,
  listenUrl,
  probeUnixSocket,
} from '@tsgi/server-node';
import { afterEach, describe, expect, it } from 'vitest';

const servers: Server[] = [];
const dirs: Array<{ remove(): void }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
  for (const d of dirs.splice(0)) d.remove();
});

/** A server answering "hi" to each connection; closed after the test. */
function hello(): Server {
  const server = createServer((socket) => {
    socket.on('error', () => {}); // a probe connects and leaves at once
    socket.end('hi');
  });
  servers.push(server);
  return server;
}

function socketPath(): string {
  const dir = tempDir('tsgi-listen-');
  dirs.push(dir);
  return join(dir.path, 'app.sock');
}

/** What a connection to `options` reads before the server closes it. */
function read(options: { path: string } | { port: number; host: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(options);
    let text = '';
    s.on('data', (d) => {
      text += d;
    });
    s.on('end', () => resolve(text));
    s.on('error', reject);
  });
}

/** A socket file left behind by a process killed while listening (nothing accepts on it). */
function staleSocket(path: string): void {
  spawnSync(process.execPath, [
    '-e',
    `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`,
  ]);
  expect(lstatSync(path).isSocket()).toBe(true);
}

function ipv6(): boolean {
  const r = spawnSync(process.execPath, [
    '-e',
    "require('net').createServer().listen(0, '::1', function () { this.close(); }).on('error', () => process.exit(1))",
  ]);
  return r.status === 0;
}

describe('listen', () => {
  it('TCP on 127.0.0.1 with port 0: the address has the port picked', async () => {
    const server = hello();
    const address = await listen(server, { kind: 'tcp', host: '127.0.0.1', port: 0 });
    expect(address.kind).toBe('tcp');
    const port = address.kind === 'tcp' ? address.port : 0;
    expect(port).toBeGreaterThan(0);
    expect(listenUrl(address)).toBe(`http://127.0.0.1:${port}`);
    expect(await read({ host: '127.0.0.1', port })).toBe('hi');
  });

  it.skipIf(!ipv6())('TCP on ::1: the URL brackets the IPv6 address', async () => {
    const server = hello();
    const address = await listen(server, { kind: 'tcp', host: '::1', port: 0 });
    const port = address.kind === 'tcp' ? address.port : 0;
    expect(listenUrl(address, 'https')).toBe(`https://[::1]:${port}`);
    expect(await read({ host: '::1', port })).toBe('hi');
  });

  it('ADP-FCGI-17: a unix socket path; a stale socket file is replaced', async () => {
    const path = socketPath();
    staleSocket(path);
    expect(await probeUnixSocket(path)).toBe('refused');
    const address = await listen(hello(), { kind: 'unix', path });
    expect(address).toEqual({ kind: 'unix', path });
    expect(listenUrl(address)).toBe(`unix:${path}`);
    expect(await read({ path })).toBe('hi');
  });

  it('ADP-FCGI-17: a socket a live server answers on is not stolen: EADDRINUSE, saying why', async () => {
    const path = socketPath();
    await listen(hello(), { kind: 'unix', path });
    expect(await probeUnixSocket(path)).toBe('accepting');
    const second = createServer();
    const err = await listen(second, { kind: 'unix', path }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'EADDRINUSE',
      message: `listen EADDRINUSE: ${path}: another process accepts connections on this socket`,
    });
    expect(second.listening).toBe(false);
    expect(await read({ path })).toBe('hi'); // the first server still has it
  });

  it('a path that is not a socket is never removed', async () => {
    const path = socketPath();
    writeFileSync(path, 'precious');
    const err = await listen(createServer(), { kind: 'unix', path }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EADDRINUSE' });
    expect((err as Error).message).toMatch(/exists and is not a socket/);
    expect(statSync(path).isFile()).toBe(true);
    await expect(clearStaleSocket(path)).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  it('clearStaleSocket: a missing path is free; a stale one is removed', async () => {
    const path = socketPath();
    await clearStaleSocket(path);
    expect(await probeUnixSocket(path)).toBe('missing');
    staleSocket(path);
    await clearStaleSocket(path);
    expect(existsSync(path)).toBe(false);
  });

  it('socketMode sets the socket file mode; a bad mode fails before binding', async () => {
    const path = socketPath();
    await listen(hello(), { kind: 'unix', path, socketMode: '660' });
    expect(statSync(path).mode & 0o777).toBe(0o660);
    const other = socketPath();
    await expect(
      listen(createServer(), { kind: 'unix', path: other, socketMode: '9x9' }),
    ).rejects.toThrow(/socketMode must be octal permission bits like 0o660, got 9x9/);
    expect(existsSync(other)).toBe(false);
    await expect(
      listen(createServer(), { kind: 'unix', path: other, socketGroup: 'no-such-group-tsgi' }),
    ).rejects.toThrow(/unknown group "no-such-group-tsgi"/);
  });

  it.skipIf(process.getuid?.() !== 0)(
    'socketOwner and socketGroup by name or id (as root)',
    async () => {
      const path = socketPath();
      await listen(hello(), {
        kind: 'unix',
        path,
        socketOwner: 'nobody',
        socketGroup: 0,
        socketMode: 0o600,
      });
      const st = statSync(path);
      expect(st.uid).not.toBe(0); // nobody
      expect([st.gid, st.mode & 0o777]).toEqual([0, 0o600]);
    },
  );

  it('ADP-FCGI-17: an inherited listening socket on fd 0 (FCGI_LISTENSOCK_FILENO)', async () => {
    // A web server that spawns the application: the listener is the child's standard input.
    const owner = createServer();
    await listen(owner, { kind: 'tcp', host: '127.0.0.1', port: 0 });
    const port = (owner.address() as { port: number }).port;
    const fd = (owner as unknown as { _handle: { fd: number } })._handle.fd;
    expect(isInheritedSocket(fd)).toBe(true);
    expect(isInheritedSocket(999_999)).toBe(false);
    const lib = new URL('../dist/index.js', import.meta.url).href;
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { createServer } from 'node:net';
        import { isInheritedSocket, listen, listenUrl } from ${JSON.stringify(lib)};
        const server = createServer((socket) => socket.end('hi from the child'));
        const address = await listen(server, { kind: 'fd', fd: 0 });
        console.log(isInheritedSocket(0), JSON.stringify(address), listenUrl(address, 'http', server));`,
      ],
      { stdio: [fd, 'pipe', 'inherit'] },
    );
    try {
      // The child has its own copy of the socket: the parent stops accepting on it.
      await new Promise((r) => owner.close(r));
      const line = await new Promise<string>((resolve) => {
        let out = '';
        child.stdout!.on('data', (d) => {
          out += d;
          if (out.includes('\n')) resolve(out.trim());
        });
      });
      expect(line).toBe(`true {"kind":"fd","fd":0} http://127.0.0.1:${port}`);
      expect(await read({ host: '127.0.0.1', port })).toBe('hi from the child');
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('listenTarget: fd, then path, then port, else the adapter default', () => {
    const fallback = () => ({ kind: 'tcp', host: '127.0.0.1', port: 8000 }) as const;
    expect(listenTarget({ fd: 3, path: '/x', port: 1 }, fallback)).toEqual({ kind: 'fd', fd: 3 });
    expect(listenTarget({ path: '/x', port: 1, socketMode: 0o600 }, fallback)).toMatchObject({
      kind: 'unix',
      path: '/x',
      socketMode: 0o600,
    });
    expect(listenTarget({ port: 1 }, fallback)).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 1,
    });
    expect(listenTarget({ host: '::1', port: 0 }, fallback)).toEqual({
      kind: 'tcp',
      host: '::1',
      port: 0,
    });
    expect(listenTarget({}, fallback)).toEqual(fallback());
  });
});
