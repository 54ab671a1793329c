import { InvalidRequestError } from '@app/common';
import { Database } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { BookingCancelledError, BookingNotFoundError } from './booking.errors.js';
import { bookingView, type BookingView } from './booking-view.js';
import { type BookingRow, BookingRepository } from './booking.repository.js';
import { SeatEvents, changesTo } from './seat-events.js';
import { SeatLocks } from './seat-locks.js';
import { ShowVersions } from './show-versions.js';
import { OutboxRepository } from './webhooks/outbox.repository.js';
import { outboxMessage } from './webhooks/messages.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';

/** How many bookings a list returns at most (newest first). */
export const MAX_LISTED_BOOKINGS = 200;

/**
 * Bookings after they were made: look one up, list a user's, cancel all or some of its seats.
 * Who may do this is the caller's business (the API checks ownership); this service states facts.
 */
@Injectable()
export class BookingsService {
  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly bookings: BookingRepository,
    private readonly locks: SeatLocks,
    private readonly events: SeatEvents,
    private readonly versions: ShowVersions,
    private readonly outbox: OutboxRepository,
    private readonly webhooks: WebhookDispatcher,
  ) {}

  /** The booking's owner, or 404. */
  async ownerOf(bookingId: string): Promise<string> {
    return (await this.row(bookingId)).userId;
  }

  async find(bookingId: string): Promise<BookingView> {
    return this.database.read(async (db) => {
      const booking = await this.bookings.byId(db, bookingId);
      if (!booking) throw new BookingNotFoundError(bookingId);
      return bookingView(booking, (await this.bookings.lines(db, [bookingId])).get(bookingId)!);
    });
  }

  async listOf(userId: string): Promise<BookingView[]> {
    return this.database.read(async (db) => {
      const rows = await this.bookings.ofUser(db, userId, MAX_LISTED_BOOKINGS);
      const lines = await this.bookings.lines(
        db,
        rows.map((row) => row.id),
      );
      return rows.map((row) => bookingView(row, lines.get(row.id)!));
    });
  }

  /**
   * Cancels the given seats of the booking (all still booked when `seatIds` is absent). Seats not
   * in the booking are a 400 and nothing changes; if every seat asked for was cancelled already, a
   * 409. The seats are on sale again at once: their BOOKED markers leave Redis first (so a Redis
   * outage is a 503 with nothing done, and a database failure after it leaves seats the database
   * still refuses), then one transaction cancels the lines and frees the seats.
   */
  async cancel(bookingId: string, seatIds?: string[]): Promise<BookingView> {
    const booking = await this.row(bookingId);
    const before = (await this.database.read((db) => this.bookings.lines(db, [bookingId]))).get(bookingId)!;
    const inBooking = new Set(before.map((line) => line.seatId));
    const foreign = (seatIds ?? []).filter((id) => !inBooking.has(id));
    if (foreign.length > 0) {
      throw new InvalidRequestError(
        `Not in booking "${bookingId}": ${foreign.slice(0, 5).join(', ')}${foreign.length > 5 ? ', …' : ''}. Nothing was cancelled.`,
      );
    }
    const asked = seatIds ?? before.filter((line) => !line.cancelled).map((line) => line.seatId);
    const live = asked.filter((id) => before.some((line) => line.seatId === id && !line.cancelled));
    if (live.length === 0) throw new BookingCancelledError(bookingId);

    await this.locks.releaseBooked(booking.showId, live, bookingId);
    const { result: cancelled, versions } = await this.versions.transaction(async (tx) => {
      const changed = await this.bookings.cancelLines(tx, bookingId, live);
      if (changed.length > 0) {
        await this.bookings.freeSeats(tx, booking, changed);
        // The message, in the cancellation's own transaction: sent if and only if it commits.
        const after = bookingView(booking, (await this.bookings.lines(tx, [bookingId])).get(bookingId)!);
        await this.outbox.record(tx, outboxMessage('booking.cancelled', new Date(), { ...after, cancelledNow: changed }));
      }
      return { result: changed, changed: [{ showId: booking.showId, seatIds: changed }] };
    });
    // A concurrent cancellation of the same seats got there first.
    if (cancelled.length === 0) throw new BookingCancelledError(bookingId);
    this.webhooks.nudge();
    this.events.publish(booking.showId, changesTo(cancelled, 'AVAILABLE'), versions.get(booking.showId)!);
    return this.find(bookingId);
  }

  private async row(bookingId: string): Promise<BookingRow> {
    const booking = await this.database.read((db) => this.bookings.byId(db, bookingId));
    if (!booking) throw new BookingNotFoundError(bookingId);
    return booking;
  }
}
