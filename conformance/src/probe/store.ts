/**
 * Where the probe keeps what it observed, keyed by the request token (`x-tsgi-token`), so the
 * suite can ask for it over HTTP afterwards: no side channel (CONF-04). In memory for long-lived
 * servers; in a directory (`TSGI_CONFORMANCE_DIR`) for run-once servers such as CGI, where each
 * request is a new process.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LintRecord, Violation } from '../lint/index.js';

/** What the probe observed during one request, as served by `/__tsgi/observations/<token>`. */
export interface Observation {
  token: string;
  /** The probe endpoint that handled the request. */
  handler: string;
  /** environ as the server built it; `tsgi.*` objects reduced to their member types. */
  environ: Record<string, unknown>;
  input: LintRecord['input'];
  startResponse: { calls: number; status: string | null };
  write: LintRecord['write'];
  body: LintRecord['body'];
  /** `tsgi.signal.aborted` now, and when the body was released. */
  signal: { aborted: boolean; abortedAtRelease: boolean | null; reason: string | null };
  /** True once the server called the body's completion hook (BODY-06). */
  released: boolean;
  /** Lint violations seen during the request, both sides. */
  violations: Violation[];
  /** Facts the probe endpoint recorded (what threw, digests, ...). */
  notes: Record<string, unknown>;
}

/** A store of observations and of gates (latches the suite opens to release a waiting probe). */
export interface ObservationStore {
  /** False for `StatelessStore`: nothing is kept between requests, no gate ever waits. */
  readonly shared?: boolean;
  /** Starts recording `record` under `token`. */
  track(token: string, handler: string, record: LintRecord): void;
  /** Persists the current state of `token` (a no-op in memory). */
  save(token: string): void;
  /** The observation for `token`, or undefined. */
  get(token: string): Observation | undefined;
  /** Opens the gate named `token`. */
  openGate(token: string): void;
  /** Resolves when the gate named `token` is open, or when `signal` aborts. */
  waitGate(token: string, signal: AbortSignal): Promise<void>;
}

interface _Tracked {
  handler: string;
  record: LintRecord;
  environ: Record<string, unknown>;
}

/** The observation for a live record (also what travels inline, see inline.ts). */
export function observationOf(
  token: string,
  handler: string,
  record: LintRecord,
  environ: Record<string, unknown> = {},
): Observation {
  return _observe(token, { handler, record, environ });
}

function _observe(token: string, t: _Tracked): Observation {
  const r = t.record;
  const signal = r.environ['tsgi.signal'] as AbortSignal | undefined;
  const aborted = signal instanceof AbortSignal && signal.aborted;
  const reason: unknown = aborted ? signal.reason : undefined;
  return {
    token,
    handler: t.handler,
    environ: t.environ,
    input: { ...r.input },
    startResponse: { calls: r.startResponse.calls, status: r.startResponse.status ?? null },
    write: { ...r.write },
    body: { ...r.body },
    signal: {
      aborted,
      abortedAtRelease: r.abortedAtRelease ?? null,
      reason: reason === undefined ? null : reason instanceof Error ? reason.name : String(reason),
    },
    released: r.released,
    violations: [...r.violations],
    notes: { ...r.notes },
  };
}

/** environ reduced to JSON: strings as they are, objects as the types of their members. */
export function snapshotEnviron(environ: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(environ)) {
    if (key.startsWith('conformance.')) continue;
    if (v === null || ['string', 'boolean', 'number'].includes(typeof v)) out[key] = v;
    else if (key === 'tsgi.version' || key === 'tsgi.raw_headers') out[key] = v;
    else if (v instanceof AbortSignal) out[key] = { type: 'AbortSignal' };
    else if (typeof v === 'object') {
      const o = v as Record<string | symbol, unknown>;
      const members: Record<string, string> = {};
      for (const m of ['read', 'cancel', 'write', 'flush', 'close'])
        if (m in o) members[m] = typeof o[m];
      if (Symbol.asyncIterator in o)
        members['[Symbol.asyncIterator]'] = typeof o[Symbol.asyncIterator];
      out[key] = { type: Array.isArray(v) ? 'Array' : 'object', members };
    } else out[key] = { type: typeof v };
  }
  return out;
}

