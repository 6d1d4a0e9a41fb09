import { defineConfig } from 'vitest/config';

// One runner for the whole workspace: each package is a project, so `pnpm test` runs them all.
/** CI sets VTS_TEST_REPORT to get a JSON report it can summarise (and check that nothing was skipped). */
const report = process.env.VTS_TEST_REPORT;

export default defineConfig({
  test: {
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
    projects: [
      { test: { name: 'shared', include: ['shared/test/**/*.test.ts'] } },
      { test: { name: 'functions', include: ['functions/test/**/*.test.ts'] } },
      {
        test: {
          name: 'infra',
          include: ['infra/test/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
