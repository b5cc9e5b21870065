/**
 * Listening, the same way for every Node.js adapter: a TCP host and port (IPv4 or IPv6), a unix
 * socket path (with the stale-socket rule and the file's mode, owner and group), or a listening
 * socket inherited on a file descriptor (FCGI_LISTENSOCK_FILENO, systemd socket activation).
 * @module
 */
import { fstatSync } from 'node:fs';
import type { Server } from 'node:net';
import {
  applySocketOptions,
  clearStaleSocket,
  parseSocketMode,
  resolveId,
  type UnixSocketOptions,
} from './unix-socket.js';

/** Where to listen. */
export type ListenTarget =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number }
  | ({ readonly kind: 'unix'; readonly path: string } & UnixSocketOptions)
  | { readonly kind: 'fd'; readonly fd: number };

/** Where a server listens, once it does. */
export type ListenAddress =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'fd'; fd: number };

/** The address options every adapter accepts (flat, as in `serve(app, { port })`). */
export interface ListenOptions extends UnixSocketOptions {
  /** TCP interface, IPv4 or IPv6 (`::1`, `::`). */
  host?: string | undefined;
  /** TCP port; `0` picks a free one. */
  port?: number | undefined;
  /** Unix socket path; a stale socket file is replaced (see `clearStaleSocket`). */
  path?: string | undefined;
  /** A listening socket inherited on this file descriptor. */
  fd?: number | undefined;
}

/** The TCP interface used when none is given: loopback only. */
export const DEFAULT_HOST = '127.0.0.1';

/**
 * The target `options` name: `fd`, else `path`, else `port` (on `host`, default 127.0.0.1),
 * else what `fallback` returns (each adapter's default address).
 */
export function listenTarget(options: ListenOptions, fallback: () => ListenTarget): ListenTarget {
  if (options.fd !== undefined) return { kind: 'fd', fd: options.fd };
  if (options.path !== undefined) {
    const { path, socketMode, socketOwner, socketGroup } = options;
    return { kind: 'unix', path, socketMode, socketOwner, socketGroup };
  }
  if (options.port !== undefined)
    return { kind: 'tcp', host: options.host ?? DEFAULT_HOST, port: options.port };
  return fallback();
}

/** `SD_LISTEN_FDS_START`: the first descriptor systemd passes to a socket-activated service. */
export const SD_LISTEN_FDS_START = 3;

/**
 * The listening socket systemd passed to this process (socket activation, `sd_listen_fds(3)`):
 * descriptor 3 when `LISTEN_PID` is this process and `LISTEN_FDS` is at least 1, else
 * undefined. The variables are removed once read, as `sd_listen_fds(1)` does, so a child never
 * takes them for its own.
 */
export function systemdListenFd(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const count = Number(env.LISTEN_FDS);
  const mine = env.LISTEN_PID === String(process.pid);
  if (env.LISTEN_FDS !== undefined || env.LISTEN_PID !== undefined) {
    delete env.LISTEN_FDS;
    delete env.LISTEN_PID;
    delete env.LISTEN_FDNAMES;
  }
  if (!mine || !(count >= 1) || !isInheritedSocket(SD_LISTEN_FDS_START)) return undefined;
  return SD_LISTEN_FDS_START;
}

/** True when `fd` is a socket, as a web server or systemd leaves a listener to its child. */
export function isInheritedSocket(fd: number): boolean {
  try {
    return fstatSync(fd).isSocket();
  } catch {
    return false;
  }
}

function _listenOnce(
  server: Server,
  options: { fd: number } | { path: string } | { host: string; port: number },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(options, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/**
 * Starts `server` listening on `target` and resolves to where it listens. A unix socket path
 * taken by a stale socket file is freed and bound again; one a live server answers on fails with
 * EADDRINUSE. Socket options are checked before binding and applied right after.
 */
export async function listen(server: Server, target: ListenTarget): Promise<ListenAddress> {
  if (target.kind === 'fd') {
    await _listenOnce(server, { fd: target.fd });
    return { kind: 'fd', fd: target.fd };
  }
  if (target.kind === 'tcp') {
    await _listenOnce(server, { host: target.host, port: target.port });
    const a = server.address();
    const port = typeof a === 'object' && a !== null ? a.port : target.port;
    return { kind: 'tcp', host: target.host, port };
  }
  const path = target.path;
  // Bad options fail before anything is bound.
  if (target.socketMode !== undefined) parseSocketMode(target.socketMode);
  if (target.socketOwner !== undefined) resolveId('user', target.socketOwner);
  if (target.socketGroup !== undefined) resolveId('group', target.socketGroup);
  try {
    await _listenOnce(server, { path });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await clearStaleSocket(path); // throws EADDRINUSE when the socket is live
    await _listenOnce(server, { path });
  }
  try {
    await applySocketOptions(path, target);
  } catch (err) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw err;
  }
  return { kind: 'unix', path };
}

/** `[::1]` for an IPv6 literal, the host unchanged otherwise. */
export function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * The address as a URL: `http://127.0.0.1:8000`, `https://[::1]:8443`, `unix:/run/app.sock`,
 * `fd:0`. For an inherited descriptor, pass the server to report the address it has.
 */
export function listenUrl(address: ListenAddress, scheme = 'http', server?: Server): string {
  if (address.kind === 'tcp') return `${scheme}://${urlHost(address.host)}:${address.port}`;
  if (address.kind === 'unix') return `unix:${address.path}`;
  const a = server?.address();
  if (typeof a === 'string') return `unix:${a}`;
  if (a != null) return `${scheme}://${urlHost(a.address)}:${a.port}`;
  return `fd:${address.fd}`;
}
