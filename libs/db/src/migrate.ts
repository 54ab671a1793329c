import { fileURLToPath } from 'node:url';
import { drizzlePg, migratePg, migrateSqlite } from './drizzle.js';
import type { PostgresDatabase } from './postgres.database.js';
import type { SqliteDatabase } from './sqlite.database.js';

/** Arbitrary constant key for `pg_advisory_lock`: one migrating instance at a time. */
const MIGRATION_LOCK_KEY = 727_274_001;

// Migrations live beside the sources (libs/db/drizzle); the build copies them next to dist/libs/db.
const folder = (dialect: 'pg' | 'sqlite') => fileURLToPath(new URL(`../drizzle/${dialect}`, import.meta.url));

/**
 * Applies pending migrations, then runs `afterMigrate` (seeding) while still holding the lock.
 * drizzle's pg migrator takes no lock of its own, so two instances starting together would both
 * try to apply the same migration; a session-level advisory lock makes them take turns.
 */
export async function migratePostgres(database: PostgresDatabase, afterMigrate: () => Promise<void>): Promise<void> {
  const client = await database.pool.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migratePg(drizzlePg(client), { migrationsFolder: folder('pg') });
      await afterMigrate();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export async function migrateSqliteDatabase(database: SqliteDatabase, afterMigrate: () => Promise<void>): Promise<void> {
  migrateSqlite(database.db, { migrationsFolder: folder('sqlite') });
  await afterMigrate();
}
