// Types for wrk.mjs (the smoke test is TypeScript).
export interface WrkRaw {
  requests: number;
  duration_us: number;
  bytes: number;
  connect: number;
  read: number;
  write: number;
  status: number;
  timeout: number;
  p50_us: number;
  p90_us: number;
  p99_us: number;
  max_us: number;
  mean_us: number;
}
export interface WrkResult {
  requests: number;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  max_ms: number;
  mb_per_s: number;
  errors: number;
  raw: WrkRaw;
}
export function parseWrk(raw: WrkRaw): WrkResult;
export function runWrk(options: {
  url: string;
  connections?: number;
  threads?: number;
  seconds?: number;
  postBytes?: number;
  stopAfter?: number;
  timeoutSeconds?: number;
}): Promise<WrkResult>;
