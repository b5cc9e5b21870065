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
 * @module
 */
import type { Application, Environ } from '@tsgi/core';
import { type LintRecord, lint, RECORD_KEY } from '../lint/index.js';
import { type Endpoint, json, type ProbeContext, parseQuery, text } from './context.js';
import { ext } from './extension-endpoints.js';
import { error, excinfo, start } from './misuse-endpoints.js';
import { echo, env, errors } from './request-endpoints.js';
import { big, body, headers, idle, write } from './response-endpoints.js';
import { DirectoryStore, MemoryStore, type ObservationStore } from './store.js';

export type { Observation, ObservationStore } from './store.js';
export { DirectoryStore, MemoryStore } from './store.js';

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
};

/** The prefix of every probe path. */
export const PROBE_PREFIX = '/__tsgi/';

/** Options for `createProbe`. */
export interface ProbeOptions {
  /** Keep observations in this directory (for run-once servers); default: in memory. */
  dir?: string | undefined;
  /** Use this store instead. */
  store?: ObservationStore;
}

/** Creates a probe application with its own observation store. */
export function createProbe(options: ProbeOptions = {}): Application {
  const store =
    options.store ??
    (options.dir !== undefined && options.dir !== ''
      ? new DirectoryStore(options.dir)
      : new MemoryStore());
  const tracked = new WeakMap<LintRecord, string>();

  const dispatch: Application = (environ, startResponse) => {
    const path = environ.PATH_INFO;
    const at = path.indexOf(PROBE_PREFIX);
    if (at < 0) return text(startResponse, 'TSGI conformance probe: see /__tsgi/env\n');
    const [name = '', ...args] = path.slice(at + PROBE_PREFIX.length).split('/');
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

/** The probe, with observations in `TSGI_CONFORMANCE_DIR` when set, else in memory. */
const probe: Application = createProbe({ dir: process.env.TSGI_CONFORMANCE_DIR });
export default probe;
