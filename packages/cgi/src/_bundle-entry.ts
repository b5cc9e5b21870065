/**
 * What scripts/bundle-index.mjs bundles as dist/index.bundle.cjs: the public API and the one
 * internal hook the loading entry needs (see _import.ts).
 */

export { setImporter } from './_import.js';
export * from './index.js';
