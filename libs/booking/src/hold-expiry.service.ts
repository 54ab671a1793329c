import { Database } from '@app/db';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SeatEvents, unheld } from './seat-events.js';
import { SeatRepository } from './seat.repository.js';

/** A lock may lapse a few ms before the database hold it guards (it is set first). */
const MAX_EARLY_EVENT_MS = 5_000;

/**
 * Gives lapsed holds back to sale and announces it. Both expiry paths (keyspace events and the
 * periodic sweep) end here; any number of instances may run them at once, because the release is
 * a conditional update and only the instance whose update changed a row publishes it.
 */
@Injectable()
export class HoldExpiry implements OnApplicationShutdown {
  private readonly logger = new Logger(HoldExpiry.name);
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly seats: SeatRepository,
    private readonly events: SeatEvents,
  ) {}

  /** Releases one seat whose lock expired, if its database hold has lapsed too. */
  async releaseSeat(seatId: string): Promise<void> {
    const released = await this.database.read((db) => this.seats.releaseLapsed(db, [seatId]));
    if (released.length > 0) return this.announce(released);
    // The lock lapsed first (it is taken just before the database hold): release on time.
    const msLeft = await this.database.read((db) => this.seats.msUntilLapse(db, seatId));
    if (msLeft !== undefined && msLeft > 0 && msLeft <= MAX_EARLY_EVENT_MS) {
      const timer = setTimeout(() => {
        this.retries.delete(timer);
        this.releaseSeat(seatId).catch((error: Error) => this.logger.warn(`Expiry of ${seatId} failed: ${error.message}`));
      }, msLeft + 1);
      this.retries.add(timer);
    }
  }

  /** Releases every lapsed hold; returns how many seats it freed. */
  async sweep(): Promise<number> {
    const released = await this.database.read((db) => this.seats.releaseLapsed(db));
    this.announce(released);
    return released.length;
  }

  onApplicationShutdown(): void {
    for (const timer of this.retries) clearTimeout(timer);
  }

  private announce(released: { id: string; showId: string }[]): void {
    const byShow = new Map<string, string[]>();
    for (const { id, showId } of released) byShow.set(showId, [...(byShow.get(showId) ?? []), id]);
    for (const [showId, seatIds] of byShow) this.events.publish(showId, unheld(seatIds, 'AVAILABLE'));
  }
}
