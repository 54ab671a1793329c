import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const libs = ['common', 'config', 'db', 'redis', 'booking', 'idempotency', 'realtime', 'metrics', 'security', 'catalogue'];

export default defineConfig({
  resolve: {
    alias: Object.fromEntries(libs.map((name) => [`@app/${name}`, fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url))])),
  },
  test: {
    // Three tiers: `npm run test:unit` (no services), `test:e2e` (PostgreSQL and Redis, the API
    // in-process or as processes), `test:chaos` (Redis and PostgreSQL failures, processes of their
    // own); `vitest run` runs them all.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts'], exclude: ['**/*.e2e.spec.ts', '**/*.browser.spec.ts'] },
      },
      {
        extends: true,
        test: { name: 'e2e', include: ['apps/**/*.e2e.spec.ts', 'apps/**/*.browser.spec.ts'], exclude: ['apps/api/test/chaos/**'] },
      },
      { extends: true, test: { name: 'chaos', include: ['apps/api/test/chaos/**/*.spec.ts'] } },
    ],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Service logs (and anything else a test prints) are shown for failing tests only.
    silent: 'passed-only',
  },
});
