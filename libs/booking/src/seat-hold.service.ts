import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type Db, Database } from '@app/db';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { LimitExceededError, SalesClosedError, SeatConflictError, ShowNotFoundError } from './booking.errors.js';
import { holdConflict, ownershipConflict, requireEverySeat } from './conflicts.js';
import { HoldTimers } from './hold-timers.js';
import { SeatDirectory, type ShowRules } from './seat-directory.js';
import { SeatEvents, changesTo } from './seat-events.js';
import { SeatLocks } from './seat-locks.js';
import { HoldRepository } from './hold.repository.js';
import { ShowRepository } from './show.repository.js';
import { ShowVersions } from './show-versions.js';

/** How far this instance's clock may be trusted for the early sales-window refusal. */
const CLOCK_MARGIN_MS = 1000;

export interface SeatsRequest {
  seatIds: string[];
  userId: string;
}

export interface HoldResult {
  holdId: string;
  userId: string;
  showId: string;
  seatIds: string[];
  /** ISO instant: the earliest expiry among the held seats. */
  expiresAt: string;
}

export interface ExtendRequest extends SeatsRequest {
  /** How long from now each hold should last (default: the hold TTL), within HOLD_MAX_SECONDS of its grant. */
  seconds?: number;
}

export interface ExtendResult {
  userId: string;
  showId: string;
  seatIds: string[];
  /** ISO instant: the earliest new expiry among the seats. */
  expiresAt: string;
}

export interface ReleaseResult {
  userId: string;
  showId: string;
  released: string[];
}

/** Refuses a hold of `count` seats beyond `perOrder`, or when the sales window is more than the clock margin away. */
function judgeEarly(showId: string, rules: ShowRules, count: number): void {
  if (count > rules.perOrder) throw new LimitExceededError('perOrder', rules.perOrder);
  const now = Date.now();
  if (now < rules.salesOpenAt.getTime() - CLOCK_MARGIN_MS || now >= rules.salesCloseAt.getTime() + CLOCK_MARGIN_MS)
    throw new SalesClosedError(showId);
}

/** Takes and gives back holds: Redis locks first (all or none), then the database (all or none). */
@Injectable()
export class SeatHoldService {
  private readonly logger = new Logger(SeatHoldService.name);

  constructor(
    @Inject(Database) private readonly database: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly holds: HoldRepository,
    private readonly shows: ShowRepository,
    private readonly directory: SeatDirectory,
    private readonly locks: SeatLocks,
    private readonly events: SeatEvents,
    private readonly timers: HoldTimers,
    private readonly versions: ShowVersions,
  ) {}

  async hold({ seatIds, userId }: SeatsRequest): Promise<HoldResult> {
    const showId = await this.directory.showOf(seatIds);
    await this.refuseEarly(showId, seatIds);
    const holdId = randomUUID();
    const ttlMs = this.config.holdTtlSeconds * 1000;

    const attempt = await this.locks.acquire(showId, seatIds, userId, holdId, ttlMs);
    if (!attempt.taken) {
      throw new SeatConflictError(
        seatIds.flatMap((seatId, i) => {
          const status = attempt.statuses[i];
          return status === 'HELD' || status === 'BOOKED' ? [{ seatId, reason: status }] : [];
        }),
      );
    }
    const lockedNow = seatIds.filter((_, i) => attempt.statuses[i] === 'NEW');

    let recorded: Awaited<ReturnType<SeatHoldService['recordHold']>>;
    let version: number | undefined;
    try {
      const done = await this.versions.transaction(async (tx) => {
        const result = await this.recordHold(tx, showId, seatIds, userId, holdId, ttlMs);
        return { result, changed: [{ showId, seatIds: result.claimed.map((seat) => seat.id) }] };
      });
      recorded = done.result;
      version = done.versions.get(showId);
    } catch (error) {
      // The database disagreed (or failed): give back exactly the locks this request took.
      await this.locks.undo(showId, lockedNow, userId, holdId).catch((undoError: Error) => {
        this.logger.warn(`Could not undo locks of hold ${holdId}; they lapse in ${ttlMs} ms: ${describeError(undoError)}`);
      });
      throw error;
    }

    // Redis had lost the lock of a seat this user still held: the lock just set must lapse with
    // the database hold, not later (re-holding never extends a hold).
    for (const { id, msLeft } of recorded.kept) {
      if (lockedNow.includes(id) && msLeft !== null) {
        await this.locks.expireIn(showId, id, msLeft).catch(() => undefined);
      }
    }
    this.timers.arm(
      recorded.claimed.map((seat) => seat.id),
      ttlMs,
    );
    for (const { id, msLeft } of recorded.kept) if (msLeft !== null) this.timers.arm([id], msLeft);
    if (version !== undefined) {
      this.events.publish(
        showId,
        recorded.claimed.map(({ id, holdExpiresAt }) => ({ seatId: id, status: 'HELD', holdExpiresAt: holdExpiresAt!.toISOString() })),
        version,
      );
    }
    return { holdId, userId, showId, seatIds, expiresAt: recorded.expiresAt.toISOString() };
  }

