import { type Db, and, eq, inArray, isNull, lte, sql } from '@app/db';
import { Injectable } from '@nestjs/common';
import { nullableNumber, type SeatStatus, Statements } from './statements.js';

export interface SeatState {
  id: string;
  status: SeatStatus;
  holdOwner: string | null;
  /** Milliseconds until the hold lapses by the database clock; null when there is no hold. */
  msLeft: number | null;
}

/** Statements about holds: taking, keeping, queueing for expiry and releasing them. */
@Injectable()
export class HoldRepository extends Statements {
  /**
   * Seats this user holds (live) or has booked (not cancelled) in the show: live holds through
   * `hold_expiries`, each checked against its seat (still held by this user until that instant),
   * and booked seats through the user's bookings.
   */
  async customerSeats(db: Db, showId: string, userId: string): Promise<number> {
    const { seats, holdExpiries, bookings, bookingSeats } = this.t;
    const [held] = await db
      .select({ n: sql<number>`cast(count(distinct ${seats.id}) as integer)`.mapWith(Number) })
      .from(holdExpiries)
      .innerJoin(seats, eq(seats.id, holdExpiries.seatId))
      .where(
        and(
          eq(holdExpiries.showId, showId),
          eq(holdExpiries.owner, userId),
          eq(seats.holdOwner, userId),
          eq(seats.holdExpiresAt, holdExpiries.expiresAt),
          this.liveHold(),
        ),
      );
    const [booked] = await db
      .select({ n: sql<number>`cast(count(*) as integer)`.mapWith(Number) })
      .from(bookings)
      .innerJoin(bookingSeats, eq(bookingSeats.bookingId, bookings.id))
      .where(and(eq(bookings.userId, userId), eq(bookings.showId, showId), isNull(bookingSeats.cancelledAt)));
    return held.n + booked.n;
  }

  locate(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    return db.select({ id: seats.id, showId: seats.showId }).from(seats).where(inArray(seats.id, seatIds));
  }

  /** What Redis's keys of these seats are compared with: each seat's status and hold. */
  holdsOf(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    return db.select({ id: seats.id, status: seats.status, holdId: seats.holdId }).from(seats).where(inArray(seats.id, seatIds));
  }

  /** Every seat id of the show (by the `(show_id, …)` index). */
  async seatIdsOf(db: Db, showId: string): Promise<string[]> {
    const { seats } = this.t;
    const rows = await db.select({ id: seats.id }).from(seats).where(eq(seats.showId, showId));
    return rows.map((row) => row.id);
  }

  states(db: Db, seatIds: string[]): Promise<SeatState[]> {
    const { seats } = this.t;
    return db
      .select({
        id: seats.id,
        status: seats.status,
        holdOwner: seats.holdOwner,
        msLeft: this.clock.msUntil(seats.holdExpiresAt).mapWith(nullableNumber),
      })
      .from(seats)
      .where(inArray(seats.id, seatIds));
  }

  /** Marks free (or lapsed) seats as held by this user until now + ttl, bumping the fencing version. */
  async claimForHold(db: Db, hold: { seatIds: string[]; userId: string; holdId: string; ttlMs: number }) {
    const lapsed = await this.lapsedAmong(db, hold.seatIds);
    const claimed = await this.claimStatement(db, hold);
    await this.recordHistory(db, [
      ...this.expiries(lapsed, claimed),
      ...claimed.map(({ id, showId }) => ({
        seatId: id,
        showId,
        status: 'HELD' as const,
        cause: 'hold' as const,
        userId: hold.userId,
        holdId: hold.holdId,
      })),
    ]);
    return claimed;
  }

  /** The UPDATE of `claimForHold` (its query plan is tested). */
  claimStatement(db: Db, hold: { seatIds: string[]; userId: string; holdId: string; ttlMs: number }) {
    const { seats } = this.t;
    return db
      .update(seats)
      .set({
        status: 'HELD',
        holdOwner: hold.userId,
        holdId: hold.holdId,
        holdExpiresAt: this.clock.nowPlusMs(hold.ttlMs),
        holdGrantedAt: this.clock.now(),
        holdVersion: sql`${seats.holdVersion} + 1`,
        bookingId: null,
      })
      .where(and(inArray(seats.id, hold.seatIds), this.takeable()))
      .returning({ id: seats.id, showId: seats.showId, holdExpiresAt: seats.holdExpiresAt });
  }

