/** What every probe endpoint gets, and small helpers for building responses. */
import { type Environ, percentDecode, type ResponseBody, type StartResponse } from '@tsgi/core';
import type { LintRecord } from '../lint/index.js';
import type { ObservationStore } from './store.js';

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

const _encoder = new TextEncoder();

/** A complete JSON response with content-length. */
export function json(start: StartResponse, value: unknown, status = '200 OK'): Uint8Array[] {
  const bytes = _encoder.encode(`${JSON.stringify(value)}\n`);
  start(status as never, [
    ['content-type', 'application/json'],
    ['content-length', String(bytes.length)],
    ['cache-control', 'no-store'],
  ]);
  return [bytes];
}

/** A complete plain-text response. */
export function text(start: StartResponse, body: string, status = '200 OK'): Uint8Array[] {
  const bytes = _encoder.encode(body);
  start(status as never, [
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
