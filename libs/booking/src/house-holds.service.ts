import { Injectable } from '@nestjs/common';
import { SeatConflictError } from './booking.errors.js';
import { holdConflict, requireEverySeat, unblockConflict } from './conflicts.js';
import { HoldRepository } from './hold.repository.js';
import { HoldTimers } from './hold-timers.js';
import { SeatDirectory } from './seat-directory.js';
import { SeatEvents, changesTo } from './seat-events.js';
import { ShowVersions } from './show-versions.js';

/**
 * House holds: seats the house keeps back (sponsors, production, wheelchair places). A blocked seat
 * is `BLOCKED` in the database, which alone refuses it to every hold (reason `BLOCKED`); Redis
 * knows nothing of it. All or nothing, like every write of seats, and pushed like any change.
 */
@Injectable()
export class HouseHoldsService {
  constructor(
    private readonly holds: HoldRepository,
    private readonly directory: SeatDirectory,
    private readonly versions: ShowVersions,
    private readonly events: SeatEvents,
    private readonly timers: HoldTimers,
  ) {}

  /** AVAILABLE (or a lapsed hold) → BLOCKED for every seat, or none: 409 naming each seat that is not free. */
  async block(showId: string, seatIds: string[]): Promise<{ showId: string; blocked: string[] }> {
    await this.change(showId, seatIds, 'BLOCKED');
    this.timers.disarm(seatIds); // a lapsed hold that is now blocked needs no release
    return { showId, blocked: seatIds };
  }

  /** BLOCKED → AVAILABLE for every seat, or none: 409 `NOT_BLOCKED`. */
  async unblock(showId: string, seatIds: string[]): Promise<{ showId: string; unblocked: string[] }> {
    await this.change(showId, seatIds, 'AVAILABLE');
    return { showId, unblocked: seatIds };
  }

  private async change(showId: string, seatIds: string[], to: 'BLOCKED' | 'AVAILABLE'): Promise<void> {
    // Seats of another show are not this show's: refused as not found, like unknown ids.
    if ((await this.directory.showOf(seatIds)) !== showId) {
      throw new SeatConflictError(seatIds.map((seatId) => ({ seatId, reason: 'NOT_FOUND' as const })));
    }
    const { versions } = await this.versions.transaction(async (tx) => {
      const changed = to === 'BLOCKED' ? await this.holds.block(tx, seatIds) : await this.holds.unblock(tx, seatIds);
      await requireEverySeat(seatIds, changed, (ids) => this.holds.states(tx, ids), to === 'BLOCKED' ? holdConflict : unblockConflict);
      return { result: undefined, changed: [{ showId, seatIds }] };
    });
    this.events.publish(showId, changesTo(seatIds, to), versions.get(showId)!);
  }
}
