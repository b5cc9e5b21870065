// Types for measure.mjs (the smoke test is TypeScript).
import type { ScenarioRow } from './report.mjs';
import type { runWrk, WrkResult } from './wrk.mjs';

export interface Subject {
  id: string;
  name: string;
  workloads?: string[];
}
export interface Workload {
  id: string;
  name: string;
  connections: number;
  postBytes?: number;
  warmRequests: number;
  check(res: Response, body: Uint8Array): string | undefined;
}
export interface Started {
  url: string;
  pids(): number[];
  stop(): Promise<void>;
}
export function interleave(o: {
  group: string;
  subjects: Subject[];
  workloads: Workload[];
  start(subject: Subject, workload: Workload): Promise<Started>;
  ctx: { rounds: number; seconds: number; log(msg: string): void };
  rss?: boolean;
  load?: (
    options: Parameters<typeof runWrk>[0],
  ) => Promise<Pick<WrkResult, 'requests' | 'rps' | 'p99_ms' | 'errors'>>;
}): Promise<ScenarioRow[]>;
