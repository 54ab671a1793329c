import { Database, type Db, PostgresDatabase, and, lte, or, sql } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'BOOKED' | 'BLOCKED';

/** Why a seat changed, as its history says. */
export type HistoryCause = 'hold' | 'extend' | 'release' | 'expiry' | 'booking' | 'cancellation' | 'block' | 'unblock';

/** One entry of a seat's history (`at` is the database clock's now). */
export interface HistoryEntry {
  seatId: string;
  showId: string;
  status: SeatStatus;
  cause: HistoryCause;
  userId?: string | null;
  holdId?: string | null;
  bookingId?: string | null;
}

/**
 * What every repository of the seat tables shares: the dialect's tables and clock, and the seat
 * predicates (a live hold, a takeable seat) written once. Repositories take the executor (pool or
 * transaction) as their methods' first argument; services decide the transaction boundaries.
 * Writes are conditional `UPDATE … WHERE <expected state> RETURNING`, and callers check the rows.
 */
@Injectable()
export abstract class Statements {
  constructor(@Inject(Database) protected readonly database: Database) {}

  /** The PostgreSQL-only statements run on it. */
  protected get postgres(): PostgresDatabase {
    if (!(this.database instanceof PostgresDatabase)) throw new Error('a PostgreSQL statement on a SQLite database');
    return this.database;
  }

  protected get t() {
    return this.database.tables;
  }

  protected get clock() {
    return this.database.clock;
  }

  /**
   * The seat's status, written so that no index could serve it: statements about given seats must
   * reach them by primary key. (When `seats` had an index on `(status, hold_expires_at)`, the
   * planner preferred it whenever it expected few held seats, and scanned every live or lapsed hold
   * of every show: a hold's cost grew with the sale. No such index exists now, since seat updates
   * must stay HOT; the form stays so that no index added later can be picked for them.)
   */
  protected status() {
    return sql`(${this.t.seats.status} || '')`;
  }

  /**
   * Appends to the seats' history, in the caller's transaction (so a change rolled back leaves no
   * entry). The PostgreSQL fast paths (`hold_at_once`, `sell`) write theirs in their own statement.
   */
  protected async recordHistory(db: Db, entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const at = this.clock.now() as unknown as Date;
    await db
      .insert(this.t.seatHistory)
      .values(entries.map(({ userId = null, holdId = null, bookingId = null, ...entry }) => ({ ...entry, at, userId, holdId, bookingId })));
  }

  /** A hold is live while the database clock is before its expiry. */
  protected liveHold() {
    const { seats } = this.t;
    return and(sql`${this.status()} = 'HELD'`, sql`${seats.holdExpiresAt} > ${this.clock.now()}`);
  }

  /** Seats a new hold may take: free, or held by a hold that has already lapsed. */
  protected takeable() {
    const { seats } = this.t;
    return or(sql`${this.status()} = 'AVAILABLE'`, and(sql`${this.status()} = 'HELD'`, lte(seats.holdExpiresAt, this.clock.now())));
  }
}

export function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
