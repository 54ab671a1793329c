import { type AppConfig, loadConfig } from '@app/config';
import { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The two backends every end-to-end suite runs against: dev mode (SQLite in memory + mock Redis)
 * and the machine's PostgreSQL and Redis. The real run uses a database created for this test
 * file and a Redis database number of its own, and drops/flushes them afterwards.
 * Outside CI a missing service skips the real run; with CI=true it fails instead.
 */
export interface Backend {
  name: 'dev' | 'postgres+redis' | 'postgres+redis-cluster';
  /** False only outside CI when PostgreSQL or Redis cannot be reached. */
  available: boolean;
  /** Creates a fresh environment (new database, flushed Redis db) and its configuration. */
  provision(env?: Record<string, string>): Promise<{ config: AppConfig; cleanup: () => Promise<void> }>;
}

export const PG_ADMIN_URL = process.env.TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_TEST_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const inCi = process.env.CI === 'true';

/** Redis db 1..15, one per concurrently running test worker (db 0 is left to people). */
export function redisDbForWorker(): number {
  const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1);
  return 1 + ((worker - 1) % 15);
}

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 });
  const redis = new Redis(REDIS_TEST_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000, retryStrategy: () => null });
  try {
    await client.connect();
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
    redis.disconnect();
  }
}

let databases = 0;

/** The admin token of the real-service runs (dev mode makes one up). */
export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

export const devBackend: Backend = {
  name: 'dev',
  available: true,
  async provision(env = {}) {
    const config = loadConfig({ SQLITE_PATH: ':memory:', SEED_DEMO: 'true', LOG_LEVEL: 'warn', ...env });
    return { config, cleanup: async () => undefined };
  },
};

/** A database of its own for one test environment, and how to drop it. */
export async function testDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `seat_test_${process.pid}_${Date.now().toString(36)}_${databases++}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL });
    await client.connect();
    await client.query(statement);
    await client.end();
  };
  await admin(`create database ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

export const realBackend: Backend = {
  name: 'postgres+redis',
  available: inCi || (await reachable()),
  async provision(env = {}) {
    const database = await testDatabase();
    const db = redisDbForWorker();
    const redis = new Redis(`${REDIS_TEST_URL}/${db}`);
    await redis.flushdb();
    redis.disconnect();
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: `${REDIS_TEST_URL}/${db}`,
      SEED_DEMO: 'true',
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      ...env,
    });
    return { config, cleanup: database.drop };
  },
};

export const backends: Backend[] = [devBackend, realBackend];
