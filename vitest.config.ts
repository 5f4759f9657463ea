import os from 'node:os';
import { defineConfig } from 'vitest/config';
import LongestFirst from './test/sequencer.ts';

// Unit tests run once; integration tests (*.int.test.ts) run on both database backends.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration files spend most of their time waiting on the database, so two run side by side
    // even on two cores (Vitest's default there is one). Fuzz files keep to one at a time
    // (fileParallelism: false) and run last.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    // Long files first, so the workers finish together (see test/sequencer.ts).
    sequence: { sequencer: LongestFirst },
    projects: [
      // Unit and integration files share a worker's loaded modules (isolate: false): each file
      // builds its own application and database, and importing the whole server again for every
      // file took a fifth of the run. Browser and fuzz files keep their own.
      { extends: true, test: { name: 'unit', isolate: false, include: ['src/**/*.test.ts', 'web/src/**/*.test.ts'], exclude: ['src/**/*.int.test.ts'] } },
      { extends: true, test: { name: 'pglite', isolate: false, include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'], env: { TEST_DB: 'pglite' } } },
      { extends: true, test: { name: 'postgres', isolate: false, include: ['src/**/*.int.test.ts', 'test/**/*.int.test.ts'], env: { TEST_DB: 'postgres' } } },
      // Property-based fuzzing, bounded (FUZZ_RUNS per target); `npm run fuzz` runs the same targets at length.
      { extends: true, test: { name: 'fuzz', include: ['test/fuzz/**/*.fuzz.test.ts'], fileParallelism: false } },
      // Browser files run two at a time too, but only after the rest (groupOrder), so a page's
      // timing never competes with the integration files for the two cores.
      { extends: true, test: { name: 'browser', include: ['test/browser/**/*.e2e.test.ts'], sequence: { groupOrder: 1 }, testTimeout: 120_000 } },
    ],
  },
});
