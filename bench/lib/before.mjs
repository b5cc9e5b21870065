// BENCH_BEFORE=/abs/path/to/an/earlier/checkout (built with `pnpm install`): each group adds its
// TSGI subjects again, loaded from that tree, so one run compares the working tree's adapters with
// an earlier build of them under the same load and the same rounds (issue 17: "the same run
// compares before/after builds"). The earlier tree resolves its own @tsgi/core.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { median, ratioInterval, round } from './stats.mjs';
import { cpuRatio, roundRatios } from './targets.mjs';

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

/** The earlier tree and its commit, for the results (undefined without BENCH_BEFORE). */
export function beforeInfo() {
  if (BEFORE === undefined) return undefined;
  let commit = null;
  try {
    commit = execFileSync('git', ['-C', BEFORE, 'rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
    }).trim();
  } catch {
    // not a git checkout: the path alone names it
  }
  return { path: BEFORE, commit };
}

/**
 * Each "(before)" row against the same subject of the working tree, in the same run: how many
 * times better the working tree does (req/s over req/s; for `ms` rows, before's ms over ours),
 * the same round by round (median of the rounds' ratios, seconds apart), and by CPU per request.
 * Above 1 the working tree is better. `interval` is the 95 % confidence interval of the rounds'
 * ratio and `reading` what it says: `better` (all of it above 1), `worse` (all below) or `equal`
 * (it holds 1: this run cannot tell the builds apart).
 */
export function beforeAfter(scenarios) {
  const rows = [];
  for (const old of scenarios.filter((r) => r.subject.endsWith(' (before)'))) {
    const subject = old.subject.slice(0, -' (before)'.length);
    const now = scenarios.find(
      (r) => r.group === old.group && r.scenario === old.scenario && r.subject === subject,
    );
    if (now === undefined) continue;
    // ms rows (CGI direct spawn): lower is better, so before's over ours.
    const ms = old.metric === 'ms';
    const byValue = ms ? ratio(old.ms, now.ms) : ratio(now.rps, old.rps);
    const rounds = ms
      ? roundRatios(old.ms_rounds, now.ms_rounds)
      : roundRatios(now.rps_rounds, old.rps_rounds);
    const interval = rounds === null ? null : ratioInterval(rounds);
    rows.push({
      group: old.group,
      scenario: old.scenario,
      subject,
      ratio: round(byValue, 3),
      paired: rounds === null ? null : round(median(rounds), 3),
      interval: interval === null ? null : interval.map((x) => round(x, 3)),
      reading: interval === null ? null : _reading(interval),
      cpu: round(cpuRatio(now, old), 3),
    });
  }
  return rows;
}

function _reading([low, high]) {
  if (low > 1) return 'better';
  if (high < 1) return 'worse';
  return 'equal';
}

function ratio(a, b) {
  return a && b ? a / b : null;
}
