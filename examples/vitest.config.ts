import { defineConfig } from 'vitest/config';

// Two groups, one after the other. In-process tests run in parallel; the tests that start Chromium,
// redis-server or CLI processes run next, one file at a time, so a browser and a Redis-backed run never
// starve each other (or the in-process tests) of CPU.
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'in-process',
          include: ['test/**/*.test.ts'],
          exclude: ['test/cli/**', 'test/packaging/**', 'test/demoPage.test.ts', 'test/demoCompare.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'processes',
          include: ['test/cli/**/*.test.ts', 'test/packaging/**/*.test.ts', 'test/demoPage.test.ts', 'test/demoCompare.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
