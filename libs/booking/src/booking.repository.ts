import { type Db, Database } from '@app/db';
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { Inject, Injectable } from '@nestjs/common';
import type { BookingLine } from './booking-view.js';

export interface BookingRow {
  id: string;
  userId: string;
  showId: string;
  createdAt: Date;
}

/** Statements about bookings after they were made: lookups and cancellations. */
@Injectable()
export class BookingRepository {
  constructor(@Inject(Database) private readonly database: Database) {}

  private get t() {
    return this.database.tables;
  }

  async byId(db: Db, bookingId: string): Promise<BookingRow | undefined> {
    const { bookings } = this.t;
    const [row] = await db.select().from(bookings).where(eq(bookings.id, bookingId));
    return row;
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

  /** BOOKED → AVAILABLE for seats sold by this booking; they can be held and sold again at once. */
  freeSeats(db: Db, bookingId: string, seatIds: string[]) {
    const { seats } = this.t;
    return db
      .update(seats)
      .set({ status: 'AVAILABLE', holdOwner: null, holdId: null, holdExpiresAt: null, bookingId: null })
      .where(and(inArray(seats.id, seatIds), eq(seats.bookingId, bookingId), eq(seats.status, 'BOOKED')));
  }
}
