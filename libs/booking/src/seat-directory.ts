import { InvalidRequestError } from '@app/common';
import { Database } from '@app/db';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { SeatConflictError } from './booking.errors.js';
import { HoldRepository } from './hold.repository.js';
import { ShowRepository } from './show.repository.js';

const MAX_CACHED_SEATS = 500_000;
const MAX_CACHED_RULES = 10_000;
/** How long a show's sales window and limits are trusted for the fast refusals before a hold. */
const RULES_TTL_MS = 1000;

export interface ShowRules {
  salesOpenAt: Date;
  salesCloseAt: Date;
  perOrder: number;
  perCustomer: number | null;
}

/**
 * Which show a seat belongs to, and a show's sales rules. Seats never move between shows, so the
 * seat → show answers are cached for the life of the process: a contended hold is decided in
 * Redis without touching the database. A deleted show's seats stay mapped to it (the mapping is
 * still true of the id), and every statement that writes a seat finds it gone: NOT_FOUND. Rules
 * are cached for a second and only used for fast refusals; the hold's transaction checks them
 * again against the database.
 */
@Injectable()
export class SeatDirectory {
  private readonly showBySeat = new LRUCache<string, string>({ max: MAX_CACHED_SEATS });
  private readonly rules = new LRUCache<string, { rules: ShowRules | undefined }>({ max: MAX_CACHED_RULES, ttl: RULES_TTL_MS });
  private readonly reading = new Map<string, Promise<ShowRules | undefined>>();
  /** Shows whose every seat has been mapped (or is being mapped) here. */
  private readonly mapped = new LRUCache<string, true>({ max: 1_000 });

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly holds: HoldRepository,
    private readonly shows: ShowRepository,
  ) {}

  /** The one show all the seats belong to; 409 NOT_FOUND for unknown seats, 400 for mixed shows. */
  async showOf(seatIds: string[]): Promise<string> {
    // Read once (which also marks them recently used), so that caching the missing ones cannot evict them.
    const showOfSeat = new Map(seatIds.map((id) => [id, this.showBySeat.get(id)]));
    const missing = seatIds.filter((id) => showOfSeat.get(id) === undefined);
    if (missing.length > 0) {
      const found = await this.database.read((db) => this.holds.locate(db, missing));
      for (const { id, showId } of found) {
        this.showBySeat.set(id, showId);
        showOfSeat.set(id, showId);
      }
      for (const showId of new Set(found.map((seat) => seat.showId))) this.mapAll(showId);
    }
    const unknown = seatIds.filter((id) => showOfSeat.get(id) === undefined);
    if (unknown.length > 0) throw new SeatConflictError(unknown.map((seatId) => ({ seatId, reason: 'NOT_FOUND' })));
    const shows = new Set(showOfSeat.values());
    if (shows.size > 1) {
      throw new InvalidRequestError(`All seats of one request must belong to one show; these span ${shows.size} shows.`);
    }
    return shows.values().next().value!;
  }

  /**
   * The show's rules (undefined for a show that no longer exists), at most a second old. One read
   * at a time per show: when the cached rules lapse under an on-sale, the hundreds of requests
   * that find them lapsed share one query instead of each taking a pooled connection.
   */
  async rulesOf(showId: string): Promise<ShowRules | undefined> {
    const cached = this.rules.get(showId);
    if (cached) return cached.rules;
    const pending = this.reading.get(showId);
    if (pending) return pending;
    const read = this.database
      .read((db) => this.shows.showRules(db, showId))
      .then((rules) => {
        // Not if the show changed meanwhile (`forget`): the next request reads it again.
        if (this.reading.get(showId) !== read) return rules;
        this.rules.set(showId, { rules });
        return rules;
      })
      .finally(() => {
        if (this.reading.get(showId) === read) this.reading.delete(showId);
      });
    this.reading.set(showId, read);
    return read;
  }

  /**
   * Maps every seat of a show once, in the background, at its first miss: an on-sale starts with
   * every seat unknown, and each would otherwise cost its first hold a query.
   */
  private mapAll(showId: string): void {
    if (this.mapped.has(showId)) return;
    this.mapped.set(showId, true);
    this.database
      .read((db) => this.holds.seatIdsOf(db, showId))
      .then((ids) => {
        if (!this.mapped.has(showId)) return; // forgotten meanwhile
        for (const id of ids) if (!this.showBySeat.has(id)) this.showBySeat.set(id, showId);
      })
      .catch(() => this.mapped.delete(showId)); // the next miss tries again
  }

  /** Forgets what this instance knew about a show (after it changed or was deleted here). */
  forget(showId: string): void {
    this.mapped.delete(showId);
    this.rules.delete(showId);
    this.reading.delete(showId);
    for (const [seatId, show] of this.showBySeat.entries()) if (show === showId) this.showBySeat.delete(seatId);
  }
}
