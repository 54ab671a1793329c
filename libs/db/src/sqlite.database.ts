import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { AnyColumn } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { Database, type Db, type DbClock, type Tables } from './database.js';
import { drizzleSqlite as drizzle, sql } from './drizzle.js';
import * as schema from './schema/sqlite.schema.js';

const NOW_MS = sql`cast(unixepoch('subsec') * 1000 as integer)`;

const sqliteClock: DbClock = {
  now: () => NOW_MS,
  nowPlusMs: (ms) => sql`(${NOW_MS} + ${ms})`,
  plusMs: (instant, ms) => sql`(${instant} + ${ms})`,
  earliest: (a, b) => sql`min(${a}, ${b})`,
  msUntil: (column: AnyColumn) => sql<number>`(${column} - ${NOW_MS})`,
};

/**
 * Dev-mode database: one better-sqlite3 connection. Its statements run synchronously, so an
 * `async` transaction callback would let other requests' statements slip into the open
 * transaction between awaits. Every read and transaction therefore queues for the connection,
 * and transactions are explicit `BEGIN IMMEDIATE` / `COMMIT` / `ROLLBACK`.
 */
export class SqliteDatabase extends Database {
  readonly kind = 'sqlite';
  // Same table and column names as the pg schema; the query builder only needs the shapes.
  readonly tables = schema as unknown as Tables;
  readonly clock = sqliteClock;
  readonly db: BetterSQLite3Database<typeof schema>;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly connection: BetterSqlite3.Database) {
    super();
    connection.pragma('journal_mode = WAL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    this.db = drizzle(connection, { schema });
  }

  static open(path: string): SqliteDatabase {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    return new SqliteDatabase(new BetterSqlite3(path));
  }

  read<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.asDb()));
  }

  transaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      this.connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.asDb());
        this.connection.exec('COMMIT');
        return result;
      } catch (error) {
        if (this.connection.inTransaction) this.connection.exec('ROLLBACK');
        throw error;
      }
    });
  }

  async serializeOn(): Promise<void> {
    // One connection, transactions BEGIN IMMEDIATE: they already run one at a time.
  }

  async ping(): Promise<void> {
    await this.read(async () => this.connection.prepare('select 1').get());
  }

  async close(): Promise<void> {
    await this.exclusive(async () => this.connection.close());
  }

  private asDb(): Db {
    return this.db as unknown as Db;
  }

  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}