  /** Holds among these seats that have lapsed but were not released yet (a new hold or a block takes them over). */
  private lapsedAmong(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    return db
      .select({ id: seats.id, showId: seats.showId, userId: seats.holdOwner, holdId: seats.holdId })
      .from(seats)
      .where(and(inArray(seats.id, seatIds), sql`${this.status()} = 'HELD'`, lte(seats.holdExpiresAt, this.clock.now())));
  }

  /** History entries for the lapsed holds among the seats a change took over: their expiry comes first. */
  private expiries(lapsed: { id: string; showId: string; userId: string | null; holdId: string | null }[], changed: { id: string }[]) {
    const taken = new Set(changed.map((seat) => seat.id));
    return lapsed
      .filter((seat) => taken.has(seat.id))
      .map(({ id, ...hold }) => ({ seatId: id, ...hold, status: 'AVAILABLE' as const, cause: 'expiry' as const }));
  }

  /**
   * A hold in one statement (PostgreSQL; undefined on SQLite), for shows without a per-customer limit (the common
   * case). Reads the show's rules by the database clock and this user's live holds among the seats,
   * and claims the others that are free (or lapsed) only if the show is on sale, the request is
   * within `perOrder` and no per-customer limit applies; otherwise it writes nothing and the caller
   * judges from `rules` (a show with a per-customer limit takes the statement-per-step path). Seats
   * are reached by primary key.
   */
  async holdAtOnce(
    db: Db,
    hold: { showId: string; seatIds: string[]; userId: string; holdId: string; ttlMs: number },
  ): Promise<HoldAtOnce | undefined> {
    // SQLite has no data-modifying CTEs: the caller takes the statement-per-step path.
    if (this.database.kind !== 'postgres') return undefined;
    const { showId, seatIds, userId, holdId, ttlMs } = hold;
    const [row] = await this.postgres.executeNamed<{ rules: HoldAtOnce['rules'] | null; kept: HeldRow[]; claimed: HeldRow[] }>(
      db,
      HOLD_AT_ONCE,
      [showId, seatIds, userId, holdId, ttlMs, seatIds.length],
    );
    const held = ({ id, expiresMs, msLeft }: HeldRow) => ({ id, holdExpiresAt: new Date(expiresMs), msLeft: msLeft ?? null });
    return { rules: row.rules ?? undefined, kept: row.kept.map(held), claimed: row.claimed.map(held) };
  }

  /** Records the holds of these seats in `hold_expiries` (copied from the seats: the very instants). */
  async queueExpiries(db: Db, seatIds: string[]): Promise<void> {
    if (seatIds.length === 0) return;
    const { seats, holdExpiries } = this.t;
    await db.insert(holdExpiries).select(
      db
        .select({
          seatId: seats.id,
          showId: seats.showId,
          owner: sql<string>`${seats.holdOwner}`.as('owner'),
          expiresAt: sql<Date>`${seats.holdExpiresAt}`.as('expires_at'),
        })
        .from(seats)
        .where(and(inArray(seats.id, seatIds), sql`${this.status()} = 'HELD'`)),
    );
  }

  /** The seats among `seatIds` that this user holds right now. */
  liveHoldsOf(db: Db, seatIds: string[], userId: string) {
    const { seats } = this.t;
    return db
      .select({
        id: seats.id,
        holdExpiresAt: seats.holdExpiresAt,
        msLeft: this.clock.msUntil(seats.holdExpiresAt).mapWith(nullableNumber),
      })
      .from(seats)
      .where(and(inArray(seats.id, seatIds), eq(seats.holdOwner, userId), this.liveHold()));
  }

  /** HELD → AVAILABLE for this user's live holds (an explicit release clears the owner; the hold id stays, as history). */
  async releaseHeld(db: Db, seatIds: string[], userId: string) {
    const released = await this.releaseStatement(db, seatIds, userId);
    await this.recordHistory(
      db,
      released.map(({ id, ...seat }) => ({ seatId: id, ...seat, userId, status: 'AVAILABLE' as const, cause: 'release' as const })),
    );
    return released;
  }

