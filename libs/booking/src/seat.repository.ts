import { type Db, Database, PostgresDatabase } from '@app/db';
import { and, asc, eq, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { Inject, Injectable } from '@nestjs/common';

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'BOOKED';

/** A seat as it is sold: where it is and what it costs at booking time. */
export interface BookedSeat {
  id: string;
  label: string;
  section: string | null;
  category: string | null;
  priceAmount: number | null;
  priceCurrency: string | null;
}

export interface SeatState {
  id: string;
  status: SeatStatus;
  holdOwner: string | null;
  /** Milliseconds until the hold lapses by the database clock; null when there is no hold. */
  msLeft: number | null;
}

/**
 * Every statement about seats and bookings. Methods take the executor (pool or transaction) as
 * their first argument; services decide the transaction boundaries. Writes are conditional
 * `UPDATE … WHERE <expected state> RETURNING`, and callers check the returned rows.
 */
@Injectable()
export class SeatRepository {
  constructor(@Inject(Database) private readonly database: Database) {}

  /** The PostgreSQL-only statements run on it. */
  private get postgres(): PostgresDatabase {
    if (!(this.database instanceof PostgresDatabase)) throw new Error('a PostgreSQL statement on a SQLite database');
    return this.database;
  }

  private get t() {
    return this.database.tables;
  }

  private get clock() {
    return this.database.clock;
  }

  /**
   * The seat's status, written so that no index could serve it: statements about given seats must
   * reach them by primary key. (When `seats` had an index on `(status, hold_expires_at)`, the
   * planner preferred it whenever it expected few held seats, and scanned every live or lapsed hold
   * of every show: a hold's cost grew with the sale. No such index exists now, since seat updates
   * must stay HOT; the form stays so that no index added later can be picked for them.)
   */
  private status() {
    return sql`(${this.t.seats.status} || '')`;
  }

  /** A hold is live while the database clock is before its expiry. */
  private liveHold() {
    const { seats } = this.t;
    return and(sql`${this.status()} = 'HELD'`, sql`${seats.holdExpiresAt} > ${this.clock.now()}`);
  }

  /** Seats a new hold may take: free, or held by a hold that has already lapsed. */
  private takeable() {
    const { seats } = this.t;
    return or(sql`${this.status()} = 'AVAILABLE'`, and(sql`${this.status()} = 'HELD'`, lte(seats.holdExpiresAt, this.clock.now())));
  }

  /** What a show summary says of the show itself. */
  private showColumns() {
    const { shows } = this.t;
    const { id, title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer } = shows;
    return { id, title, venue, startsAt, salesOpenAt, salesCloseAt, perOrder, perCustomer };
  }

  /** Every show with its seat counts, by one aggregate over all their seats (O(seats)). */
  listShows(db: Db) {
    const { shows, seats } = this.t;
    const available = sql<number>`cast(sum(case when ${this.takeable()} then 1 else 0 end) as integer)`.mapWith(Number);
    return db
      .select({
        ...this.showColumns(),
        totalSeats: sql<number>`cast(count(${seats.id}) as integer)`.mapWith(Number),
        availableSeats: available,
      })
      .from(shows)
      .leftJoin(seats, eq(seats.showId, shows.id))
      .groupBy(shows.id)
      .orderBy(asc(shows.startsAt), asc(shows.id));
  }

  /** The shows (or one) without their seats, in list order: O(shows). */
  showRows(db: Db, showId?: string) {
    const { shows } = this.t;
    return db
      .select(this.showColumns())
      .from(shows)
      .where(showId === undefined ? undefined : eq(shows.id, showId))
      .orderBy(asc(shows.startsAt), asc(shows.id));
  }

  /** One show's seat counts (a lapsed hold counts as available). */
  async seatCounts(db: Db, showId: string): Promise<{ totalSeats: number; availableSeats: number }> {
    const { seats } = this.t;
    const [row] = await db
      .select({
        totalSeats: sql<number>`cast(count(*) as integer)`.mapWith(Number),
        availableSeats: sql<number>`cast(coalesce(sum(case when ${this.takeable()} then 1 else 0 end), 0) as integer)`.mapWith(Number),
      })
      .from(seats)
      .where(eq(seats.showId, showId));
    return row;
  }

  async showExists(db: Db, showId: string): Promise<boolean> {
    const { shows } = this.t;
    const rows = await db.select({ id: shows.id }).from(shows).where(eq(shows.id, showId)).limit(1);
    return rows.length > 0;
  }

  seatMap(db: Db, showId: string) {
    const { seats } = this.t;
    return (
      db
        .select({
          id: seats.id,
          label: seats.label,
          row: seats.row,
          number: seats.number,
          section: seats.section,
          category: seats.category,
          status: seats.status,
          holdExpiresAt: seats.holdExpiresAt,
          msLeft: this.clock.msUntil(seats.holdExpiresAt).mapWith(nullableNumber),
        })
        .from(seats)
        .where(eq(seats.showId, showId))
        // Layout order; shows from before layouts (position 0) by row and number.
        .orderBy(asc(seats.position), sql`length(${seats.row})`, asc(seats.row), asc(seats.number))
    );
  }

  /**
   * PostgreSQL only: every seat of the show as its seat-map JSON, built by the database (layout
   * order; a lapsed hold reads as free). Three newline-separated lists (ids, JSON, status codes
   * A/H/B) in one row: the server serialises on its own core, and the service receives three
   * strings instead of parsing 50,000 rows. Same members and formats as `seatMap` + JSON.stringify.
   */
  async seatMapJson(db: Db, showId: string): Promise<{ ids: string; seats: string; codes: string }> {
    const result = await db.execute(sql`
      select coalesce(string_agg(s.id, E'\n' order by s.position, length(s.row), s.row, s.number), '') as ids,
             coalesce(string_agg(${SEAT_JSON}, E'\n' order by s.position, length(s.row), s.row, s.number), '') as seats,
             coalesce(string_agg(${SEAT_CODE}, '' order by s.position, length(s.row), s.row, s.number), '') as codes
        from (select *, status = 'HELD' and hold_expires_at > now() as live from seats where show_id = ${showId}) s`);
    return (result as unknown as { rows: { ids: string; seats: string; codes: string }[] }).rows[0];
  }

  /** PostgreSQL only: the same JSON and status code for some seats of the show. */
  async seatJsonOf(db: Db, showId: string, seatIds: string[]): Promise<{ id: string; json: string; code: string }[]> {
    const result = await db.execute(sql`
      select s.id, ${SEAT_JSON} as json, ${SEAT_CODE} as code
        from (select *, status = 'HELD' and hold_expires_at > now() as live from seats
               where id in ${
                 seatIds.length > 0
                   ? sql`(${sql.join(
                       seatIds.map((id) => sql`${id}`),
                       sql`, `,
                     )})`
                   : sql`(null)`
               } and show_id = ${showId}) s`);
    return (result as unknown as { rows: { id: string; json: string; code: string }[] }).rows;
  }

  sectionsOf(db: Db, showId: string) {
    const { sections } = this.t;
    return db
      .select({ key: sections.key, label: sections.label })
      .from(sections)
      .where(eq(sections.showId, showId))
      .orderBy(asc(sections.position));
  }

  categoriesOf(db: Db, showId: string) {
    const { categories } = this.t;
    return db
      .select({ key: categories.key, label: categories.label, amount: categories.priceAmount, currency: categories.priceCurrency })
      .from(categories)
      .where(eq(categories.showId, showId))
      .orderBy(asc(categories.position));
  }

  /**
   * What a hold must respect, with the sales window judged by the database clock. (No lock on the
   * show's row: every hold of an on-sale would queue on it. A delete instead deletes only seats
   * that are neither held nor sold, and gives up if any remain.)
   */
  async holdRules(db: Db, showId: string): Promise<{ onSale: boolean; perOrder: number; perCustomer: number | null } | undefined> {
    const { shows } = this.t;
    const now = this.clock.now();
    const [row] = await db
      .select({
        onSale: sql<number>`case when ${shows.salesOpenAt} <= ${now} and ${now} < ${shows.salesCloseAt} then 1 else 0 end`.mapWith(Number),
        perOrder: shows.perOrder,
        perCustomer: shows.perCustomer,
      })
      .from(shows)
      .where(eq(shows.id, showId));
    return row && { ...row, onSale: row.onSale === 1 };
  }

  async showRules(db: Db, showId: string) {
    const { shows } = this.t;
    const [row] = await db
      .select({
        salesOpenAt: shows.salesOpenAt,
        salesCloseAt: shows.salesCloseAt,
        perOrder: shows.perOrder,
        perCustomer: shows.perCustomer,
      })
      .from(shows)
      .where(eq(shows.id, showId));
    return row;
  }

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
  claimForHold(db: Db, hold: { seatIds: string[]; userId: string; holdId: string; ttlMs: number }) {
    const { seats } = this.t;
    return db
      .update(seats)
      .set({
        status: 'HELD',
        holdOwner: hold.userId,
        holdId: hold.holdId,
        holdExpiresAt: this.clock.nowPlusMs(hold.ttlMs),
        holdVersion: sql`${seats.holdVersion} + 1`,
        bookingId: null,
      })
      .where(and(inArray(seats.id, hold.seatIds), this.takeable()))
      .returning({ id: seats.id, holdExpiresAt: seats.holdExpiresAt });
  }

  /**
   * PostgreSQL only: a hold in one statement, for shows without a per-customer limit (the common
   * case). Reads the show's rules by the database clock and this user's live holds among the seats,
   * and claims the others that are free (or lapsed) only if the show is on sale, the request is
   * within `perOrder` and no per-customer limit applies; otherwise it writes nothing and the caller
   * judges from `rules` (a show with a per-customer limit takes the statement-per-step path). Seats
   * are reached by primary key.
   */
  async holdAtOnce(
    db: Db,
    hold: { showId: string; seatIds: string[]; userId: string; holdId: string; ttlMs: number },
  ): Promise<HoldAtOnce> {
    const { showId, seatIds, userId, holdId, ttlMs } = hold;
    const ids = sql`${sql.param(seatIds)}::text[]`;
    const [row] = await this.postgres.executeNamed<{ rules: HoldAtOnce['rules'] | null; kept: HeldRow[]; claimed: HeldRow[] }>(
      db,
      'hold_at_once',
      sql`
      -- Instants as whole ms since the epoch, truncated as everywhere else (to_char MS, node-postgres).
      with rules as (
        select sales_open_at <= now() and now() < sales_close_at as "onSale", per_order as "perOrder", per_customer as "perCustomer"
          from shows where id = ${showId}
      ), kept as (
        select id, floor(extract(epoch from hold_expires_at) * 1000)::double precision as "expiresMs",
               round(extract(epoch from (hold_expires_at - now())) * 1000)::double precision as "msLeft"
          from seats where id = any(${ids}) and (status || '') = 'HELD' and hold_owner = ${userId} and hold_expires_at > now()
      ), claimed as (
        update seats set status = 'HELD', hold_owner = ${userId}, hold_id = ${holdId}, booking_id = null, hold_version = hold_version + 1,
                         hold_expires_at = now() + (${ttlMs}::double precision * interval '1 millisecond')
         where id = any(${ids}) and ((status || '') = 'AVAILABLE' or ((status || '') = 'HELD' and hold_expires_at <= now()))
           and exists (select 1 from rules where "onSale" and "perCustomer" is null and "perOrder" >= ${seatIds.length})
        returning id, show_id, hold_expires_at, floor(extract(epoch from hold_expires_at) * 1000)::double precision as "expiresMs"
      ), queued as (
        insert into hold_expiries (seat_id, show_id, owner, expires_at) select id, show_id, ${userId}, hold_expires_at from claimed
      )
      select (select row_to_json(rules) from rules) as rules,
             (select coalesce(json_agg(kept), '[]') from kept) as kept,
             (select coalesce(json_agg(json_build_object('id', id, 'expiresMs', "expiresMs")), '[]') from claimed) as claimed`,
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

  /**
   * SQLite's half of `sell`: HELD → BOOKED for the seats this user holds and whose hold has not
   * lapsed (by the database clock), with their prices; checked first, then updated, inside the
   * single writer's transaction.
   */
  private async confirmBooked(db: Db, booking: { seatIds: string[]; userId: string; bookingId: string }): Promise<BookedSeat[]> {
    const { seats, categories } = this.t;
    const bookable = sql<number>`case when ${and(eq(seats.holdOwner, booking.userId), this.liveHold())} then 1 else 0 end`.mapWith(Number);
    const rows = await db
      .select({
        id: seats.id,
        bookable,
        label: seats.label,
        section: seats.section,
        category: seats.category,
        priceAmount: categories.priceAmount,
        priceCurrency: categories.priceCurrency,
      })
      .from(seats)
      .leftJoin(categories, and(eq(categories.showId, seats.showId), eq(categories.key, seats.category)))
      .where(inArray(seats.id, booking.seatIds));
    const booked = rows.filter((row) => row.bookable === 1);
    if (booked.length === 0) return [];
    const updated = await db
      .update(seats)
      .set({ status: 'BOOKED', bookingId: booking.bookingId })
      .where(
        inArray(
          seats.id,
          booked.map((row) => row.id),
        ),
      )
      .returning({ id: seats.id });
    const confirmed = new Set(updated.map((row) => row.id));
    return booked.filter((row) => confirmed.has(row.id)).map(({ bookable: _, ...seat }) => seat);
  }

  /**
   * Sells the seats this user holds (live, by the database clock): HELD → BOOKED, the booking and
   * one line per seat with its price as of now (copied: later price changes do not apply). Returns
   * the seats sold; fewer than asked means nothing may be kept (the caller rolls back).
   *
   * PostgreSQL: one statement (a data-modifying CTE on one snapshot), reaching the seats by primary
   * key; the booking rows are written only when every seat was sold. SQLite, which has no
   * data-modifying CTEs: the same in three statements.
   */
  async sell(
    db: Db,
    booking: { seatIds: string[]; userId: string; bookingId: string; showId: string },
  ): Promise<{ seats: BookedSeat[]; createdAt: Date }> {
    if (this.database.kind === 'sqlite') {
      const seats = await this.confirmBooked(db, booking);
      if (seats.length < booking.seatIds.length) return { seats, createdAt: new Date(0) };
      const createdAt = await this.insertBooking(db, { id: booking.bookingId, userId: booking.userId, showId: booking.showId, seats });
      return { seats, createdAt };
    }
    const { seatIds, userId, bookingId, showId } = booking;
    const rows = await this.postgres.executeNamed<SoldRow>(
      db,
      'sell',
      sql`
      with sold as (
        update seats set status = 'BOOKED', booking_id = ${bookingId}
         where id = any(${sql.param(seatIds)}::text[]) and (status || '') = 'HELD' and hold_owner = ${userId} and hold_expires_at > now()
        returning id, label, section, category, show_id
      ), priced as (
        select sold.id, sold.label, sold.section, sold.category, c.price_amount, c.price_currency
          from sold left join categories c on c.show_id = sold.show_id and c.key = sold.category
      ), booking as (
        insert into bookings (id, user_id, show_id, created_at)
        select ${bookingId}, ${userId}, ${showId}, date_trunc('milliseconds', now()) where (select count(*) from sold) = ${seatIds.length}
        returning floor(extract(epoch from created_at) * 1000)::double precision as created_ms
      ), lines as (
        insert into booking_seats (booking_id, seat_id, label, section, category, price_amount, price_currency)
        select ${bookingId}, id, label, section, category, price_amount, price_currency from priced where exists (select 1 from booking)
      )
      select priced.*, (select created_ms from booking) as created_ms from priced`,
    );
    return {
      seats: rows.map((row) => ({
        id: row.id,
        label: row.label,
        section: row.section,
        category: row.category,
        priceAmount: row.price_amount,
        priceCurrency: row.price_currency,
      })),
      createdAt: new Date(rows[0]?.created_ms ?? 0),
    };
  }

  /** SQLite's other half of `sell`: the booking and its seats, each with its price as of now. */
  private async insertBooking(db: Db, booking: { id: string; userId: string; showId: string; seats: BookedSeat[] }): Promise<Date> {
    const { bookings, bookingSeats } = this.t;
    const [row] = await db
      .insert(bookings)
      .values({ id: booking.id, userId: booking.userId, showId: booking.showId, createdAt: this.clock.now() })
      .returning({ createdAt: bookings.createdAt });
    await db.insert(bookingSeats).values(booking.seats.map(({ id, ...seat }) => ({ ...seat, seatId: id, bookingId: booking.id })));
    return row.createdAt;
  }

  /** HELD → AVAILABLE for this user's live holds (an explicit release clears the owner). */
  releaseHeld(db: Db, seatIds: string[], userId: string) {
    const { seats } = this.t;
    return db
      .update(seats)
      .set({ status: 'AVAILABLE', holdOwner: null, holdId: null, holdExpiresAt: null })
      .where(and(inArray(seats.id, seatIds), eq(seats.holdOwner, userId), this.liveHold()))
      .returning({ id: seats.id });
  }

  /**
   * HELD → AVAILABLE for holds that have lapsed by the database clock (all of them, or the given
   * seats). The last owner and expiry are kept so a late buyer hears EXPIRED. Idempotent: only the
   * caller whose statement changed a row sees it returned.
   */
  releaseLapsed(db: Db, seatIds: string[]) {
    const { seats } = this.t;
    return (
      db
        .update(seats)
        .set({ status: 'AVAILABLE', holdId: null })
        // By primary key (see `status`).
        .where(and(inArray(seats.id, seatIds), sql`${this.status()} = 'HELD'`, lte(seats.holdExpiresAt, this.clock.now())))
        // How long after its expiry each hold was released (database clock), for the metrics.
        .returning({
          id: seats.id,
          showId: seats.showId,
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

/** One seat of `s` (with `s.live`: a hold that has not lapsed) as seat-map JSON, in PostgreSQL. */
const SEAT_JSON = sql.raw(`'{"id":' || to_json(s.id)::text || ',"label":' || to_json(s.label)::text || ',"row":' || to_json(s.row)::text ||
  ',"number":' || s.number || ',"section":' || coalesce(to_json(s.section)::text, 'null') ||
  ',"category":' || coalesce(to_json(s.category)::text, 'null') ||
  ',"status":' || case when s.live then '"HELD"' when s.status = 'BOOKED' then '"BOOKED"' else '"AVAILABLE"' end ||
  ',"holdExpiresAt":' || case when s.live then '"' || to_char(s.hold_expires_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || '"' else 'null' end || '}'`);
const SEAT_CODE = sql.raw(`case when s.live then 'H' when s.status = 'BOOKED' then 'B' else 'A' end`);

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

interface SoldRow {
  id: string;
  label: string;
  section: string | null;
  category: string | null;
  price_amount: number | null;
  price_currency: string | null;
  /** The booking's creation instant, ms since the epoch (null when it was not written). */
  created_ms: number | null;
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
