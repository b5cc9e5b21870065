/**
 * environ → `Request` (the request half of `fromFetch`). The URL, headers and body come from the
 * CGI keys only, so middleware that rewrote environ (a proxy fix-up, `mount`) is honoured.
 */
import {
  type Environ,
  headerNameOf,
  type InputStream,
  isDigits,
  isValidHost,
  percentDecode,
  percentEncodePath,
  splitTarget,
} from '@tsgi/core';

const _NAME = /^[A-Za-z0-9\-._~!$&'()*+,;=]+$/;

// ENV-16: hop-by-hop request fields belong to the server, which has already acted on them. They
// are also the fields undici's fetch() refuses, so dropping them keeps `fetch(request)` proxying.
const _HOP_BY_HOP = new Set([
  'HTTP_CONNECTION',
  'HTTP_KEEP_ALIVE',
  'HTTP_PROXY_CONNECTION',
  'HTTP_TE',
  'HTTP_TRANSFER_ENCODING',
  'HTTP_UPGRADE',
]);

function _isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
}

/**
 * Escapes, in a raw path or query, the code units the URL parser would otherwise reinterpret:
 * controls, space, `"`, `#`, `<`, `>`, `` ` ``, `{`, `}`, every octet above 0x7E (the parser would
 * UTF-8-encode a byte string's 0x80-0xFF code units as if they were characters, ENV-06), and in a
 * path `?` and `\` (which the parser treats as a query start and as `/`). Existing `%XX` stay.
 */
function _escapeRaw(raw: string, isPath: boolean): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    const bad =
      c <= 0x20 ||
      c >= 0x7f ||
      c === 0x22 ||
      c === 0x23 ||
      c === 0x3c ||
      c === 0x3e ||
      c === 0x60 ||
      c === 0x7b ||
      c === 0x7d ||
      (isPath && (c === 0x3f || c === 0x5c));
    if (!bad) continue;
    out += `${raw.slice(from, i)}%${c < 16 ? '0' : ''}${c.toString(16).toUpperCase()}`;
    from = i + 1;
  }
  return from === 0 ? raw : out + raw.slice(from);
}

/** The index in `raw` where the first `decodedLength` decoded octets end. */
function _rawOffset(raw: string, decodedLength: number): number {
  let i = 0;
  for (let d = 0; d < decodedLength && i < raw.length; d++) {
    i +=
      raw.charCodeAt(i) === 0x25 && _isHex(raw.charCodeAt(i + 1)) && _isHex(raw.charCodeAt(i + 2))
        ? 3
        : 1;
  }
  return i;
}

/**
 * The URL path for environ. The client's own encoding (REQUEST_URI, ENV-07) is kept when it still
 * decodes to SCRIPT_NAME + PATH_INFO, so `%2F` stays `%2F` and `%41` stays `%41`; when middleware
 * changed the path, SCRIPT_NAME + PATH_INFO is re-encoded instead (an encoded slash is then lost,
 * as it was in PATH_INFO already: ENV-06, ENV-29).
 */
export function requestPath(environ: Environ, stripScriptName: boolean): string {
  const script = environ.SCRIPT_NAME;
  const info = environ.PATH_INFO;
  const uri = environ.REQUEST_URI;
  const raw = typeof uri === 'string' ? splitTarget(uri).rawPath : '';
  let path: string;
  if (raw.charCodeAt(0) === 0x2f && percentDecode(raw) === script + info) {
    path = _escapeRaw(stripScriptName ? raw.slice(_rawOffset(raw, script.length)) : raw, true);
  } else {
    path = percentEncodePath(stripScriptName ? info : script + info);
  }
  // A URL path is never empty, and `OPTIONS *` (ENV-05) has no URL form: it becomes `/%2A`.
  return path.charCodeAt(0) === 0x2f ? path : `/${path}`;
}

/**
 * `scheme://authority` from `HTTP_HOST`, else SERVER_NAME:SERVER_PORT. `HTTP_HOST` is the
 * authority a server took the request's host from: the absolute-form target's, else the Host
 * field's (ENV-35), so `GET http://a.test/` with `Host: b.test` gives `http://a.test/`, the host
 * SERVER_NAME names too. It is used when it passes the Host grammar the server applies (ENV-34),
 * which keeps out anything the URL parser would read as userinfo or path (`@`, `/`, space); an
 * empty one (no host named), a missing one, or one the grammar refuses gives SERVER_NAME.
 */
