/**
 * Test helpers: run a CGI script as a child process with a synthetic environment and stdin
 * (the HTTP::Request::AsCGI approach), and a raw HTTP/1.1 client that reports framing, so a
 * truncated response is visible.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
/** Strips HTTP_PROXY, then imports app.mjs, then runCGI (the recommended script). */
export const CGI_SCRIPT = `${FIXTURES}cgi-script.mjs`;
/** Imports runCGI and app.mjs statically. */
export const DIRECT_SCRIPT = `${FIXTURES}direct.mjs`;
/** The `tsgi` executable of the workspace (packages/cli). */
export const TSGI_BIN = fileURLToPath(new URL('../../cli/bin/tsgi.cjs', import.meta.url));
/** True once the CLI and its `cgi` command are built. */
export const hasCli =
  existsSync(TSGI_BIN) &&
  existsSync(fileURLToPath(new URL('../../cli/dist/commands/cgi.js', import.meta.url)));

/** What a CGI process produced. */
export interface CgiResult {
  stdout: Buffer;
  stderr: string;
  code: number | null;
  /** The header block before the first CRLF CRLF, as latin-1 text. */
  head: string;
  body: Buffer;
}

/**
 * Runs `script` with exactly `env` (plus PATH) and `stdin`, like a web server would. Values in
 * `rawEnv` are byte strings set through `/bin/sh` `printf`, so octets that are not UTF-8 reach
 * the process intact (child_process would encode a JS string as UTF-8).
 */
