/**
 * Test helpers: run a CGI script as a child process with a synthetic environment and stdin
 * (the HTTP::Request::AsCGI approach), and a raw HTTP/1.1 client that reports framing, so a
 * truncated response is visible; both are the test kit's (`@tsgi/harness`), bound to the
 * fixtures here.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type CgiRun, runCgi as runCgiScript } from '@tsgi/harness';
import { type Exchanged, exchange, type RequestOptions, request } from '@tsgi/harness/http';

export type { RequestOptions } from '@tsgi/harness/http';

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

/**
 * Runs `script` with exactly `env` (plus PATH) and `stdin`, like a web server would (the kit's
 * runner). Values in `rawEnv` are byte strings, so octets that are not UTF-8 reach the process.
 */
export function runCgi(
  script: string,
  env: Record<string, string>,
  stdin: Uint8Array | string = '',
  rawEnv: Record<string, string> = {},
  argv: readonly string[] = [],
): Promise<CgiRun> {
  return runCgiScript(script, env, stdin, { rawEnv, argv });
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

/** An HTTP response as read off the socket (the kit's raw client). */
export type HttpResponse = Exchanged;

/** Sends raw request bytes to 127.0.0.1:port and reads the response until the server closes. */
export function httpRaw(
  port: number,
  request: string | Buffer,
  isHead = false,
): Promise<HttpResponse> {
  return exchange(port, request, { head: isHead, timeout: 20_000 });
}

/** A request-target (sent as is, so it may hold raw percent-escapes) with Connection: close. */
export function http(
  port: number,
  target: string,
  options: RequestOptions = {},
): Promise<HttpResponse> {
  return request(port, { ...options, target, timeout: 20_000 });
}
