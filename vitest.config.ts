import { configDefaults, defineConfig } from 'vitest/config';

// One run for everything. Files share real services (Redis, CouchDB-protocol server, Docker), so test files run
// in separate workers but each test isolates itself by unique queue/database/container names.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fault tests kill and restart services; scripts/test.sh runs them afterwards, serially (test/faults/vitest.config.ts).
    exclude: [...configDefaults.exclude, 'test/faults/**'],
    // Generous: tests wait for what they assert, and a busy 2-core machine is slow, not wrong.
    testTimeout: 90_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
