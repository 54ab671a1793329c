import { type Db, and, asc, desc, eq, inArray, isNull, sql } from '@app/db';
import { Injectable } from '@nestjs/common';
import type { BookingLine } from './booking-view.js';
import { Statements } from './statements.js';

export interface BookingRow {
  id: string;
  userId: string;
  showId: string;
  createdAt: Date;
}

/** A seat as it is sold: where it is and what it costs at booking time. */
export interface BookedSeat {
  id: string;
  label: string;
  section: string | null;
  category: string | null;
  priceAmount: number | null;
  priceCurrency: string | null;
}

/** Statements about bookings: the sale that makes one, lookups and cancellations. */
@Injectable()
export class BookingRepository extends Statements {
  /**
   * Sells the seats this user holds (live, by the database clock): HELD → BOOKED, the booking,
   * one line per seat with its price as of now (copied: later price changes do not apply), and its
   * `booking.confirmed` message in the outbox (`messageId`, rendered from the booking when it is
   * dispatched). Returns the seats sold; fewer than asked means nothing may be kept (the caller rolls back).
   *
   * PostgreSQL: one statement (a data-modifying CTE on one snapshot), reaching the seats by primary
   * key; the booking rows are written only when every seat was sold. SQLite, which has no
   * data-modifying CTEs: the same in three statements.
   */
  async sell(
    db: Db,
    booking: { seatIds: string[]; userId: string; bookingId: string; showId: string; messageId: string },
  ): Promise<{ seats: BookedSeat[]; createdAt: Date }> {
    if (this.database.kind === 'sqlite') {
      const seats = await this.confirmBooked(db, booking);
      if (seats.length < booking.seatIds.length) return { seats, createdAt: new Date(0) };
      const createdAt = await this.insertBooking(db, { id: booking.bookingId, userId: booking.userId, showId: booking.showId, seats });
      await db
        .insert(this.t.outboxMessages)
        .values({ id: booking.messageId, type: 'booking.confirmed', bookingId: booking.bookingId, createdAt });
      return { seats, createdAt };
    }
    const { seatIds, userId, bookingId, showId, messageId } = booking;
    const rows = await this.postgres.executeNamed<SoldRow>(db, SELL, [bookingId, seatIds, userId, showId, seatIds.length, messageId]);
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
      .returning({ id: seats.id, showId: seats.showId, holdId: seats.holdId });
    await this.recordHistory(
      db,
      updated.map(({ id, showId, holdId }) => ({
        seatId: id,
        showId,
        holdId,
        userId: booking.userId,
        bookingId: booking.bookingId,
        status: 'BOOKED' as const,
        cause: 'booking' as const,
      })),
    );
    const confirmed = new Set(updated.map((row) => row.id));
    return booked.filter((row) => confirmed.has(row.id)).map(({ bookable: _, ...seat }) => seat);
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

  async byId(db: Db, bookingId: string): Promise<BookingRow | undefined> {
    const { bookings } = this.t;
    const [row] = await db.select().from(bookings).where(eq(bookings.id, bookingId));
    return row;
  }

  async byIds(db: Db, bookingIds: string[]): Promise<BookingRow[]> {
    if (bookingIds.length === 0) return [];
    const { bookings } = this.t;
    return db.select().from(bookings).where(inArray(bookings.id, bookingIds));
  }

  /** A user's bookings, newest first. */
  ofUser(db: Db, userId: string, limit: number): Promise<BookingRow[]> {
    const { bookings } = this.t;
    return db.select().from(bookings).where(eq(bookings.userId, userId)).orderBy(desc(bookings.createdAt), desc(bookings.id)).limit(limit);
  }

  /** Every seat of the bookings, cancelled ones included, in layout order. */
  async lines(db: Db, bookingIds: string[]): Promise<Map<string, BookingLine[]>> {
    const { bookingSeats: lines, seats } = this.t;
    const byBooking = new Map<string, BookingLine[]>(bookingIds.map((id) => [id, []]));
    if (bookingIds.length === 0) return byBooking;
    const rows = await db
      .select({
        bookingId: lines.bookingId,
        seatId: lines.seatId,
        label: lines.label,
        section: lines.section,
        category: lines.category,
        priceAmount: lines.priceAmount,
        priceCurrency: lines.priceCurrency,
        cancelled: sql<number>`case when ${lines.cancelledAt} is null then 0 else 1 end`.mapWith(Number),
      })
      .from(lines)
      .innerJoin(seats, eq(seats.id, lines.seatId))
      .where(inArray(lines.bookingId, bookingIds))
      .orderBy(asc(seats.position), sql`length(${seats.row})`, asc(seats.row), asc(seats.number));
    for (const { bookingId, cancelled, ...line } of rows) byBooking.get(bookingId)!.push({ ...line, cancelled: cancelled === 1 });
    return byBooking;
  }

  /** Marks the seats' live lines of this booking cancelled; returns the seats it changed. */
  async cancelLines(db: Db, bookingId: string, seatIds: string[]): Promise<string[]> {
    const { bookingSeats: lines } = this.t;
    const rows = await db
      .update(lines)
      .set({ cancelledAt: this.database.clock.now() })
      .where(and(eq(lines.bookingId, bookingId), inArray(lines.seatId, seatIds), isNull(lines.cancelledAt)))
      .returning({ seatId: lines.seatId });
    return rows.map((row) => row.seatId);
  }

  /** BOOKED → AVAILABLE for seats sold by this booking (of `userId`); they can be held and sold again at once. */
  async freeSeats(db: Db, booking: { id: string; userId: string }, seatIds: string[]): Promise<void> {
    const freed = await this.freeStatement(db, booking.id, seatIds);
    await this.recordHistory(
      db,
      freed.map(({ id, showId }) => ({
        seatId: id,
        showId,
        userId: booking.userId,
        bookingId: booking.id,
        status: 'AVAILABLE' as const,
        cause: 'cancellation' as const,
      })),
    );
  }

  /** The UPDATE of `freeSeats`. */
  freeStatement(db: Db, bookingId: string, seatIds: string[]) {
    const { seats } = this.t;
    return db
      .update(seats)
      .set({ status: 'AVAILABLE', holdOwner: null, holdId: null, holdExpiresAt: null, bookingId: null })
      .where(and(inArray(seats.id, seatIds), eq(seats.bookingId, bookingId), eq(seats.status, 'BOOKED')))
      .returning({ id: seats.id, showId: seats.showId });
  }
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

/**
 * `sell` as fixed text, sent by name (see `HOLD_AT_ONCE`). $1 booking id, $2 seat ids, $3 user,
 * $4 show, $5 how many seats: the booking rows (and its `booking.confirmed` message, id $6) are
 * written only when every seat was sold.
 */
const SELL = {
  name: 'sell',
  text: `
  with sold as (
    update seats set status = 'BOOKED', booking_id = $1
     where id = any($2::text[]) and (status || '') = 'HELD' and hold_owner = $3 and hold_expires_at > now()
    returning id, label, section, category, show_id, hold_id
  ), history as (
    insert into seat_history (seat_id, show_id, at, status, cause, user_id, hold_id, booking_id)
    select id, show_id, now(), 'BOOKED', 'booking', $3, hold_id, $1 from sold
  ), priced as (
    select sold.id, sold.label, sold.section, sold.category, c.price_amount, c.price_currency
      from sold left join categories c on c.show_id = sold.show_id and c.key = sold.category
  ), booking as (
    insert into bookings (id, user_id, show_id, created_at)
    select $1, $3, $4, date_trunc('milliseconds', now()) where (select count(*) from sold) = $5
    returning created_at, floor(extract(epoch from created_at) * 1000)::double precision as created_ms
  ), lines as (
    insert into booking_seats (booking_id, seat_id, label, section, category, price_amount, price_currency)
    select $1, id, label, section, category, price_amount, price_currency from priced where exists (select 1 from booking)
  ), message as (
    insert into outbox_messages (id, type, booking_id, created_at)
    select $6, 'booking.confirmed', $1, created_at from booking
  )
  select priced.*, (select created_ms from booking) as created_ms from priced`,
};
