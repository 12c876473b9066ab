import { configDefaults, defineConfig } from 'vitest/config';

// One run for everything. Files share real services (Redis, CouchDB-protocol server, Docker), so test files run
// in separate workers but each test isolates itself by unique queue/database/container names.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fault tests kill and restart services; scripts/test.sh runs them afterwards, serially (test/faults/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
