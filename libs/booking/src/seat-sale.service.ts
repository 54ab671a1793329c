import { describeError } from '@app/common';
import { Database, isUniqueViolation } from '@app/db';
import { type IdempotencyRef, IdempotencyRecords, StoredResponse } from '@app/idempotency';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { SeatConflictError } from './booking.errors.js';
import { bookingView, type BookingView } from './booking-view.js';
import { ownershipConflict, requireEverySeat } from './conflicts.js';
import { SeatDirectory } from './seat-directory.js';
import { SeatEvents, changesTo } from './seat-events.js';
import type { SeatsRequest } from './seat-hold.service.js';
import { SeatLocks } from './seat-locks.js';
import { BookingRepository } from './booking.repository.js';
import { HoldRepository } from './hold.repository.js';
import { HoldTimers } from './hold-timers.js';
import { ShowKeys } from './show-keys.js';
import { ShowVersions } from './show-versions.js';
import { newMessageId } from './webhooks/messages.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';

/** Turns a user's live holds into a confirmed booking, decided by one SERIALIZABLE transaction. */
@Injectable()
export class SeatSaleService {
  private readonly logger = new Logger(SeatSaleService.name);

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly holds: HoldRepository,
    private readonly bookings: BookingRepository,
    private readonly directory: SeatDirectory,
    private readonly locks: SeatLocks,
    private readonly idempotencyRecords: IdempotencyRecords,
    private readonly events: SeatEvents,
    private readonly versions: ShowVersions,
    private readonly timers: HoldTimers,
    private readonly webhooks: WebhookDispatcher,
    private readonly showKeys: ShowKeys,
  ) {}

  /**
   * With an idempotency identity, the booking and its response are committed together, and a
   * retry that finds them (after a crash, or after Redis lost its cache) gets the same booking
   * back as a `StoredResponse` instead of a second booking or a 409.
   */
  async book(request: SeatsRequest, idempotency?: IdempotencyRef): Promise<BookingView | StoredResponse> {
    try {
      return await this.confirm(request, idempotency);
    } catch (error) {
      // This very request may have committed already (its response lost with Redis's cache, or
      // its marker lapsed after a crash): its seats are then sold, or its record is taken. The
      // committed answer is looked up only then, never on the way to a booking.
      if (!idempotency || !(isUniqueViolation(error) || error instanceof SeatConflictError)) throw error;
      const committed = await this.database.read((db) => this.idempotencyRecords.find(db, idempotency));
      if (!committed) throw error;
      return committed;
    }
  }

  private async confirm({ seatIds, userId }: SeatsRequest, idempotency?: IdempotencyRef): Promise<BookingView> {
    const showId = await this.directory.showOf(seatIds);

    // Fast refusal for seats already sold; also fails closed (503) when Redis is unreachable.
    const sold = await this.locks.bookedMarkers(showId, seatIds);
    if (sold.some(Boolean)) {
      throw new SeatConflictError(seatIds.filter((_, i) => sold[i]).map((seatId) => ({ seatId, reason: 'BOOKED' as const })));
    }

    const bookingId = randomUUID();
    const { result: booking, versions } = await this.versions.transaction(
      async (tx) => {
        // The hold's owner and expiry are checked against the database clock in the statement
        // that sells the seats; booking_seats' unique index on live lines backs it up.
        // The sale's own statement also records its `booking.confirmed` message: sent if and only if it commits.
        const sold = await this.bookings.sell(tx, { seatIds, userId, bookingId, showId, messageId: newMessageId() });
        await requireEverySeat(
          seatIds,
          sold.seats,
          (ids) => this.holds.states(tx, ids),
          (state, id) => ownershipConflict(state, id, userId),
        );
        const bySeat = new Map(sold.seats.map((seat) => [seat.id, seat]));
        const lines = seatIds.map((id) => ({ ...bySeat.get(id)!, seatId: id, cancelled: false }));
        const result = bookingView({ id: bookingId, userId, showId, createdAt: sold.createdAt }, lines);
        if (idempotency) await this.idempotencyRecords.insert(tx, idempotency, StoredResponse.json(201, result));
        return { result, changed: [{ showId, seatIds }] };
      },
      { serializable: true },
    );

    // Known since the transaction took the show's version: answered from memory.
    const markersExpireAt = await this.showKeys.expiresAt(showId);
    await this.locks.markBooked(showId, seatIds, bookingId, markersExpireAt).catch((error: Error) => {
      this.logger.warn(`Booking ${bookingId} committed; its Redis markers were not set: ${describeError(error)}`);
    });
    this.timers.disarm(seatIds);
    this.webhooks.nudge();
    this.events.publish(showId, changesTo(seatIds, 'BOOKED'), versions.get(showId)!);
    return booking;
  }
}
