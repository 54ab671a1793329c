import { Injectable } from '@nestjs/common';
import { type BestRequest, chooseBest, type Row, rowsOf } from './best-available.js';
import { NotEnoughSeatsError, SeatConflictError } from './booking.errors.js';
import { type HoldResult, SeatHoldService } from './seat-hold.service.js';
import { type SeatMapSnapshot, SeatMapSnapshots, type ShowLayout } from './seat-map-snapshots.js';

/** Rounds of "choose, then hold" before a request that keeps losing races gives up. */
const MAX_ROUNDS = 12;

export interface HoldBestRequest extends BestRequest {
  showId: string;
  userId: string;
}

/**
 * `hold-best`: chooses from the show's snapshot (its status codes, current as of its read version)
 * and the rows of its layout, kept per layout, so a stadium costs no database read per choice;
 * then holds the chosen seats like `hold-bulk`, where Redis and the database decide. Requests of
 * this instance never race each other: seats being taken are skipped by the next choice. A
 * request that loses a race to another instance chooses again without the seats it lost.
 */
@Injectable()
export class BestAvailableService {
  private readonly rows = new WeakMap<ShowLayout, Row[]>();
  /** Layout positions of the seats this instance's requests are taking now, per show. */
  private readonly taking = new Map<string, Set<number>>();

  constructor(
    private readonly snapshots: SeatMapSnapshots,
    private readonly holds: SeatHoldService,
  ) {}

  async holdBest(request: HoldBestRequest): Promise<HoldResult & { together: boolean }> {
    const { showId, userId, quantity } = request;
    await this.holds.refuseEarlyFor(showId, quantity);
    const lost = new Set<number>();
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const snapshot = await this.snapshots.current(showId);
      const codes = snapshot.pieces.codes;
      const taking = this.taking.get(showId) ?? new Set<number>();
      // A sold-out show answers at once, without walking its rows.
      if (snapshot.availableSeats - taking.size - lost.size < quantity) break;
      const rows = this.rowsOf(snapshot);
      const isFree = (i: number) => codes.charCodeAt(i) === 65 /* A */ && !taking.has(i) && !lost.has(i);
      const choice = chooseBest(rows, isFree, { ...request, spread: Math.random() });
      if (!choice) break;
      const positions = choice.seatIds.map((id) => snapshot.index.get(id)!);
      for (const position of positions) taking.add(position);
      this.taking.set(showId, taking);
      try {
        return { ...(await this.holds.hold({ seatIds: choice.seatIds, userId })), together: choice.together };
      } catch (error) {
        if (!(error instanceof SeatConflictError)) throw error;
        for (const { seatId } of error.conflicts) {
          const position = snapshot.index.get(seatId);
          if (position !== undefined) lost.add(position);
        }
      } finally {
        for (const position of positions) taking.delete(position);
        if (taking.size === 0) this.taking.delete(showId);
      }
    }
    throw new NotEnoughSeatsError(quantity, request.together === true);
  }

  /** The rows of the show's seats, then one row per general-admission area with its places. */
  private rowsOf(snapshot: SeatMapSnapshot): Row[] {
    let rows = this.rows.get(snapshot.layout);
    if (!rows) {
      rows = rowsOf((JSON.parse(snapshot.layout.json) as { seats: Parameters<typeof rowsOf>[0] }).seats);
      for (const { key, category, capacity, first } of snapshot.areas) {
        const seats = Array.from({ length: capacity }, (_, n) => ({
          index: first + n,
          id: snapshot.pieces.ids[first + n],
          number: n + 1,
          category,
        }));
        rows.push({ section: key, area: true, seats });
      }
      this.rows.set(snapshot.layout, rows);
    }
    return rows;
  }
}
