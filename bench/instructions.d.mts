// Types for instructions.mjs (the smoke test is TypeScript).
export function dumpEvents(text: string): Record<string, number>;
export function dumpInstructions(text: string): number;
