import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const libs = ['common', 'config', 'db', 'redis', 'booking', 'idempotency', 'realtime', 'metrics', 'security', 'catalogue'];

export default defineConfig({
  resolve: {
    alias: Object.fromEntries(libs.map((name) => [`@app/${name}`, fileURLToPath(new URL(`./libs/${name}/src/index.ts`, import.meta.url))])),
  },
  test: {
    include: ['apps/**/*.spec.ts', 'libs/**/*.spec.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default'],
    // Service logs (and anything else a test prints) are shown for failing tests only.
    silent: 'passed-only',
  },
});
