import { configDefaults, defineWorkspace } from 'vitest/config';

// Two projects: `unit` (everything in vitest.config.ts except test/kafka/) and `kafka`
// (test/kafka/, with the global setup that starts one real Kafka broker for the run).
// Vitest runs a project's globalSetup only when that project has test files in the run.
export default defineWorkspace([
  {
    extends: './vitest.config.ts',
    test: {
      name: 'unit',
      exclude: [...configDefaults.exclude, 'test/kafka/**'],
    },
  },
  {
    test: {
      name: 'kafka',
      include: ['test/kafka/**/*.test.ts'],
      globalSetup: ['test/kafka/global-setup.ts'],
      pool: 'forks',
      // Kafka tests mostly wait (for the broker, for sessions to expire): run a few files at once
      poolOptions: { forks: { maxForks: 3, minForks: 1 } },
      testTimeout: 60_000,
      hookTimeout: 120_000,
    },
  },
]);