  /** The UPDATE of `releaseHeld`. */
  releaseStatement(db: Db, seatIds: string[], userId: string) {
    const { seats } = this.t;
    return db
      .update(seats)
      .set({ status: 'AVAILABLE', holdOwner: null, holdExpiresAt: null })
      .where(and(inArray(seats.id, seatIds), eq(seats.holdOwner, userId), this.liveHold()))
      .returning({ id: seats.id, showId: seats.showId, holdId: seats.holdId });
  }

  /**
   * This user's live holds expire `ms` from now, but never later than `maxMs` after each was first
   * granted (a hold from before grants were recorded counts from now).
   */
  async extendHeld(db: Db, seatIds: string[], userId: string, ms: number, maxMs: number) {
    const { seats } = this.t;
    const granted = sql`coalesce(${seats.holdGrantedAt}, ${this.clock.now()})`;
    const expiry = this.clock.earliest(this.clock.nowPlusMs(ms), this.clock.plusMs(granted, maxMs));
    const extended = await db
      .update(seats)
      .set({ holdExpiresAt: expiry })
      .where(and(inArray(seats.id, seatIds), eq(seats.holdOwner, userId), this.liveHold()))
      .returning({
        id: seats.id,
        showId: seats.showId,
        holdId: seats.holdId,
        holdExpiresAt: seats.holdExpiresAt,
        msLeft: this.clock.msUntil(seats.holdExpiresAt).mapWith(Number),
      });
    await this.recordHistory(
      db,
      extended.map(({ id, showId, holdId }) => ({ seatId: id, showId, holdId, userId, status: 'HELD' as const, cause: 'extend' as const })),
    );
    return extended;
  }

  /** AVAILABLE (or a lapsed hold) → BLOCKED: a house hold, not for sale. */
  async block(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    const lapsed = await this.lapsedAmong(db, seatIds);
    const blocked = await db
      .update(seats)
      .set({ status: 'BLOCKED', holdOwner: null, holdId: null, holdExpiresAt: null, holdVersion: sql`${seats.holdVersion} + 1` })
      .where(and(inArray(seats.id, seatIds), this.takeable()))
      .returning({ id: seats.id, showId: seats.showId });
    await this.recordHistory(db, [
      ...this.expiries(lapsed, blocked),
      ...blocked.map(({ id, showId }) => ({ seatId: id, showId, status: 'BLOCKED' as const, cause: 'block' as const })),
    ]);
    return blocked;
  }

  /** BLOCKED → AVAILABLE. */
  async unblock(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    const unblocked = await db
      .update(seats)
      .set({ status: 'AVAILABLE' })
      .where(and(inArray(seats.id, seatIds), sql`${this.status()} = 'BLOCKED'`))
      .returning({ id: seats.id, showId: seats.showId });
    await this.recordHistory(
      db,
      unblocked.map(({ id, showId }) => ({ seatId: id, showId, status: 'AVAILABLE' as const, cause: 'unblock' as const })),
    );
    return unblocked;
  }

  /**
   * HELD → AVAILABLE for holds that have lapsed by the database clock (all of them, or the given
   * seats). The last owner and expiry are kept so a late buyer hears EXPIRED. Idempotent: only the
   * caller whose statement changed a row sees it returned.
   */
  async releaseLapsed(db: Db, seatIds: string[]) {
    const released = await this.releaseLapsedStatement(db, seatIds);
    await this.recordHistory(
      db,
      released.map(({ id, showId, userId, holdId }) => ({
        seatId: id,
        showId,
        userId,
        holdId,
        status: 'AVAILABLE' as const,
        cause: 'expiry' as const,
      })),
    );
    return released;
  }

  /** The UPDATE of `releaseLapsed`. */
  releaseLapsedStatement(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    return (
      db
        .update(seats)
        .set({ status: 'AVAILABLE' })
        // By primary key (see `status`).
        .where(and(inArray(seats.id, seatIds), sql`${this.status()} = 'HELD'`, lte(seats.holdExpiresAt, this.clock.now())))
        // How long after its expiry each hold was released (database clock), for the metrics.
        .returning({
          id: seats.id,
          showId: seats.showId,
          userId: seats.holdOwner,
          holdId: seats.holdId,
          msLate: sql<number>`-(${this.clock.msUntil(seats.holdExpiresAt)})`.mapWith(Number),
        })
    );
  }

