// BENCH_BEFORE=/abs/path/to/an/earlier/checkout (built with `pnpm install`): each group adds its
// TSGI subjects again, loaded from that tree, so one run compares the working tree's adapters with
// an earlier build of them under the same load and the same rounds (issue 17: "the same run
// compares before/after builds"). The earlier tree resolves its own @tsgi/core.
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The earlier tree, or undefined when BENCH_BEFORE is not set. */
export const BEFORE = process.env.BENCH_BEFORE || undefined;

if (BEFORE !== undefined && !existsSync(join(BEFORE, 'packages/node/dist/index.js'))) {
  throw new Error(`BENCH_BEFORE=${BEFORE}: no built packages/node/dist there (run pnpm install)`);
}

/** `subject` again, named "(before)", with `env` pointing its server at the earlier tree. */
export function beforeSubject(subject, env) {
  return { ...subject, id: `${subject.id}-before`, name: `${subject.name} (before)`, env };
}

/** A file of the earlier tree. */
export function beforePath(rel) {
  return join(BEFORE ?? '', rel);
}
