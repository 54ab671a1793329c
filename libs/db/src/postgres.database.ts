import { causes, DependencyUnavailableError, describeError } from '@app/common';
import { Logger } from '@nestjs/common';
import type { AnyColumn } from 'drizzle-orm';
import pg from 'pg';
import { Database, type Db, type DbClock, type TransactionOptions } from './database.js';
import { drizzlePg as drizzle, sql } from './drizzle.js';
import { retrying } from './retry.js';
import { type NamedStatement, TransactionConnection } from './transaction-connection.js';
import * as schema from './schema/pg.schema.js';

const BEGIN_SERIALIZABLE = 'begin isolation level serializable';
const BEGIN_READ_COMMITTED = 'begin isolation level read committed';

/** SQLSTATEs worth retrying a whole transaction for: serialization_failure, deadlock_detected. */
const RETRYABLE = new Set(['40001', '40P01']);
const isSerializationFailure = (error: unknown) => RETRYABLE.has(sqlState(error) ?? '');

/**
 * SQLSTATE classes and driver errors meaning "the server is not reachable right now":
 * 08 connection exception, 57P01..57P03 shutdown / cannot connect now, 53300 too many connections.
 */
const UNAVAILABLE_STATES = /^(08|57P0[123]|53300)/;
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH']);

export function sqlState(error: unknown): string | undefined {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

/** A unique or primary-key violation, from either dialect (drizzle wraps the driver's error). */
export function isUniqueViolation(error: unknown): boolean {
  for (const e of causes(error)) {
    if (e.code === '23505' || e.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || e.code === 'SQLITE_CONSTRAINT_UNIQUE') return true;
  }
  return false;
}

function isUnavailable(error: unknown): boolean {
  for (const e of causes(error)) {
    if (typeof e.code === 'string' && (UNAVAILABLE_CODES.has(e.code) || UNAVAILABLE_STATES.test(e.code))) return true;
    // "timeout exceeded when trying to connect": no pooled connection came free in time (overload).
    if (
      typeof e.message === 'string' &&
      /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
        e.message,
      )
    ) {
      return true;
    }
  }
  return false;
}

// Milliseconds as double precision: an int4 overflows past ±24.8 days (old lapsed holds, long
// idempotency retention).
const pgClock: DbClock = {
  now: () => sql`now()`,
  nowPlusMs: (ms) => sql`now() + (${ms}::double precision * interval '1 millisecond')`,
  plusMs: (instant, ms) => sql`(${instant} + (${ms}::double precision * interval '1 millisecond'))`,
  earliest: (a, b) => sql`least(${a}, ${b})`,
  msUntil: (column: AnyColumn) => sql<number>`round(extract(epoch from (${column} - now())) * 1000)::double precision`,
};

/**
 * Connections of their own for building seat maps: a map is rebuilt once per version and serves
 * every reader waiting, so two are plenty, and a rush of buyers holding every pooled connection
 * must not turn the map reads of thousands of fans into 503s.
 */
const MAP_READERS = 2;
/** Connections of the background work (webhook delivery), apart from the buyers' pool. */
const BACKGROUND = 2;

export class PostgresDatabase extends Database {
  readonly kind = 'postgres';
  readonly tables = schema;
  readonly clock = pgClock;
  readonly db: Db;
  private readonly mapDb: Db;
  private readonly transactionConnections = new WeakMap<pg.PoolClient, TransactionConnection>();
  /** The connection of each transaction's session, for statements sent past drizzle (`executeNamed`). */
  private readonly connectionOfSession = new WeakMap<object, TransactionConnection>();
  private readonly logger = new Logger('Database');

  /** `mapPool`: the connections of `readForMaps`; `backgroundPool`: of `backgroundTransaction` (by default the same pool). */
  constructor(
    readonly pool: pg.Pool,
    private readonly mapPool: pg.Pool = pool,
    private readonly backgroundPool: pg.Pool = pool,
  ) {
    super();
    this.db = drizzle(pool, { schema });
    this.mapDb = mapPool === pool ? this.db : drizzle(mapPool, { schema });
    // A connection lost while idle in the pool, or while checked out between two statements of a
    // transaction, emits 'error' on its client; unheard, that would crash the process. The
    // statement in progress (or the next one) fails and is reported as a 503.
    for (const each of new Set([pool, mapPool, backgroundPool])) {
      each.on('error', () => undefined);
      each.on('connect', (client) => client.on('error', () => undefined));
    }
  }

