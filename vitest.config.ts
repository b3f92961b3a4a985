import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    pool: 'forks',
    // the default report, then one line on skipped tests (failing CI when any is skipped)
    reporters: ['default', './test/reporters/skips.ts'],
  },
});