export function runCgi(
  script: string,
  env: Record<string, string>,
  stdin: Uint8Array | string = '',
  rawEnv: Record<string, string> = {},
  argv: readonly string[] = [],
): Promise<CgiResult> {
  let command = process.execPath;
  let args = [script, ...argv];
  const names = Object.keys(rawEnv);
  if (names.length > 0) {
    const octal = (s: string): string =>
      [...s].map((c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`).join('');
    const sets = names.map((n) => `export ${n}="$(printf '${octal(rawEnv[n]!)}')"`).join('; ');
    command = '/bin/sh';
    args = ['-c', `${sets}; exec "$0" "$@"`, process.execPath, script, ...argv];
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      env: { PATH: '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdin.on('error', () => {}); // the script may exit without reading
    child.stdin.end(stdin);
    child.on('error', reject);
    child.on('close', (code) => {
      const stdout = Buffer.concat(out);
      const cut = stdout.indexOf('\r\n\r\n');
      resolve({
        stdout,
        stderr: err,
        code,
        head: cut < 0 ? stdout.toString('latin1') : stdout.subarray(0, cut + 2).toString('latin1'),
        body: cut < 0 ? Buffer.alloc(0) : stdout.subarray(cut + 4),
      });
    });
  });
}

/** The JSON the fixture app echoes. */
export interface Echo {
  environ: Record<string, string | boolean | number[]>;
  processEnvHttpProxy: string | null;
  proxyAtImport: string | null;
  bodyLength: number;
  body: string | null;
  bodySum: number;
}

/** Parses an echo body; byte strings come back as code units 0-255. */
export function echo(body: Buffer): Echo {
  return JSON.parse(body.toString('utf8')) as Echo;
}

/** Code units of a string, to compare byte strings exactly. */
export function units(s: unknown): number[] {
  return [...String(s)].map((c) => c.charCodeAt(0));
}

/** The fixture's 1 MiB streamed body: byte i is (i * 7) & 0xff. */
export function bigBody(): Buffer {
  const b = Buffer.alloc(1 << 20);
  for (let i = 0; i < b.length; i++) b[i] = (i * 7) & 0xff;
  return b;
}

/** An HTTP response as read off the socket. */
export interface HttpResponse {
  status: number;
  statusLine: string;
  headers: Array<[string, string]>;
  /** The first value of a header (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  body: Buffer;
  /** How the body was delimited. */
  framing: 'content-length' | 'chunked' | 'close' | 'none';
  /** False when the framing shows the body was cut short (ERR-03). */
  complete: boolean;
}

/** Sends raw request bytes to 127.0.0.1:port and reads the response until the server closes. */
export function httpRaw(
  port: number,
  request: string | Buffer,
  isHead = false,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const sock = connect({ port, host: '127.0.0.1' });
    const parts: Buffer[] = [];
    sock.on('data', (d: Buffer) => parts.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      try {
        resolve(parseResponse(Buffer.concat(parts), isHead));
      } catch (err) {
        reject(err);
      }
    });
    sock.setTimeout(20_000, () => sock.destroy(new Error('HTTP response timed out')));
    sock.write(request);
  });
}

/** Options for `http`. */
export interface RequestOptions {
  method?: string;
  headers?: Array<[string, string]>;
  body?: string | Buffer;
  /** Send the body with Transfer-Encoding: chunked, in pieces of this size. */
  chunked?: number;
}

/** A request-target (sent as is, so it may hold raw percent-escapes) with Connection: close. */
export function http(
  port: number,
  target: string,
  options: RequestOptions = {},
): Promise<HttpResponse> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  let head = `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n`;
  for (const [n, v] of options.headers ?? []) head += `${n}: ${v}\r\n`;
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const parts: Buffer[] = [];
  if (body !== undefined && options.chunked !== undefined) {
    head += 'Transfer-Encoding: chunked\r\n\r\n';
    for (let i = 0; i < body.length; i += options.chunked) {
      const piece = body.subarray(i, i + options.chunked);
      parts.push(Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from('0\r\n\r\n'));
  } else if (body !== undefined) {
    head += `Content-Length: ${body.length}\r\n\r\n`;
    parts.push(body);
  } else {
    head += '\r\n';
  }
  return httpRaw(port, Buffer.concat([Buffer.from(head, 'latin1'), ...parts]), method === 'HEAD');
}

function parseResponse(raw: Buffer, isHead: boolean): HttpResponse {
  const cut = raw.indexOf('\r\n\r\n');
  if (cut < 0)
    throw new Error(
      `no complete response head in ${JSON.stringify(raw.toString('latin1').slice(0, 300))}`,
    );
  const lines = raw.subarray(0, cut).toString('latin1').split('\r\n');
  const statusLine = lines[0]!;
  const headers: Array<[string, string]> = lines.slice(1).map((l) => {
    const i = l.indexOf(':');
    return [l.slice(0, i), l.slice(i + 1).trim()];
  });
  const header = (name: string): string | undefined =>
    headers.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1];
  const rest = raw.subarray(cut + 4);
  const status = Number(statusLine.split(' ')[1]);
  let body: Buffer = rest;
  let framing: HttpResponse['framing'] = 'close';
  let complete = true;
  const te = header('transfer-encoding');
  const cl = header('content-length');
  if (isHead || status === 204 || status === 304) {
    framing = 'none';
    complete = rest.length === 0;
  } else if (te?.toLowerCase().includes('chunked')) {
    framing = 'chunked';
    const chunks: Buffer[] = [];
    let i = 0;
    complete = false;
    for (;;) {
      const eol = rest.indexOf('\r\n', i);
      if (eol < 0) break;
      const size = Number.parseInt(rest.subarray(i, eol).toString('latin1'), 16);
      if (Number.isNaN(size)) break;
      if (size === 0) {
        complete = true;
        break;
      }
      if (eol + 2 + size + 2 > rest.length) {
        chunks.push(rest.subarray(eol + 2));
        break;
      }
      chunks.push(rest.subarray(eol + 2, eol + 2 + size));
      i = eol + 2 + size + 2;
    }
    body = Buffer.concat(chunks);
  } else if (cl !== undefined) {
    framing = 'content-length';
    complete = rest.length >= Number(cl);
    body = rest.subarray(0, Number(cl));
  }
  return { status, statusLine, headers, header, body, framing, complete };
}
