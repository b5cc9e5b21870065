/**
 * Runs a CGI script as a web server would (the HTTP::Request::AsCGI approach): exactly the given
 * environment plus PATH, the request body on stdin, stdout kept as bytes and split at the end of
 * the CGI header block. One runner for the CGI adapter's tests and the stress tests.
 */
import { spawn } from 'node:child_process';

/** What a CGI process produced. */
export interface CgiRun {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  /** The signal that ended the process (the `timeout` kill is SIGKILL), or null. */
  signal: NodeJS.Signals | null;
  /** The header block up to and including its last CRLF, as latin-1 (all of stdout without one). */
  head: string;
  /** What follows the header block's CRLF CRLF (empty without one). */
  body: Buffer;
  /** From the `Status:` line; 0 without a header block or a `Status:` first line. */
  status: number;
  /** Wall time from spawn to close. */
  ms: number;
}

/** How to run it. */
export interface CgiRunOptions {
  /** Values that are byte strings: set through `/bin/sh` `printf`, so octets that are not UTF-8
   * reach the process intact (child_process would encode a JS string as UTF-8). */
  rawEnv?: Readonly<Record<string, string>> | undefined;
  argv?: readonly string[] | undefined;
  cwd?: string | undefined;
  /** SIGKILL after this many ms (default: no limit). */
  timeout?: number | undefined;
  /** Keep at most about this many characters of stderr (default: all). */
  maxStderr?: number | undefined;
  /**
   * The interpreter and its flags, before the script: default `[process.execPath]` (this Node);
   * `[deno, 'run', '-A']` or `[bun]` run the script on another runtime (issue 18).
   */
  interpreter?: readonly string[] | undefined;
}

/** Runs `script` with exactly `env` (plus PATH) and `stdin`. */
export function runCgi(
  script: string,
  env: Readonly<Record<string, string>>,
  stdin: Uint8Array | string = '',
  options: CgiRunOptions = {},
): Promise<CgiRun> {
  const t0 = Date.now();
  const argv = options.argv ?? [];
  const [interpreter, ...flags] = options.interpreter ?? [process.execPath];
  let command = interpreter!;
  let args = [...flags, script, ...argv];
  const raw = options.rawEnv ?? {};
  const names = Object.keys(raw);
  if (names.length > 0) {
    const octal = (s: string): string =>
      [...s].map((c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`).join('');
    const sets = names.map((n) => `export ${n}="$(printf '${octal(raw[n]!)}')"`).join('; ');
    command = '/bin/sh';
    args = ['-c', `${sets}; exec "$0" "$@"`, interpreter!, ...flags, script, ...argv];
  }
  const maxStderr = options.maxStderr ?? Number.POSITIVE_INFINITY;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { PATH: '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const killer =
      options.timeout === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.timeout);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      if (err.length < maxStderr) err += d.toString();
    });
    child.stdin.on('error', () => {}); // the script may exit without reading
    child.stdin.end(stdin);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const stdout = Buffer.concat(out);
      const cut = stdout.indexOf('\r\n\r\n');
      const head = cut < 0 ? stdout.toString('latin1') : stdout.toString('latin1', 0, cut + 2);
      const m = /^Status: (\d{3})/.exec(head);
      resolve({
        stdout,
        stderr: err,
        code,
        signal,
        head,
        body: cut < 0 ? Buffer.alloc(0) : stdout.subarray(cut + 4),
        status: cut >= 0 && m !== null ? Number(m[1]) : 0,
        ms: Date.now() - t0,
      });
    });
  });
}