  /**
   * Refusals that need neither Redis nor the database, from rules at most a second old: too many
   * seats for one order, or a sales window that is clearly not open (more than a second away by
   * this instance's clock; near its edges the database clock decides, in `recordHold`).
   */
  private async refuseEarly(showId: string, seatIds: string[]): Promise<void> {
    const rules = await this.directory.rulesOf(showId);
    if (!rules) throw new SeatConflictError(seatIds.map((seatId) => ({ seatId, reason: 'NOT_FOUND' as const })));
    judgeEarly(showId, rules, seatIds.length);
  }

  /** The same fast refusals for a request of `count` seats not yet chosen (best available); an unknown show is a 404. */
  async refuseEarlyFor(showId: string, count: number): Promise<void> {
    const rules = await this.directory.rulesOf(showId);
    if (!rules) throw new ShowNotFoundError(showId);
    judgeEarly(showId, rules, count);
  }

  /**
   * The show's rules, by the database: on sale now (its clock), within the per-order limit, and
   * within the per-customer limit, counted while this user's other holds of the show wait
   * (`serializeOn`), so concurrent requests cannot each pass a count that together they exceed.
   * Then seats this user already holds keep their hold; every other seat must be free (or
   * lapsed) and is claimed now. Any shortfall rolls the whole transaction back.
   */
  private async recordHold(tx: Db, showId: string, seatIds: string[], userId: string, holdId: string, ttlMs: number) {
    // One statement does it all where the dialect can (PostgreSQL) unless a refusal or a
    // per-customer limit applies; then it wrote nothing, and the rules it read are judged below.
    const atOnce = await this.holds.holdAtOnce(tx, { showId, seatIds, userId, holdId, ttlMs });
    if (atOnce?.rules && atOnce.rules.onSale && seatIds.length <= atOnce.rules.perOrder && atOnce.rules.perCustomer === null) {
      const { kept, claimed } = atOnce;
      const keptIds = new Set(kept.map((row) => row.id));
      await requireEverySeat(
        seatIds.filter((id) => !keptIds.has(id)),
        claimed,
        (ids) => this.holds.states(tx, ids),
        holdConflict,
      );
      return { expiresAt: new Date(Math.min(...[...kept, ...claimed].map((row) => row.holdExpiresAt.getTime()))), kept, claimed };
    }
    const rules = atOnce ? atOnce.rules : await this.shows.holdRules(tx, showId);
    if (!rules) throw new SeatConflictError(seatIds.map((seatId) => ({ seatId, reason: 'NOT_FOUND' as const })));
    if (!rules.onSale) throw new SalesClosedError(showId);
    if (seatIds.length > rules.perOrder) throw new LimitExceededError('perOrder', rules.perOrder);
    if (rules.perCustomer !== null) await this.database.serializeOn(tx, [showId, userId]);

    const kept = await this.holds.liveHoldsOf(tx, seatIds, userId);
    const keptIds = new Set(kept.map((row) => row.id));
    const toClaim = seatIds.filter((id) => !keptIds.has(id));
    if (rules.perCustomer !== null && toClaim.length > 0) {
      const already = await this.holds.customerSeats(tx, showId, userId);
      if (already + toClaim.length > rules.perCustomer) throw new LimitExceededError('perCustomer', rules.perCustomer);
    }
    const claimed = toClaim.length > 0 ? await this.holds.claimForHold(tx, { seatIds: toClaim, userId, holdId, ttlMs }) : [];
    await requireEverySeat(toClaim, claimed, (ids) => this.holds.states(tx, ids), holdConflict);
    await this.holds.queueExpiries(tx, toClaim);
    const expiries = [...kept, ...claimed].map((row) => row.holdExpiresAt!.getTime());
    return { expiresAt: new Date(Math.min(...expiries)), kept, claimed };
  }

