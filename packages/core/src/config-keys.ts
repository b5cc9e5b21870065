/**
 * Configuration keys (SRV-03) and the one SRV-11 rule every adapter applies: a key that would
 * replace what the request or the specification defines is refused when the configuration is
 * given, at setup, with an error naming each such key; never applied, never ignored per request.
 */
import type { Environ } from './types.js';

/** Checked configuration keys, as `[key, value]` entries, ready for `addConfigKeys`. */
export type ConfigKeys = ReadonlyArray<readonly [key: string, value: unknown]>;

/**
 * The CGI variables a request produces: RFC 3875 §4.1's meta-variables and those this
 * specification adds or names (`REQUEST_URI`, `REMOTE_PORT`, `HTTPS`, ENV-07, ENV-17; `REQUEST_SCHEME`,
 * ADP-FCGI-21; `SCRIPT_FILENAME`, ADP-CGI-08). `HTTP_*` variables are refused by prefix.
 */
const _REQUEST_VARIABLES: ReadonlySet<string> = new Set([
  'AUTH_TYPE',
  'CONTENT_LENGTH',
  'CONTENT_TYPE',
  'GATEWAY_INTERFACE',
  'PATH_INFO',
  'PATH_TRANSLATED',
  'QUERY_STRING',
  'REMOTE_ADDR',
  'REMOTE_HOST',
  'REMOTE_IDENT',
  'REMOTE_USER',
  'REQUEST_METHOD',
  'SCRIPT_NAME',
  'SERVER_NAME',
  'SERVER_PORT',
  'SERVER_PROTOCOL',
  'SERVER_SOFTWARE',
  'REQUEST_URI',
  'REMOTE_PORT',
  'HTTPS',
  'REQUEST_SCHEME',
  'SCRIPT_FILENAME',
]);

/** Why `key` cannot be a configuration key, or undefined when it can. */
function _refusal(key: string, value: unknown): string | undefined {
  const dot = key.indexOf('.');
  if (dot < 0) {
    // RFC 3875 §4.1: meta-variable names are case-insensitive.
    const upper = key.toUpperCase();
    if (upper.startsWith('HTTP_')) return 'a request header variable, ENV-12';
    if (_REQUEST_VARIABLES.has(upper)) return 'a CGI variable of the request';
    if (key === '') return 'empty';
    // ENV-02: a CGI key's value is a string (APP_ENV=production, as mod_wsgi's SetEnv gives).
    if (typeof value !== 'string') return `a CGI key with a ${_kind(value)} value, ENV-02`;
    return undefined;
  }
  if (key.startsWith('tsgi.')) return 'reserved to the specification, ENV-25';
  if (key.startsWith('tsgix.')) return 'reserved to registered extensions, ENV-25';
  const first = key.charCodeAt(0);
  if (dot === 0 || first < 0x61 || first > 0x7a)
    return 'an extension key starts with a lower-case prefix, ENV-25';
  return undefined;
}

function _kind(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Checks an adapter's `environ` option (SRV-03) once, at setup, and returns its entries
 * (undefined when there are none). Throws a `TypeError` naming every offending key (SRV-11):
 * an `HTTP_*` variable, a CGI variable of the request (`REQUEST_METHOD`, `PATH_INFO`,
 * `REMOTE_ADDR`...), a `tsgi.` or `tsgix.` key, a dotted key without a lower-case prefix
 * (ENV-25), and a key without a `.` whose value is not a string (ENV-02). Other keys are
 * accepted: `myapp.db` with any value, and plain upper-case names such as `APP_ENV` with
 * string values, as PEP 3333 servers and mod_wsgi's `SetEnv` allow.
 */
export function checkConfigKeys(
  environ: Readonly<Record<string, unknown>> | undefined,
): ConfigKeys | undefined {
  if (environ === undefined) return undefined;
  if (environ === null || typeof environ !== 'object' || Array.isArray(environ)) {
    throw new TypeError(
      `environ option: expected an object of configuration keys, got ${_kind(environ)} (SRV-03)`,
    );
  }
  const entries = Object.entries(environ);
  const refused: string[] = [];
  for (const [key, value] of entries) {
    const why = _refusal(key, value);
    if (why !== undefined) refused.push(`${JSON.stringify(key)} (${why})`);
  }
  if (refused.length > 0) {
    throw new TypeError(
      `environ option: configuration keys must not replace what the request or the specification defines (SRV-11); refused: ${refused.join(', ')}`,
    );
  }
  return entries.length === 0 ? undefined : Object.freeze(entries);
}

/**
 * Adds checked configuration keys to a request's environ. A key the environ already has (a
 * variable the front end sent that `checkConfigKeys` cannot know of) keeps the request's value
 * (SRV-11).
 */
export function addConfigKeys(environ: Environ, keys: ConfigKeys | undefined): void {
  if (keys === undefined) return;
  for (let i = 0; i < keys.length; i++) {
    const [key, value] = keys[i]!;
    if (!(key in environ)) environ[key] = value;
  }
}
