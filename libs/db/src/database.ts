import type { SQL } from 'drizzle-orm';
import type { NodePgDatabase } from 'drizzle-orm/node-postgres';
import type { AnyColumn } from 'drizzle-orm';
import type * as schema from './schema/pg.schema.js';

/**
 * The executor that repositories receive: the pool, or an open transaction. Typed on the
 * PostgreSQL schema; in dev mode the SQLite driver stands behind the same query-builder calls.
 */
export type Db = NodePgDatabase<typeof schema>;
export type Tables = typeof schema;

/**
 * SQL for "now" by the database's own clock, so expiry never depends on an API server's clock
 * (in dev mode SQLite runs in-process, so its clock is the host's).
 */
export interface DbClock {
  now(): SQL;
  /** An instant `ms` milliseconds after the database's now. */
  nowPlusMs(ms: number): SQL;
  /** An instant `ms` milliseconds after the given instant. */
  plusMs(instant: SQL, ms: number): SQL;
  /** The earlier of two instants. */
  earliest(a: SQL, b: SQL): SQL;
  /** Milliseconds from the database's now until the given instant column (negative if past). */
  msUntil(column: AnyColumn): SQL<number>;
}

export interface TransactionOptions {
  /** SERIALIZABLE on PostgreSQL (SQLite transactions are always serializable). */
  serializable?: boolean;
}

/**
 * The one seam in front of the database. Every read and transaction goes through it: on SQLite it
 * serialises access to the single connection; on PostgreSQL it retries serialization failures.
 * Connection failures surface as `DependencyUnavailableError`.
 */
export abstract class Database {
  abstract readonly kind: 'postgres' | 'sqlite';
  abstract readonly tables: Tables;
  abstract readonly clock: DbClock;
  /** Transactions run, and attempts repeated after a serialization failure or deadlock (PostgreSQL). */
  readonly transactionCounts = { transactions: 0, retries: 0 };

  abstract read<T>(work: (db: Db) => Promise<T>): Promise<T>;

  /**
   * A read that builds a seat map: on PostgreSQL on connections of its own, so that writes
   * holding every pooled connection cannot starve it; otherwise the same as `read`.
   */
  readForMaps<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.read(work);
  }

  /**
   * Runs `work` in one transaction, retried (from the start) on a serialization failure or
   * deadlock. `work` must have no side effects outside the database.
   */
  abstract transaction<T>(work: (tx: Db) => Promise<T>, options?: TransactionOptions): Promise<T>;

  /**
   * A READ COMMITTED transaction for work in the background (webhook delivery): on PostgreSQL on
   * connections of its own, so that it never waits behind buyers for a pooled connection, nor they
   * behind it; otherwise the same as `transaction`.
   */
  backgroundTransaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.transaction(work);
  }

  /**
   * Makes transactions that name the same scope take turns until `tx` ends (PostgreSQL: a
   * transaction-scoped advisory lock; SQLite has a single writer, so nothing to do). For rules that
   * read rows they do not write, like "at most N seats per customer".
   */
  abstract serializeOn(tx: Db, scope: [string, string]): Promise<void>;

  /** Resolves when the database answers a trivial query. */
  abstract ping(): Promise<void>;

  abstract close(): Promise<void>;
}