  /**
   * Extends this user's live holds on all the seats, or none of them. The database's expiry moves
   * first (and a new entry for the sweeper); then the Redis locks, so their expiry events come with
   * the new expiry, and this instance's timers. Another instance's timer that wakes at the old
   * expiry finds the hold live in the database and sleeps again until the new one.
   */
  async extend({ seatIds, userId, seconds }: ExtendRequest): Promise<ExtendResult> {
    const showId = await this.directory.showOf(seatIds);
    const ms = (seconds ?? this.config.holdTtlSeconds) * 1000;
    const { result: extended, versions } = await this.versions.transaction(async (tx) => {
      const rows = await this.holds.extendHeld(tx, seatIds, userId, ms, this.config.holdMaxSeconds * 1000);
      await requireEverySeat(
        seatIds,
        rows,
        (ids) => this.holds.states(tx, ids),
        (state, id) => ownershipConflict(state, id, userId),
      );
      await this.holds.queueExpiries(tx, seatIds);
      return { result: rows, changed: [{ showId, seatIds }] };
    });
    const msLeft = new Map(extended.map((row) => [row.id, row.msLeft]));
    await this.locks
      .extendOwned(
        showId,
        seatIds,
        userId,
        seatIds.map((id) => msLeft.get(id)!),
      )
      .catch((error: Error) => {
        this.logger.warn(`Extended holds in the database but not their locks (the database still decides): ${describeError(error)}`);
      });
    for (const { id, msLeft: left } of extended) this.timers.arm([id], left);
    this.events.publish(
      showId,
      extended.map(({ id, holdExpiresAt }) => ({ seatId: id, status: 'HELD', holdExpiresAt: holdExpiresAt!.toISOString() })),
      versions.get(showId)!,
    );
    const expiresAt = new Date(Math.min(...extended.map((row) => row.holdExpiresAt!.getTime())));
    return { userId, showId, seatIds, expiresAt: expiresAt.toISOString() };
  }

  /** Releases this user's live holds on all the seats, or none of them. */
  async release({ seatIds, userId }: SeatsRequest): Promise<ReleaseResult> {
    const showId = await this.directory.showOf(seatIds);
    const { versions } = await this.versions.transaction(async (tx) => {
      const released = await this.holds.releaseHeld(tx, seatIds, userId);
      await requireEverySeat(
        seatIds,
        released,
        (ids) => this.holds.states(tx, ids),
        (state, id) => ownershipConflict(state, id, userId),
      );
      return { result: undefined, changed: [{ showId, seatIds }] };
    });
    await this.locks.releaseOwned(showId, seatIds, userId).catch((error: Error) => {
      this.logger.warn(`Released seats in the database but not their locks (they lapse by TTL): ${describeError(error)}`);
    });
    this.timers.disarm(seatIds);
    this.events.publish(showId, changesTo(seatIds, 'AVAILABLE'), versions.get(showId)!);
    return { userId, showId, released: seatIds };
  }
}
