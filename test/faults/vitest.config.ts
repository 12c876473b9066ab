import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The fault tests (docs/guarantees.md): run by scripts/test.sh after the main run, one file at a time, because they
// kill and restart services and load the machine. `npx vitest run --config test/faults/vitest.config.ts`.
export default defineConfig({
  root: fileURLToPath(new URL('../../', import.meta.url)),
  // The repository root's config is not merged: its `exclude` leaves the fault tests out.
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 200_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