  /**
   * Every lapsed hold, for the sweeper: takes the due entries of `hold_expiries` and releases their
   * seats that are still held and lapsed (by primary key, in batches).
   */
  async releaseAllLapsed(db: Db): Promise<{ id: string; showId: string; msLate: number }[]> {
    const { holdExpiries } = this.t;
    const due = await db
      .delete(holdExpiries)
      .where(lte(holdExpiries.expiresAt, this.clock.now() as unknown as Date))
      .returning({ seatId: holdExpiries.seatId });
    const seatIds = [...new Set(due.map((entry) => entry.seatId))];
    const released: { id: string; showId: string; msLate: number }[] = [];
    for (let i = 0; i < seatIds.length; i += RELEASE_BATCH)
      released.push(...(await this.releaseLapsed(db, seatIds.slice(i, i + RELEASE_BATCH))));
    return released;
  }
}

/**
 * `holdAtOnce` as fixed text, sent by name: parsed and planned once per connection, never
 * rendered again. $1 show, $2 seat ids, $3 user, $4 hold id, $5 ttl (ms), $6 how many seats.
 * Instants are whole ms since the epoch, truncated as everywhere else (to_char MS, node-postgres).
 */
const HOLD_AT_ONCE = {
  name: 'hold_at_once',
  text: `
  with rules as (
    select sales_open_at <= now() and now() < sales_close_at as "onSale", per_order as "perOrder", per_customer as "perCustomer"
      from shows where id = $1
  ), kept as (
    select id, floor(extract(epoch from hold_expires_at) * 1000)::double precision as "expiresMs",
           round(extract(epoch from (hold_expires_at - now())) * 1000)::double precision as "msLeft"
      from seats where id = any($2::text[]) and (status || '') = 'HELD' and hold_owner = $3 and hold_expires_at > now()
  ), claimed as (
    update seats set status = 'HELD', hold_owner = $3, hold_id = $4, booking_id = null, hold_version = hold_version + 1,
                     hold_expires_at = now() + ($5::double precision * interval '1 millisecond'), hold_granted_at = now()
     where id = any($2::text[]) and ((status || '') = 'AVAILABLE' or ((status || '') = 'HELD' and hold_expires_at <= now()))
       and exists (select 1 from rules where "onSale" and "perCustomer" is null and "perOrder" >= $6)
    returning id, show_id, hold_expires_at, floor(extract(epoch from hold_expires_at) * 1000)::double precision as "expiresMs"
  ), queued as (
    insert into hold_expiries (seat_id, show_id, owner, expires_at) select id, show_id, $3, hold_expires_at from claimed
  ), lapsed as (
    select id, show_id, hold_owner, hold_id from seats
     where id = any($2::text[]) and (status || '') = 'HELD' and hold_expires_at <= now()
  ), history as (
    insert into seat_history (seat_id, show_id, at, status, cause, user_id, hold_id)
    select lapsed.id, lapsed.show_id, now(), 'AVAILABLE', 'expiry', lapsed.hold_owner, lapsed.hold_id
      from lapsed join claimed on claimed.id = lapsed.id
    union all
    select id, show_id, now(), 'HELD', 'hold', $3, $4 from claimed
  )
  select (select row_to_json(rules) from rules) as rules,
         (select coalesce(json_agg(kept), '[]') from kept) as kept,
         (select coalesce(json_agg(json_build_object('id', id, 'expiresMs', "expiresMs")), '[]') from claimed) as claimed`,
};

/** Seats per statement when the sweeper releases many at once (bound parameters are limited). */
const RELEASE_BATCH = 1000;

interface HeldRow {
  id: string;
  expiresMs: number;
  msLeft?: number;
}

export interface HoldAtOnce {
  /** The show's rules by the database clock; undefined when the show does not exist. */
  rules: { onSale: boolean; perOrder: number; perCustomer: number | null } | undefined;
  /** Seats this user already held (kept as they were). */
  kept: { id: string; holdExpiresAt: Date; msLeft: number | null }[];
  /** Seats claimed by this statement (none unless the rules allowed it). */
  claimed: { id: string; holdExpiresAt: Date; msLeft: number | null }[];
}