  static connect(url: string, poolSize = 10): PostgresDatabase {
    const options = { connectionString: url, connectionTimeoutMillis: 2000, idleTimeoutMillis: 30_000 };
    return new PostgresDatabase(
      new pg.Pool({ ...options, max: poolSize }),
      new pg.Pool({ ...options, max: MAP_READERS }),
      new pg.Pool({ ...options, max: BACKGROUND }),
    );
  }

  read<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.guard(() => work(this.db));
  }

  override readForMaps<T>(work: (db: Db) => Promise<T>): Promise<T> {
    return this.guard(() => work(this.mapDb));
  }

  override backgroundTransaction<T>(work: (tx: Db) => Promise<T>): Promise<T> {
    return this.transaction(work, {}, this.backgroundPool);
  }

  transaction<T>(work: (tx: Db) => Promise<T>, options: TransactionOptions = {}, pool = this.pool): Promise<T> {
    const begin = options.serializable ? BEGIN_SERIALIZABLE : BEGIN_READ_COMMITTED;
    let attempts = 0;
    this.transactionCounts.transactions++;
    return this.guard(() =>
      retrying(() => {
        if (attempts++ > 0) this.transactionCounts.retries++;
        return this.onOneConnection(pool, async (client) => {
          // What drizzle's transaction does, with BEGIN and COMMIT as fixed text, BEGIN sent with
          // the first statement (see TransactionConnection), and the session made once per
          // connection: drizzle rendered both from templates and built a session and a
          // transaction object for every hold and booking.
          const connection = this.connectionOf(client);
          connection.begin(begin);
          try {
            const result = await work(connection.session);
            await connection.commit();
            return result;
          } catch (error) {
            if (connection.begun) await client.query('rollback');
            throw error;
          } finally {
            connection.end();
          }
        });
      }, isSerializationFailure),
    );
  }

  /** The transaction side of one pooled connection, kept for the connection's life. */
  private connectionOf(client: pg.PoolClient): TransactionConnection {
    let connection = this.transactionConnections.get(client);
    if (!connection) {
      connection = new TransactionConnection(client);
      this.transactionConnections.set(client, connection);
      this.connectionOfSession.set(connection.session, connection);
    }
    return connection;
  }

  /**
   * Runs `work` on a connection of its own and always gives it back: destroyed if it broke, so the
   * pool refills with a fresh one.
   */
  private async onOneConnection<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect();
    let broken: Error | undefined;
    try {
      return await work(client);
    } catch (error) {
      if (isUnavailable(error)) broken = error as Error;
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Runs a statement of fixed text as the named prepared statement of its connection: parsed and
   * planned once per connection instead of on every call (planning the one-statement hold or
   * booking took about as long as running it), and never rendered by the query builder. Rows
   * come back as node-postgres parses them.
   */
  async executeNamed<Row>(db: Db, statement: NamedStatement, values: unknown[]): Promise<Row[]> {
    const connection = this.connectionOfSession.get(db);
    if (connection) return connection.executeNamed<Row>(statement, values);
    const result = await this.pool.query<Row & pg.QueryResultRow>({ name: statement.name, text: statement.text, values });
    return result.rows;
  }

  /**
   * A named statement that must commit with the transaction `db` belongs to, sent with its COMMIT
   * (one round trip for both; its failure fails the transaction); run now outside a transaction.
   */
  async executeNamedAtCommit(db: Db, statement: NamedStatement, values: unknown[]): Promise<void> {
    const connection = this.connectionOfSession.get(db);
    if (connection) await connection.executeAtCommit(statement, values);
    else await this.executeNamed(db, statement, values);
  }

  async serializeOn(tx: Db, [a, b]: [string, string]): Promise<void> {
    // Two int4 keys from the scope's hashes: a collision only makes unrelated scopes take turns.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${a}), hashtext(${b}))`);
  }

  async ping(): Promise<void> {
    await this.read((db) => db.execute(sql`select 1`));
  }

  async close(): Promise<void> {
    await Promise.all([...new Set([this.pool, this.mapPool, this.backgroundPool])].map((each) => each.end()));
  }

  /** Whether the last statement reached the server: an outage is logged once, and its end once. */
  private reachable = true;

  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      if (!this.reachable) {
        this.reachable = true;
        this.logger.log('PostgreSQL is back');
      }
      return result;
    } catch (error) {
      if (isUnavailable(error)) {
        if (this.reachable)
          this.logger.warn(`PostgreSQL unreachable, requests that need it answer 503 until it is back: ${describeError(error)}`);
        this.reachable = false;
        throw new DependencyUnavailableError('database', { cause: error });
      }
      // Still colliding after every retry: the database is overloaded for this data right now.
      if (isSerializationFailure(error)) throw new DependencyUnavailableError('database', { cause: error });
      throw error;
    }
  }
}
