// Types for instructions.mjs (the smoke test is TypeScript).
export function dumpInstructions(text: string): number;
