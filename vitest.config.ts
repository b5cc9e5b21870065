import { defineConfig } from 'vitest/config';

// One root config: every package's tests run in one vitest invocation so `pnpm test` stays one command.
export default defineConfig({
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'conformance/test/**/*.test.ts',
      'spec/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'docs/test/**/*.test.ts',
      'bench/test/**/*.test.ts',
      'stress/test/**/*.test.ts',
      'scripts/test/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
