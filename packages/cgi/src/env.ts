/**
 * Reading the CGI meta-variables (RFC 3875 §4.1) from the process environment as byte strings
 * (ADP-CGI-01, ADP-CGI-03, ENV-06), and the httpoxy guard (ENV-27).
 */
import { bytesToLatin1, encodeUtf8 } from '@tsgi/core';
import { _fs } from './_fs.js';

const _NON_ASCII = /[^\x00-\x7f]/;

/**
 * Deno leaves a variable that is not valid UTF-8 out of `process.env` altogether (and reading it
 * by name throws `InvalidData`), so no U+FFFD shows that octets were lost: there the environment
 * is always read from `/proc/self/environ` (ADP-CGI-03; issue 18: a PATH_INFO holding 0xE9
 * silently routed to `/`).
 */
const _DROPS_NON_UTF8 =
  typeof (process.versions as Record<string, string | undefined>).deno === 'string';

/** A JS string as a byte string of its UTF-8 encoding; ASCII (the usual case) as is. */
function _bytes(text: string): string {
  return _NON_ASCII.test(text) ? encodeUtf8(text) : text;
}

/**
 * Removes `HTTP_PROXY` from `process.env` (httpoxy, CVE-2016-5385; ENV-27). A web server turns a
 * request's `Proxy:` header into the CGI variable `HTTP_PROXY`, which HTTP clients that honour
 * proxy variables (Node with `NODE_USE_ENV_PROXY`, undici's `EnvHttpProxyAgent`, many others)
 * would then use for outgoing requests. Call it before the application module is imported:
 * `runCGIModule` and `tsgi cgi` do; `runCGI` calls it too, but by then the application's
 * module code has already run.
 *
 * The lower-case `http_proxy` is left alone: no request header can produce it (header names
 * are upper-cased), so when present it is the operator's own setting.
 */
export function stripHttpProxy(): void {
  delete process.env.HTTP_PROXY;
}

/**
 * The process environment as byte strings (one UTF-16 code unit per octet, ENV-06).
 *
 * Node decodes the environment as UTF-8 into `process.env`, replacing octets that are not
 * UTF-8 with U+FFFD. Values are therefore taken from `process.env` and encoded back to UTF-8
 * octets, which is exact for every value that was valid UTF-8. When some value holds U+FFFD,
 * the octets are read from `/proc/self/environ` on Linux, so a `PATH_INFO` holding a raw
 * 0xE9 (from `%E9`) arrives intact (ENV-06). Elsewhere such octets are lost: each becomes the
 * three octets of U+FFFD (ADP-CGI-03).
 *
 * `process.env` stays authoritative for what is present: a variable deleted from it before
 * this call (such as `HTTP_PROXY`) is left out, and one changed after the process started
 * keeps its new value, since `/proc/self/environ` only shows the environment the process was
 * started with.
 */
export async function readCgiVariables(): Promise<Record<string, string>> {
  const env = process.env;
  const out: Record<string, string> = {};
  let lossy = false;
  for (const name in env) {
    const value = _get(env, name);
    if (value === undefined) continue;
    // U+FFFD is what Node put where the octets were not UTF-8 (or a real U+FFFD).
    if (!lossy && (value.includes('\ufffd') || name.includes('\ufffd'))) lossy = true;
    out[_bytes(name)] = _bytes(value);
  }
  // Without a U+FFFD, UTF-8 encoding gives back the exact octets: skip the read (start-up).
  if ((lossy || _DROPS_NON_UTF8) && process.platform === 'linux') {
    let raw: Uint8Array | undefined;
    try {
      raw = _fs.readFileSync('/proc/self/environ');
    } catch {
      raw = undefined;
    }
    if (raw !== undefined) _restoreOctets(out, env, raw);
  }
  return out;
}

/** Replaces values Node decoded lossily with the octets from `/proc/self/environ`. */
function _restoreOctets(
  out: Record<string, string>,
  env: NodeJS.ProcessEnv,
  raw: Uint8Array,
): void {
  const decoder = new TextDecoder('utf-8');
  let start = 0;
  while (start < raw.length) {
    let end = raw.indexOf(0, start);
    if (end < 0) end = raw.length;
    const eq = raw.indexOf(0x3d, start);
    if (eq > start && eq < end) {
      const nameBytes = raw.subarray(start, eq);
      const name = decoder.decode(nameBytes);
      const current = _get(env, name);
      const bytes = raw.subarray(eq + 1, end);
      // Only a variable Node decoded from these very octets, unchanged since start-up; on Deno
      // also one it dropped for not being UTF-8 (never HTTP_PROXY: stripHttpProxy, ENV-27).
      if (current !== undefined && decoder.decode(bytes) === current) {
        delete out[_bytes(name)];
        out[bytesToLatin1(nameBytes)] = bytesToLatin1(bytes);
      } else if (
        current === undefined &&
        _DROPS_NON_UTF8 &&
        name !== 'HTTP_PROXY' &&
        !_isUtf8(nameBytes, bytes)
      ) {
        out[bytesToLatin1(nameBytes)] = bytesToLatin1(bytes);
      }
    }
    start = end + 1;
  }
}

/** `env[name]`, or undefined where Deno throws `InvalidData` for a value that is not UTF-8. */
function _get(env: NodeJS.ProcessEnv, name: string): string | undefined {
  try {
    return env[name];
  } catch {
    return undefined;
  }
}

const _strict = new TextDecoder('utf-8', { fatal: true });

/** True when both are valid UTF-8 (what Deno keeps in `process.env`). */
function _isUtf8(name: Uint8Array, value: Uint8Array): boolean {
  try {
    _strict.decode(name);
    _strict.decode(value);
    return true;
  } catch {
    return false;
  }
}
