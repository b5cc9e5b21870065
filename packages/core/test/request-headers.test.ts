/**
 * `addRequestHeaders` (ENV-12..14, ENV-27, ENV-28) finds repeats by a per-call mark on its key
 * cache instead of looking each key up on environ, and remembers the names it saw at each
 * position. These tests hold it to the one-header-at-a-time `addRequestHeader`, across calls with
 * different names at the same positions, and once the caches are full and marks cannot be trusted.
 */
import { addRequestHeader, addRequestHeaders } from '@tsgi/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

type HeadersModule = typeof import('../src/headers.js');

/** What one header at a time produces: the reference for `addRequestHeaders`. */
function oneByOne(add: typeof addRequestHeader, lines: readonly string[]) {
  const env: Record<string, unknown> = {};
  for (let i = 0; i < lines.length; i += 2) add(env, lines[i]!, lines[i + 1]!);
  return env;
}

function tuples(lines: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i < lines.length; i += 2) out.push([lines[i]!, lines[i + 1]!]);
  return out;
}

// Few names in many spellings, so repeats (Host/host, Cookie/COOKIE) are common.
const name = fc
  .tuple(
    fc.constantFrom('Host', 'Accept', 'Cookie', 'X-Id', 'X_Id', 'Proxy', 'Content-Length', 'Via'),
    fc.array(fc.boolean(), { minLength: 14, maxLength: 14 }),
  )
  .map(([n, upper]) =>
    [...n].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''),
  );
const lines = fc
  .array(fc.tuple(name, fc.string({ maxLength: 4 })), { maxLength: 12 })
  .map((pairs) => pairs.flat());

describe('addRequestHeaders (ENV-12, ENV-13, ENV-14, ENV-27, ENV-28)', () => {
  it('gives the environ of addRequestHeader line by line, and every line as a tuple', () => {
    fc.assert(
      fc.property(lines, lines, (first, second) => {
        // Two calls in a row: marks left by the first must not hide a repeat in the second.
        for (const ls of [first, second]) {
          const env: Record<string, unknown> = {};
          expect(addRequestHeaders(env, ls)).toEqual(tuples(ls));
          expect(env).toEqual(oneByOne(addRequestHeader, ls));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('joins repeats in any spelling: ", " in general, "; " for Cookie (ENV-13)', () => {
    const env: Record<string, unknown> = {};
    addRequestHeaders(env, [
      'Accept',
      'a',
      'X-Y',
      '1',
      'ACCEPT',
      'b',
      'cookie',
      'x=1',
      'Cookie',
      'y=2',
    ]);
    expect(env).toEqual({ HTTP_ACCEPT: 'a, b', HTTP_X_Y: '1', HTTP_COOKIE: 'x=1; y=2' });
  });

  it('still joins repeats once its caches are full (names it could not cache are looked up)', async () => {
    // A module of its own, so the caches start empty and this test can fill them.
    const fresh = '../src/headers.ts?full-caches';
    const h = (await import(/* @vite-ignore */ fresh)) as HeadersModule;
    const many: string[] = [];
    for (let i = 0; i < 600; i++) many.push(`X-N${i}`, String(i));
    // Repeats of names past the cache limit, of cached names, and of a new spelling.
    many.push('X-N599', 'again', 'X-N0', 'again', 'x-n598', 'again');
    const env: Record<string, unknown> = {};
    h.addRequestHeaders(env, many);
    expect(env).toEqual(oneByOne(h.addRequestHeader, many));
    expect(env.HTTP_X_N599).toBe('599, again');
    expect(env.HTTP_X_N598).toBe('598, again');
    expect(env.HTTP_X_N0).toBe('0, again');
    // And in a later call, a name first seen while the caches were full.
    const later: Record<string, unknown> = {};
    h.addRequestHeaders(later, ['X-N599', 'a', 'X-N599', 'b']);
    expect(later).toEqual({ HTTP_X_N599: 'a, b' });
  });
});
