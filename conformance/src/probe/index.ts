/**
 * The probe application: one TSGI application that answers every server conformance case,
 * always wrapped in the lint, as Plack::Test::Suite's app is always wrapped in
 * Plack::Middleware::Lint (research gateway-specs §4.4). Any TSGI server can host it:
 *
 *     tsgi serve @tsgi/conformance/probe
 *
 * Endpoints live under `/__tsgi/<name>` (below any SCRIPT_NAME mount). A request carrying
 * `x-tsgi-token: <token>` is observed: environ, input reads, body release, signal, lint
 * violations and notes are served afterwards at `GET /__tsgi/observations/<token>`. For
 * run-once servers (CGI) set `TSGI_CONFORMANCE_DIR` so observations outlive the process.
 *
 * On isolate runtimes, where requests may not share state or wait on one another, run it
 * stateless (`TSGI_PROBE_STATELESS=1`, or `createProbe({ stateless: true })`): no store, no
 * gate ever waits, and observations travel in the responses themselves (inline.ts); run the
 * suite with `--stateless` then.
 * @module
 */
import type { Application, Environ } from '@tsgi/core';
import { type LintRecord, lint, RECORD_KEY } from '../lint/index.js';
import { type Endpoint, json, type ProbeContext, parseQuery, text } from './context.js';
import { EDITION2_ENDPOINTS } from './edition2-endpoints.js';
import { ext } from './extension-endpoints.js';
import { error, excinfo, start } from './misuse-endpoints.js';
import { echo, env, errors } from './request-endpoints.js';
import { big, body, headers, idle, write } from './response-endpoints.js';
import { DirectoryStore, MemoryStore, type ObservationStore, StatelessStore } from './store.js';
import { ws } from './websocket-endpoint.js';

export type { Endpoint, ProbeContext } from './context.js';
export {
  decodeObservation,
  OBSERVATION_HEADER,
  OBSERVE_HEADER,
  TRAILER_HEADER,
  TRAILER_MARK,
} from './inline.js';
export type { Observation, ObservationStore } from './store.js';
export { DirectoryStore, MemoryStore, StatelessStore } from './store.js';

/** The endpoints, by name. */
export const ENDPOINTS: Readonly<Record<string, Endpoint>> = {
  env,
  echo,
  errors,
  body,
  idle,
  write,
  big,
  headers,
  start,
  excinfo,
  error,
  ext,
  ws,
  ...EDITION2_ENDPOINTS,
};

/** The environ key of the `x-tsgi-observe` request header (inline.ts). */
const _OBSERVE_KEY = 'HTTP_X_TSGI_OBSERVE';

/** The prefix of every probe path. */
export const PROBE_PREFIX = '/__tsgi/';

/** Options for `createProbe`. */
export interface ProbeOptions {
  /** Keep observations in this directory (for run-once servers); default: in memory. */
  dir?: string | undefined;
  /** Use this store instead. */
  store?: ObservationStore;
  /**
   * Stateless mode, for isolate runtimes: nothing is kept between requests, no request waits
   * on another (gates open at once; `hold=MS` still waits its timer), and every observed
   * request gets its observation inline (inline.ts). Overrides `dir` and `store`.
   */
  stateless?: boolean | undefined;
}

/** Creates a probe application with its own observation store. */
export function createProbe(options: ProbeOptions = {}): Application {
  const stateless = options.stateless === true;
  const store: ObservationStore = stateless
    ? new StatelessStore()
    : (options.store ??
      (options.dir !== undefined && options.dir !== ''
        ? new DirectoryStore(options.dir)
        : new MemoryStore()));
  const shared = store.shared !== false;
  const tracked = new WeakMap<LintRecord, string>();

  const dispatch: Application = (environ, startResponse) => {
    const path = environ.PATH_INFO;
    const at = path.indexOf(PROBE_PREFIX);
    if (at < 0) return text(startResponse, 'TSGI conformance probe: see /__tsgi/env\n');
    const [name = '', ...args] = path.slice(at + PROBE_PREFIX.length).split('/');
    if (!shared && (name === 'observations' || name === 'gate'))
      return json(
        startResponse,
        { error: `stateless probe: no ${name}; observations travel in the responses` },
        '404 Not Found',
      );
    if (name === 'observations') {
      const found = store.get(args[0] ?? '');
      return found === undefined
        ? json(startResponse, { error: 'no such token' }, '404 Not Found')
        : json(startResponse, found);
    }
    if (name === 'gate') {
      store.openGate(args[0] ?? '');
      return text(startResponse, 'open\n');
    }
    const endpoint = ENDPOINTS[name];
    if (endpoint === undefined)
      return text(startResponse, `no endpoint ${name}\n`, '404 Not Found');
    const token = _token(environ);
    const ctx: ProbeContext = {
      environ,
      start: startResponse,
      q: parseQuery(environ.QUERY_STRING),
      args,
      token:
        token !== undefined && tracked.has(environ[RECORD_KEY] as LintRecord) ? token : undefined,
      store,
      record: environ[RECORD_KEY] as LintRecord | undefined,
      handler: name,
      inline: stateless || environ[_OBSERVE_KEY] === 'inline',
    };
    return endpoint(ctx);
  };

  return lint(dispatch, {
    // The probe observes; it never throws at the server. Violations land in the observation.
    onViolation: () => {},
    onRequest: (record) => {
      const token = _token(record.environ);
      const path = record.environ?.PATH_INFO ?? '';
      const at = path.indexOf(PROBE_PREFIX);
      if (token === undefined || at < 0) return;
      tracked.set(record, token);
      store.track(token, path.slice(at + PROBE_PREFIX.length).split('/')[0] ?? '', record);
    },
    onChange: (record) => {
      const token = tracked.get(record);
      if (token !== undefined) store.save(token);
    },
  });
}

function _token(environ: Environ | undefined): string | undefined {
  const t = environ?.HTTP_X_TSGI_TOKEN;
  return typeof t === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(t) ? t : undefined;
}

// `process` may be absent in an isolate runtime without Node.js compatibility.
const _env: Record<string, string | undefined> =
  (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};

/**
 * The probe: stateless when `TSGI_PROBE_STATELESS=1`, else with observations in
 * `TSGI_CONFORMANCE_DIR` when set, else in memory.
 */
const probe: Application = createProbe({
  dir: _env.TSGI_CONFORMANCE_DIR,
  stateless: _env.TSGI_PROBE_STATELESS === '1',
});
export default probe;
