// Types for profile-summary.mjs (the smoke test is TypeScript).
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }>;
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}
export interface Summary {
  total: number;
  self: Array<[string, number]>;
  inclusive: Array<[string, number]>;
  byOrigin: Array<[string, number]>;
}
export function origin(url: string, name: string): string;
export function summarise(profiles: CpuProfile[]): Summary;
export function report(summary: Summary, top?: number): string;
