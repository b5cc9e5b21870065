/**
 * Unix domain socket files: the stale-socket rule and the file's mode, owner and group.
 *
 * The stale-socket rule (ADP-FCGI-17, and `serve({ path })`): a process killed while listening
 * leaves its socket file behind, and binding the path again fails with EADDRINUSE. Before
 * replacing the file, connect to it. Nothing answers (ECONNREFUSED): it is stale, so unlink it
 * and listen. Something answers: another server owns it, so fail with EADDRINUSE, never steal
 * it. A path that is not a socket is never removed.
 * @module
 */
import { readFileSync } from 'node:fs';
import { chmod, chown, lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { isDigits } from '@tsgi/core';

/** Who may use a unix socket file (a front end's worker user must be able to connect). */
export interface UnixSocketOptions {
  /** Permission bits, e.g. `0o660` or `'660'` (octal text). Default: what the umask leaves. */
  socketMode?: number | string | undefined;
  /** Owner: a user name or uid. Changing it needs root. Default: the process's user. */
  socketOwner?: number | string | undefined;
  /** Group: a group name or gid. Default: the process's group. */
  socketGroup?: number | string | undefined;
}

/** What connecting to a socket path found. */
export type SocketProbe = 'accepting' | 'refused' | 'missing';

/**
 * Connects to the unix socket at `path`: `'accepting'` when a server answers (or its backlog is
 * full), `'refused'` when nothing listens (a stale file), `'missing'` when there is no file.
 */
export function probeUnixSocket(path: string): Promise<SocketProbe> {
  return new Promise((resolve, reject) => {
    const socket = connect({ path }, () => {
      socket.destroy();
      resolve('accepting');
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('refused');
      else if (err.code === 'ENOENT') resolve('missing');
      // EAGAIN: a listener whose backlog is full.
      else if (err.code === 'EAGAIN') resolve('accepting');
      else reject(err);
    });
  });
}

/** The EADDRINUSE error for a socket path another process serves. */
export function addressInUseError(path: string, why: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`listen EADDRINUSE: ${path}: ${why}`);
  err.code = 'EADDRINUSE';
  err.errno = -98;
  err.syscall = 'listen';
  (err as { address?: string }).address = path;
  return err;
}

/**
 * Applies the stale-socket rule to `path` before listening: returns when the path is free (it
 * was missing, or a stale socket file that is now removed); throws EADDRINUSE when a server
 * answers on it or the path is not a socket.
 */
export async function clearStaleSocket(path: string): Promise<void> {
  let isSocket: boolean;
  try {
    isSocket = (await lstat(path)).isSocket();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (!isSocket) throw addressInUseError(path, 'the path exists and is not a socket');
  const probe = await probeUnixSocket(path);
  if (probe === 'accepting')
    throw addressInUseError(path, 'another process accepts connections on this socket');
  if (probe === 'refused') {
    try {
      await unlink(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

/** `0o660`, `'660'`, `'0660'` or `'0o660'` as permission bits. */
export function parseSocketMode(mode: number | string): number {
  const text = typeof mode === 'number' ? '' : mode.trim().replace(/^0o/i, '');
  const bits = typeof mode === 'number' ? mode : /^[0-7]{1,4}$/.test(text) ? parseInt(text, 8) : -1;
  if (!Number.isInteger(bits) || bits < 0 || bits > 0o7777) {
    throw new RangeError(`socketMode must be octal permission bits like 0o660, got ${mode}`);
  }
  return bits;
}

/** A uid or gid: a number, decimal text, or a name looked up in /etc/passwd or /etc/group. */
export function resolveId(kind: 'user' | 'group', id: number | string): number {
  if (typeof id === 'number' || isDigits(id)) {
    const n = Number(id);
    if (Number.isSafeInteger(n) && n >= 0) return n;
    throw new RangeError(`socket ${kind} id must be a non-negative integer, got ${id}`);
  }
  const file = kind === 'user' ? '/etc/passwd' : '/etc/group';
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    // no such file (not a Unix system): the name is unknown
  }
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields[0] === id && fields[2] !== undefined && isDigits(fields[2]))
      return Number(fields[2]);
  }
  throw new RangeError(`unknown ${kind} ${JSON.stringify(id)} for the socket (not in ${file})`);
}

/** Gives the socket file at `path` the mode, owner and group asked for. */
export async function applySocketOptions(path: string, options: UnixSocketOptions): Promise<void> {
  const { socketMode, socketOwner, socketGroup } = options;
  if (socketOwner !== undefined || socketGroup !== undefined) {
    const uid = socketOwner === undefined ? -1 : resolveId('user', socketOwner);
    const gid = socketGroup === undefined ? -1 : resolveId('group', socketGroup);
    await chown(path, uid, gid);
  }
  if (socketMode !== undefined) await chmod(path, parseSocketMode(socketMode));
}
