// Types for old-generation.mjs (the smoke test is TypeScript).
export interface SamplingHeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SamplingHeapProfileNode[];
}
export function profileSites(
  profile: { head: SamplingHeapProfileNode },
  ownPath?: string,
): { total: number; sites: [string, number][]; own: [string, number][] };
