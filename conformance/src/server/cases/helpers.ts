/** Helpers shared by the case files. */
import type { Observation } from '../../probe/store.js';
import type { CaseContext, ProbeRequest } from '../case.js';
import type { RawResponse } from '../http-parser.js';

/** Requests `env` (plus `path`) and returns the environ the probe saw. */
export async function environOf(
  t: CaseContext,
  req: Partial<ProbeRequest> = {},
): Promise<{ env: Record<string, unknown>; res: RawResponse; token: string }> {
  const { res, token } = await t.fetch({ path: 'env', ...req });
  if (res.status !== 200)
    throw new Error(`GET ${t.target(req.path ?? 'env', req.query)} answered ${res.status}`);
  return { env: JSON.parse(res.text()) as Record<string, unknown>, res, token };
}

/** Bytes as a byte string (one code unit per octet), for comparing with environ values. */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** `n` pseudo-random bytes from a fixed seed, covering every octet value. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out[i] = (x >> 16) & 0xff;
  }
  return out;
}

/** The SHA-256 hex digest of bytes. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** Resolves after `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The expected body of the probe's `body` endpoint: chunk i is `size` copies of letter i. */
export function letters(n: number, size: number, from = 0): string {
  let s = '';
  for (let i = from; i < from + n; i++) s += String.fromCharCode(0x61 + (i % 26)).repeat(size);
  return s;
}

/** How long a negative check waits to see that nothing arrives (SR-08, WR-04). */
export const QUIET_MS = 300;

/**
 * A client that leaves mid-response: requests `/__tsgi/idle` (one chunk, then a body that waits),
 * waits for that chunk, closes the connection, and resolves with what the probe saw once the
 * body was released (or after 5 s).
 */
export async function leaveIdle(t: CaseContext, query?: string): Promise<Observation> {
  const token = t.token();
  const conn = await t.connect();
  conn.send(t.build(query === undefined ? { path: 'idle' } : { path: 'idle', query }, token));
  await conn.waitUntil((b) => b.includes('aaaaaa'), 3000);
  conn.destroy();
  return t.observe(token, (o) => o.released, 5000);
}
