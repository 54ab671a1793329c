import { InvalidRequestError } from '@app/common';
import { Database } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { SeatConflictError } from './booking.errors.js';
import { SeatRepository } from './seat.repository.js';

const MAX_CACHED_SEATS = 500_000;

/**
 * Which show a seat belongs to. Seats never move between shows, so answers are cached for the
 * life of the process: a contended hold is decided in Redis without touching the database.
 */
@Injectable()
export class SeatCatalog {
  private readonly showBySeat = new Map<string, string>();

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly seats: SeatRepository,
  ) {}

  /** The one show all the seats belong to; 409 NOT_FOUND for unknown seats, 400 for mixed shows. */
  async showOf(seatIds: string[]): Promise<string> {
    const missing = seatIds.filter((id) => !this.showBySeat.has(id));
    if (missing.length > 0) {
      const found = await this.database.read((db) => this.seats.locate(db, missing));
      if (this.showBySeat.size + found.length > MAX_CACHED_SEATS) this.showBySeat.clear();
      for (const { id, showId } of found) this.showBySeat.set(id, showId);
    }
    const unknown = seatIds.filter((id) => !this.showBySeat.has(id));
    if (unknown.length > 0) throw new SeatConflictError(unknown.map((seatId) => ({ seatId, reason: 'NOT_FOUND' })));
    const shows = new Set(seatIds.map((id) => this.showBySeat.get(id)!));
    if (shows.size > 1) {
      throw new InvalidRequestError(`All seats of one request must belong to one show; these span ${shows.size} shows.`);
    }
    return shows.values().next().value!;
  }
}
