import { describeError } from '@app/common';
import { Database } from '@app/db';
import { Metrics } from '@app/metrics';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { SeatEvents, changesTo } from './seat-events.js';
import { HoldRepository } from './hold.repository.js';
import { ShowVersions } from './show-versions.js';

/** Which path released a lapsed hold: the granting instance's timer, a keyspace event, the sweep. */
export type ExpiryPath = 'timer' | 'event' | 'sweep';

/** A lock may lapse a few ms before the database hold it guards (it is set first). */
const MAX_EARLY_EVENT_MS = 5_000;

/**
 * Gives lapsed holds back to sale and announces it. Every expiry path (the granting instance's
 * timers, keyspace events, the periodic sweep) ends here; any number of instances may run them at once, because the release is
 * a conditional update and only the instance whose update changed a row publishes it.
 */
@Injectable()
export class HoldExpiry implements OnApplicationShutdown {
  private readonly logger = new Logger(HoldExpiry.name);
  private readonly retries = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(Database) private readonly database: Database,
    private readonly holds: HoldRepository,
    private readonly events: SeatEvents,
    private readonly metrics: Metrics,
    private readonly versions: ShowVersions,
  ) {}

  /**
   * Releases the seats whose database hold has lapsed. A seat still held a little longer (its
   * lock, taken just before the hold, lapsed first; or a timer fired early) is retried when the
   * database says it lapses, if that is within `MAX_EARLY_EVENT_MS`.
   */
  async releaseSeats(seatIds: string[], path: ExpiryPath): Promise<void> {
    const released = await this.release(seatIds);
    this.announce(released, path);
    const freed = new Set(released.map((seat) => seat.id));
    const unfreed = seatIds.filter((id) => !freed.has(id));
    if (unfreed.length === 0) return;
    // Still held a little longer: try those again together once the last of them has lapsed
    // (msLeft <= 0: it lapsed between the two queries; at once).
    const early = (await this.database.read((db) => this.holds.states(db, unfreed))).filter(
      (seat) => seat.status === 'HELD' && seat.msLeft !== null && seat.msLeft <= MAX_EARLY_EVENT_MS,
    );
    if (early.length > 0)
      this.retryIn(
        Math.max(0, ...early.map((seat) => seat.msLeft!)) + 1,
        early.map((seat) => seat.id),
        path,
      );
  }

  private retryIn(ms: number, seatIds: string[], path: ExpiryPath): void {
    const timer = setTimeout(() => {
      this.retries.delete(timer);
      this.releaseSeats(seatIds, path).catch((error: Error) =>
        this.logger.warn(`Expiry of ${seatIds.length} seat(s) failed: ${describeError(error)}`),
      );
    }, ms);
    this.retries.add(timer);
  }

  /** Releases every lapsed hold; returns how many seats it freed. */
  async sweep(): Promise<number> {
    const released = await this.release();
    this.announce(released, 'sweep');
    return released.length;
  }

  onApplicationShutdown(): void {
    for (const timer of this.retries) clearTimeout(timer);
  }

  /**
   * The release itself, stamping each show it changed with a new version. With Redis unreachable
   * nothing is released (the seats read as free meanwhile, since a lapsed hold reads as
   * AVAILABLE); the next sweep after Redis is back releases them.
   */
  private async release(seatIds?: string[]) {
    const { result, versions } = await this.versions.transaction(async (tx) => {
      const rows = seatIds ? await this.holds.releaseLapsed(tx, seatIds) : await this.holds.releaseAllLapsed(tx);
      return { result: rows, changed: rows.map((row) => ({ showId: row.showId, seatIds: [row.id] })) };
    });
    return result.map((row) => ({ ...row, version: versions.get(row.showId)! }));
  }

  private announce(released: { id: string; showId: string; msLate: number; version: number }[], path: ExpiryPath): void {
    for (const { msLate } of released) {
      this.metrics.expiryReleases.inc({ path });
      this.metrics.expiryDelay.observe({ path }, Math.max(0, msLate) / 1000);
    }
    const byShow = new Map<string, { seatIds: string[]; version: number }>();
    for (const { id, showId, version } of released) {
      const show = byShow.get(showId) ?? { seatIds: [], version };
      show.seatIds.push(id);
      byShow.set(showId, show);
    }
    for (const [showId, { seatIds, version }] of byShow) this.events.publish(showId, changesTo(seatIds, 'AVAILABLE'), version);
  }
}
