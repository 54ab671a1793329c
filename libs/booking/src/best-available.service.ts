import { backOff } from '@app/db';
import { Injectable } from '@nestjs/common';
import { type BestRequest, chooseBest, type Row, rowsOf } from './best-available.js';
import { NotEnoughSeatsError, SeatConflictError } from './booking.errors.js';
import { type HoldResult, SeatHoldService } from './seat-hold.service.js';
import { type SeatMapSnapshot, SeatMapSnapshots, type ShowLayout } from './seat-map-snapshots.js';

/** Rounds of "choose, then hold" before a request that keeps losing races gives up. */
const MAX_ROUNDS = 12;
/**
 * Rounds lost in a row before the next waits a moment: a request that keeps losing is choosing
 * seats another instance has locked but not yet committed (its snapshot cannot show them), so it
 * lets those holds land before choosing again, a little longer each time, with jitter.
 */
const ROUNDS_BEFORE_BACKOFF = 3;
const ROUND_BACKOFF = { baseDelayMs: 10, maxDelayMs: 100 };
/** How stale a snapshot a choice may use: refreshed in the background after this… */
const REFRESH_AFTER_MS = 50;
/** …and waited for after this. */
const WAIT_AFTER_MS = 1000;

export interface HoldBestRequest extends BestRequest {
  showId: string;
  userId: string;
}

/**
 * `hold-best`: chooses from the show's snapshot (its status codes) and the rows of its layout,
 * kept per layout, so a stadium costs no database read per choice; then holds the chosen seats like
 * `hold-bulk`, where Redis and the database decide. The snapshot may be a moment old (it is brought
 * up to date in the background, not on every request's path): seats this instance's requests are
 * taking, or took or lost since the snapshot was confirmed, are skipped, so they never race each
 * other. A request that loses a race to another instance chooses again without the seats it lost;
 * a choice that finds nothing asks the current snapshot before answering NOT_ENOUGH_SEATS.
 */
@Injectable()
export class BestAvailableService {
  private readonly rows = new WeakMap<ShowLayout, Row[]>();
  /** Layout positions of the seats this instance's requests are taking now, per show. */
  private readonly taking = new Map<string, Set<number>>();
  /** This instance's hold-best requests in progress, per show. */
  private readonly inFlight = new Map<string, number>();
  /** Positions taken (or lost to another instance) lately, per show, with when: until a snapshot confirmed later has them. */
  private readonly taken = new Map<string, Map<number, number>>();

  constructor(
    private readonly snapshots: SeatMapSnapshots,
    private readonly holds: SeatHoldService,
  ) {}

  async holdBest(request: HoldBestRequest): Promise<HoldResult & { together: boolean }> {
    const { showId, userId, quantity } = request;
    await this.holds.refuseEarlyFor(showId, quantity);
    const lost = new Set<number>();
    const busy = (this.inFlight.get(showId) ?? 0) > 0;
    this.inFlight.set(showId, (this.inFlight.get(showId) ?? 0) + 1);
    try {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        if (round >= ROUNDS_BEFORE_BACKOFF) await backOff(ROUND_BACKOFF, round - ROUNDS_BEFORE_BACKOFF);
        // Alone, a request chooses from the current snapshot (what it sees reflects every answered
        // write); among concurrent ones, whose order nobody can tell, first from one a moment old,
        // and after losing a race (to another instance, which that snapshot may not know yet) from the current one.
        const recent = busy && lost.size === 0;
        let snapshot = recent ? await this.snapshots.recent(showId, REFRESH_AFTER_MS, WAIT_AFTER_MS) : await this.snapshots.current(showId);
        let choice = this.choose(snapshot, lost, request);
        if (!choice && recent) {
          // A snapshot a moment old may miss seats freed since: ask the current one before saying no.
          snapshot = await this.snapshots.current(showId);
          choice = this.choose(snapshot, lost, request);
        }
        if (!choice) break;
        const positions = choice.seatIds.map((id) => snapshot.index.get(id)!);
        const taking = this.taking.get(showId) ?? new Set<number>();
        for (const position of positions) taking.add(position);
        this.taking.set(showId, taking);
        try {
          const held = await this.holds.hold({ seatIds: choice.seatIds, userId });
          this.tookLately(showId, positions);
          return { ...held, together: choice.together };
        } catch (error) {
          if (!(error instanceof SeatConflictError)) throw error;
          const gone = error.conflicts.map(({ seatId }) => snapshot.index.get(seatId)).filter((position) => position !== undefined);
          for (const position of gone) lost.add(position);
          this.tookLately(showId, gone);
        } finally {
          for (const position of positions) taking.delete(position);
          if (taking.size === 0) this.taking.delete(showId);
        }
      }
    } finally {
      const left = this.inFlight.get(showId)! - 1;
      if (left === 0) this.inFlight.delete(showId);
      else this.inFlight.set(showId, left);
    }
    throw new NotEnoughSeatsError(quantity, request.together === true);
  }

  /** The best choice in `snapshot`, without the seats being taken, taken lately or lost by this request. */
  private choose(snapshot: SeatMapSnapshot, lost: ReadonlySet<number>, request: HoldBestRequest) {
    const codes = snapshot.pieces.codes;
    const taking = this.taking.get(snapshot.showId);
    const taken = this.taken.get(snapshot.showId);
    if (taken) {
      for (const [position, at] of taken) if (at < snapshot.confirmedAt) taken.delete(position);
      if (taken.size === 0) this.taken.delete(snapshot.showId);
    }
    const isFree = (i: number) => codes.charCodeAt(i) === 65 /* A */ && !taking?.has(i) && !taken?.has(i) && !lost.has(i);
    // A sold-out show answers at once, without walking its rows.
    const skipped = new Set([...(taking ?? []), ...(taken?.keys() ?? []), ...lost].filter((i) => codes.charCodeAt(i) === 65));
    if (snapshot.availableSeats - skipped.size < request.quantity) return undefined;
    return chooseBest(this.rowsOf(snapshot), isFree, { ...request, spread: Math.random() });
  }

  private tookLately(showId: string, positions: readonly number[]): void {
    if (positions.length === 0) return;
    const taken = this.taken.get(showId) ?? new Map<number, number>();
    const now = performance.now();
    for (const position of positions) taken.set(position, now);
    this.taken.set(showId, taken);
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
