/**
 * The CLI's logs. The access log can go to a file (`appendingLog`). The server's error log as
 * the CLI writes it: each line stamped with the time and the process,
 * as gunicorn's `[2026-12-06 12:00:00 +0000] [1234]` (issue 23: an operator reading a log of
 * several workers needs to know when and where). The engine's own lines already name the request
 * (`GET /path: ERR-01: application error: ...`); text an application writes to `tsgi.errors` is
 * stamped the same way, line by line.
 */

import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from './_args.js';
import { logs } from './_log-level.js';

/**
 * An access log appended to `path`, one line a write (`O_APPEND`: several workers can share the
 * file). SIGUSR1 reopens it, as nginx and gunicorn do, so logrotate can move it away.
 */
export function appendingLog(path: string): (line: string) => void {
  const open = (): number => {
    try {
      return openSync(path, 'a');
    } catch (err) {
      throw new UsageError(`--access-log-file ${path}: ${(err as Error).message}`);
    }
  };
  let fd = open();
  process.on('SIGUSR1', () => {
    try {
      const old = fd;
      fd = open();
      closeSync(old);
    } catch (err) {
      process.stderr.write(`tsgi: cannot reopen the access log: ${(err as Error).message}\n`);
    }
  });
  return (line) => {
    writeSync(fd, `${line}\n`);
  };
}

/** `[YYYY-MM-DD HH:MM:SS +0000] [pid] ` in UTC. */
function _stamp(now: Date): string {
  const iso = now.toISOString();
  return `[${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000] [${process.pid}] `;
}

/**
 * An `errors` option for the adapters: stamped lines on standard error. With `wholeLines` (the
 * FastCGI and SCGI servers, whose diagnostics come without a newline) each write ends a line.
 */
export function stampedErrors(
  wholeLines = false,
  write: (text: string) => void = (t) => process.stderr.write(t),
) {
  let atLineStart = true;
  return (text: string): void => {
    if (text === '' || !logs('error')) return;
    if (wholeLines && !text.endsWith('\n')) text += '\n';
    const stamp = _stamp(new Date());
    let out = '';
    for (const piece of text.split(/(?<=\n)/)) {
      out += atLineStart ? stamp + piece : piece;
      atLineStart = piece.endsWith('\n');
    }
    write(out);
  };
}
