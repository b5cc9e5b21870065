/**
 * Finding the tools tests need: PATH plus the sbin dirs Debian puts daemons in. A test that needs
 * a tool calls `requireTool`: under `CI=true` a missing tool fails the test; on a developer
 * machine the test is skipped and the reason is printed.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** True under CI (`CI=true`): missing tools are failures, not skips. */
export const inCI = process.env.CI === 'true' || process.env.CI === '1';

/** Where to look for a tool: PATH plus the sbin dirs Debian puts daemons in. */
const _SEARCH = [
  ...(process.env.PATH ?? '').split(delimiter),
  '/usr/sbin',
  '/sbin',
  '/usr/local/sbin',
];

/** Absolute path of an executable, or undefined. */
export function findTool(name: string): string | undefined {
  if (name.includes('/')) return existsSync(name) ? name : undefined;
  for (const dir of _SEARCH) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/**
 * Resolves a tool needed by a test file. Returns its path, or `undefined` after printing why
 * the tests will be skipped. Under CI it throws instead: CI must install what tests need.
 */
export function requireTool(name: string, why: string): string | undefined {
  const found = findTool(name);
  if (found) return found;
  const msg = `${name} not found (${why}); install it (scripts/ensure-system-deps.mjs does)`;
  if (inCI) throw new Error(`CI: ${msg}`);
  console.warn(`SKIP: ${msg}`);
  return undefined;
}

/** The absolute path of a tool, or an Error naming it (call `requireTool` first to skip). */
export function requireToolOrThrow(name: string): string {
  const path = findTool(name);
  if (path === undefined)
    throw new Error(`${name} not found; install it (scripts/ensure-system-deps.mjs does)`);
  return path;
}