/** Bounded so a long-running probe cannot grow without limit. */
const _MAX = 2000;

/** Keeps observations in this process. */
export class MemoryStore implements ObservationStore {
  readonly #tracked = new Map<string, _Tracked>();
  readonly #gates = new Map<string, { open: boolean; waiters: Array<() => void> }>();

  track(token: string, handler: string, record: LintRecord): void {
    if (this.#tracked.size >= _MAX) this.#tracked.delete(this.#tracked.keys().next().value!);
    this.#tracked.set(token, { handler, record, environ: snapshotEnviron(record.environ) });
  }

  save(): void {}

  get(token: string): Observation | undefined {
    const t = this.#tracked.get(token);
    return t === undefined ? undefined : _observe(token, t);
  }

  #gate(token: string): { open: boolean; waiters: Array<() => void> } {
    let g = this.#gates.get(token);
    if (g === undefined) {
      if (this.#gates.size >= _MAX) this.#gates.delete(this.#gates.keys().next().value!);
      g = { open: false, waiters: [] };
      this.#gates.set(token, g);
    }
    return g;
  }

  openGate(token: string): void {
    const g = this.#gate(token);
    g.open = true;
    for (const w of g.waiters.splice(0)) w();
  }

  waitGate(token: string, signal: AbortSignal): Promise<void> {
    const g = this.#gate(token);
    if (g.open || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      g.waiters.push(resolve);
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}

const _TOKEN = /^[A-Za-z0-9_-]{1,64}$/;

/** Keeps observations as `<dir>/<token>.json` files, shared by every process of the server. */
export class DirectoryStore implements ObservationStore {
  readonly #dir: string;
  readonly #tracked = new Map<string, _Tracked>();

  constructor(dir: string) {
    this.#dir = dir;
    mkdirSync(dir, { recursive: true });
  }

  #path(token: string, ext: string): string | undefined {
    return _TOKEN.test(token) ? join(this.#dir, `${token}.${ext}`) : undefined;
  }

  track(token: string, handler: string, record: LintRecord): void {
    if (this.#tracked.size >= _MAX) this.#tracked.delete(this.#tracked.keys().next().value!);
    this.#tracked.set(token, { handler, record, environ: snapshotEnviron(record.environ) });
    this.save(token);
  }

  save(token: string): void {
    const t = this.#tracked.get(token);
    const path = this.#path(token, 'json');
    if (t === undefined || path === undefined) return;
    // Write then rename, so a reader never sees half a file.
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(_observe(token, t)));
    renameSync(tmp, path);
  }

  get(token: string): Observation | undefined {
    const path = this.#path(token, 'json');
    if (path === undefined || !existsSync(path)) return undefined;
    return JSON.parse(readFileSync(path, 'utf8')) as Observation;
  }

  openGate(token: string): void {
    const path = this.#path(token, 'gate');
    if (path !== undefined) writeFileSync(path, '');
  }

  async waitGate(token: string, signal: AbortSignal): Promise<void> {
    const path = this.#path(token, 'gate');
    if (path === undefined) return;
    while (!existsSync(path) && !signal.aborted) await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The store of the stateless mode (isolate runtimes, `TSGI_PROBE_STATELESS=1`): keeps nothing
 * between requests, and a gate never waits, so no request depends on another. Observations
 * travel in the responses instead (inline.ts).
 */
export class StatelessStore implements ObservationStore {
  readonly shared = false;
  track(): void {}
  save(): void {}
  get(): Observation | undefined {
    return undefined;
  }
  openGate(): void {}
  waitGate(): Promise<void> {
    return Promise.resolve();
  }
}
