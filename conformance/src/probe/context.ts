/** What every probe endpoint gets, and small helpers for building responses. */
import { type Environ, percentDecode, type ResponseBody, type StartResponse } from '@tsgi/core';
import type { LintRecord } from '../lint/index.js';
import { encodeObservation, OBSERVATION_HEADER } from './inline.js';
import { type ObservationStore, observationOf } from './store.js';

/** One request to a probe endpoint. */
export interface ProbeContext {
  /** environ as the lint passes it on (wrapped input and errors). */
  environ: Environ;
  start: StartResponse;
  /** Query parameters, percent-decoded (a repeated name keeps the last value). */
  q: ReadonlyMap<string, string>;
  /** Path segments after `/__tsgi/<endpoint>/`. */
  args: readonly string[];
  /** The request token (`x-tsgi-token`), if any. */
  token: string | undefined;
  store: ObservationStore;
  /** The lint's record for this request, when it carries a token. */
  record: LintRecord | undefined;
  /** The endpoint's name. */
  handler: string;
  /** Deliver the observation in the response (inline.ts): stateless probe or `x-tsgi-observe`. */
  inline: boolean;
}

/** A probe endpoint. */
export type Endpoint = (ctx: ProbeContext) => ResponseBody | Promise<ResponseBody>;

/** Records a fact in the observation and persists it. */
export function note(ctx: ProbeContext, key: string, value: unknown): void {
  if (ctx.record === undefined || ctx.token === undefined) return;
  ctx.record.notes[key] = value;
  ctx.store.save(ctx.token);
}

/** Parses a raw QUERY_STRING. */
export function parseQuery(query: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = percentDecode((eq < 0 ? part : part.slice(0, eq)).replaceAll('+', ' '));
    out.set(name, percentDecode(eq < 0 ? '' : part.slice(eq + 1).replaceAll('+', ' ')));
  }
  return out;
}

/** An integer query parameter, or `fallback`. */
export function int(ctx: ProbeContext, name: string, fallback: number): number {
  const v = ctx.q.get(name);
  return v !== undefined && /^-?[0-9]+$/.test(v) ? Number(v) : fallback;
}

/** The observation so far, encoded for inline delivery; undefined when not asked for. */
export function inlineObservation(ctx: ProbeContext): string | undefined {
  if (!ctx.inline || ctx.record === undefined || ctx.token === undefined) return undefined;
  return encodeObservation(observationOf(ctx.token, ctx.handler, ctx.record));
}

/**
 * Waits where an endpoint's plan says `gate`: `hold=MS` in the query waits that long (the
 * suite's timed hold, for servers without gates); otherwise the gate named by the token opens.
 * Either way a disconnect (`tsgi.signal`) ends the wait.
 */
export function pause(ctx: ProbeContext): Promise<void> {
  const signal = ctx.environ['tsgi.signal'];
  const ms = int(ctx, 'hold', 0);
  if (ms <= 0) return ctx.store.waitGate(ctx.token ?? 'anonymous', signal);
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

const _encoder = new TextEncoder();

/** `startResponse` with the probe's fixed headers, plus the inline observation when asked. */
function _start(
  to: StartResponse | ProbeContext,
  status: string,
  headers: Array<[string, string]>,
): void {
  if (typeof to === 'function') return void to(status as never, headers);
  const observed = inlineObservation(to);
  if (observed !== undefined) headers.push([OBSERVATION_HEADER, observed]);
  to.start(status as never, headers);
}

/** A complete JSON response with content-length (inline observation when `to` is a context). */
export function json(
  to: StartResponse | ProbeContext,
  value: unknown,
  status = '200 OK',
): Uint8Array[] {
  const bytes = _encoder.encode(`${JSON.stringify(value)}\n`);
  _start(to, status, [
    ['content-type', 'application/json'],
    ['content-length', String(bytes.length)],
    ['cache-control', 'no-store'],
  ]);
  return [bytes];
}

/** A complete plain-text response (inline observation when `to` is a context). */
export function text(
  to: StartResponse | ProbeContext,
  body: string,
  status = '200 OK',
): Uint8Array[] {
  const bytes = _encoder.encode(body);
  _start(to, status, [
    ['content-type', 'text/plain; charset=utf-8'],
    ['content-length', String(bytes.length)],
  ]);
  return [bytes];
}

/**
 * Chunk `i` (0-based) of `size` bytes: a letter per chunk (`a`, `b`, ...) so a client can tell
 * chunks apart and spot reordering, or every byte value 0-255 when `allBytes` (BODY-03).
 */
export function chunkBytes(i: number, size: number, allBytes = false): Uint8Array {
  const c = new Uint8Array(size);
  if (allBytes) for (let j = 0; j < size; j++) c[j] = (i * size + j) & 0xff;
  else c.fill(0x61 + (i % 26));
  return c;
}

/** The error class name and code of a thrown value, for notes. */
export function describeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { name: typeof err, message: String(err) };
  const e = err as Error & { code?: unknown; requirement?: unknown };
  return {
    name: e.name,
    message: e.message,
    code: e.code ?? null,
    requirement: e.requirement ?? null,
  };
}