export function requestOrigin(environ: Environ, useHost = true): string {
  const scheme = environ['tsgi.url_scheme'] === 'https' ? 'https' : 'http';
  const host = environ.HTTP_HOST;
  if (useHost && typeof host === 'string' && _isNamedHost(host)) return `${scheme}://${host}`;
  let name = environ.SERVER_NAME;
  if (name.includes(':') && name.charCodeAt(0) !== 0x5b) name = `[${name}]`; // a bare IPv6 address
  if (!_NAME.test(name) && !_isNamedHost(name)) name = 'localhost';
  const port = environ.SERVER_PORT;
  const standard = port === (scheme === 'https' ? '443' : '80');
  const numeric = port.length <= 5 && isDigits(port);
  return `${scheme}://${name}${standard || !numeric ? '' : `:${port}`}`;
}

/** A valid Host value (ENV-34) that names a host: not empty, not just `:port`. */
function _isNamedHost(value: string): boolean {
  const c = value.charCodeAt(0);
  return value.length > 0 && c !== 0x3a && isValidHost(value);
}

/** The full request URL: origin, path (see `requestPath`) and the raw QUERY_STRING (ENV-08). */
export function requestUrl(environ: Environ, stripScriptName: boolean, useHost = true): string {
  const query = environ.QUERY_STRING;
  return (
    requestOrigin(environ, useHost) +
    requestPath(environ, stripScriptName) +
    (query === '' ? '' : `?${_escapeRaw(query, false)}`)
  );
}

/**
 * Request headers from `HTTP_*`, `CONTENT_TYPE` and `CONTENT_LENGTH` (the inverse of ENV-09 and
 * ENV-12). Values are byte strings, which is what `Headers` takes (a ByteString per octet). A value
 * `Headers` refuses (a middleware put a newline in it) is dropped and logged rather than failing
 * the request.
 */
export function requestHeaders(environ: Environ): Headers {
  const headers = new Headers();
  for (const key in environ) {
    let name: string;
    if (key.startsWith('HTTP_')) {
      if (_HOP_BY_HOP.has(key)) continue;
      name = headerNameOf(key);
    } else if (key === 'CONTENT_TYPE') name = 'content-type';
    else if (key === 'CONTENT_LENGTH') name = 'content-length';
    else continue;
    const value = environ[key];
    if (typeof value !== 'string') continue;
    try {
      headers.append(name, value);
    } catch {
      environ['tsgi.errors'].write(`@tsgi/fetch: dropped request header ${name}: invalid value\n`);
    }
  }
  return headers;
}

/**
 * Whether the request has a body: false for GET and HEAD (fetch forbids one there), by
 * CONTENT_LENGTH or Transfer-Encoding when present, `undefined` when only reading can tell (a
 * CGI or FastCGI front end that streams a body without declaring its length).
 */
export function hasBody(environ: Environ): boolean | undefined {
  const method = environ.REQUEST_METHOD.toUpperCase();
  if (method === 'GET' || method === 'HEAD') return false;
  const length = environ.CONTENT_LENGTH;
  if (length !== undefined) return length !== '' && Number(length) > 0;
  if (environ.HTTP_TRANSFER_ENCODING !== undefined) return true;
  return undefined;
}

/**
 * `tsgi.input` as a ReadableStream. highWaterMark 0: nothing is read until the handler reads, so
 * the server's `100 Continue` still waits for the application's first read (IN-07), and the
 * input's own backpressure reaches the client. `cancel()` tells the server the rest is unwanted
 * (IN-06). A failed read (IN-04 truncation, ERR-05 disconnect) errors the stream.
 */
export function inputStream(input: InputStream, first?: Uint8Array): ReadableStream<Uint8Array> {
  let pending = first;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (pending !== undefined) {
          controller.enqueue(pending);
          pending = undefined;
          return;
        }
        const chunk = await input.read();
        if (chunk.length === 0) controller.close();
        else controller.enqueue(chunk);
      },
      cancel() {
        input.cancel();
      },
    },
    { highWaterMark: 0 },
  );
}
