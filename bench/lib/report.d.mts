// Types for report.mjs (the smoke test is TypeScript).
export interface Machine {
  cpus: number;
  model: string;
  node: string;
  os: string;
  memory_gb?: number;
  load_avg?: number[];
}
export interface ScenarioRow {
  group: string;
  scenario: string;
  subject: string;
  rps: number | null;
  p99_ms: number | null;
  rss_mb: number | null;
  ratio_vs_baseline: number | null;
  [key: string]: unknown;
}
export interface Target {
  id: string;
  target: string;
  value: number | null;
  bar: string;
  holds: boolean | null;
  cpu_value: number | null;
  holds_by_cpu: boolean | null;
  /** The median over rounds of the per-round req/s ratio (null where not measured). */
  paired_value: number | null;
  holds_paired: boolean | null;
}
export interface Results {
  machine: Machine;
  date: string;
  quick: boolean;
  elapsed_s: number;
  versions: Record<string, string | null>;
  /** BENCH_BEFORE: the earlier build the "(before)" rows come from. */
  before?: BeforeBuild;
  scenarios: ScenarioRow[];
  targets: Target[];
}
export interface BeforeBuild {
  path: string;
  commit: string | null;
}
export const ROW_KEYS: Record<string, string>;
export function machineInfo(): Machine;
export function buildResults(input: {
  machine: Machine;
  date: string;
  quick: boolean;
  elapsed_s: number;
  scenarios: Array<Partial<ScenarioRow> & { group: string; scenario: string; subject: string }>;
  targets: Target[];
  versions?: Record<string, string | null>;
  before?: BeforeBuild;
}): Results;
export function validateResults(results: unknown): string[];
export function renderTable(
  head: string[],
  rows: unknown[][],
  options: { markdown: boolean; right?: Set<number> },
): string;
export function scenarioTable(results: Results, options: { markdown: boolean }): string;
export function targetTable(results: Results, options: { markdown: boolean }): string;
export function machineLine(results: Results): string;
export function renderMarkdown(results: Results): string;
export function renderConsole(results: Results): string;
