import { defineConfig } from 'vitest/config';

// Two groups, one after the other. Unit tests (fake timers, in-process) run in parallel. The tests that
// drive real processes and real time (a redis-server, worker processes, sockets) run next, one file at a
// time, so they never compete for the CPU with each other or with the unit tests: a starved event loop
// is not what they test.
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/redis/**', 'test/telemetry/**'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'processes',
          include: ['test/redis/**/*.test.ts', 'test/telemetry/**/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
