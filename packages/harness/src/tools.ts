import { findTool } from './index.js';

/** The absolute path of a tool, or an Error naming it (call `requireTool` first to skip). */
export function requireToolOrThrow(name: string): string {
  const path = findTool(name);
  if (path === undefined)
    throw new Error(`${name} not found; install it (scripts/ensure-system-deps.mjs does)`);
  return path;
}
