// Types for targets.mjs (the smoke test is TypeScript).
import type { ScenarioRow, Target } from './report.mjs';
export function evaluateTargets(rows: ScenarioRow[]): Target[];
