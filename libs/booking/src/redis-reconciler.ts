import { describeError } from '@app/common';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { Database } from '@app/db';
import { REDIS, redisCall } from '@app/redis';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { HoldRepository } from './hold.repository.js';
import { parseLockKey, SeatLocks } from './seat-locks.js';
import { ShowKeys } from './show-keys.js';
import { ShowRepository } from './show.repository.js';

const LEASE_KEY = 'reconcile:lease';
/** Shows that started this long before their grace ended are still visited (keys written before keys had a life). */
const LOOKBACK_MS = 7 * 86_400_000;
/**
 * A disagreement is acted on only if it is still there this long after it was seen: a hold's lock
 * is set in Redis just before its transaction commits, and a booking's marker just after.
 */
const RECHECK_MS = 2_000;

export interface ReconcileReport {
  shows: number;
  keys: number;
  /** Markers and locks the database contradicted, deleted. */
  removed: number;
}

/**
 * Makes sure Redis never contradicts the database for long. Redis refuses a hold on a seat with a
 * BOOKED marker or someone's lock without asking the database; after a database restore or a
 * correction in SQL such a refusal can be wrong. On start and every `REDIS_RECONCILE_INTERVAL_MS`
 * one instance (a lease in Redis) visits every show whose keys may still live: it sets their
 * expiry again (the show's start may have moved), deletes every key of a show whose grace has
 * passed, and compares each seat's marker or lock with the seat in the database. A marker of a
 * seat the database does not say is sold, or a lock of a hold the database does not have, is
 * deleted if it is still so two seconds later and still carries the same value.
 *
 * The cost is O(keys of the live shows) per pass: a SCAN of each show's keys, one MGET and one
 * indexed read of the seats per thousand keys. A sold-out stadium (50,000 markers) is about fifty
 * round trips to each side, once per interval, on one instance.
 */
@Injectable()
export class RedisReconciler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisReconciler.name);
  private readonly instance = randomUUID();
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileReport | undefined>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly database: Database,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly shows: ShowRepository,
    private readonly holds: HoldRepository,
    private readonly locks: SeatLocks,
    private readonly showKeys: ShowKeys,
  ) {}

  onApplicationBootstrap(): void {
    const run = () => void this.run();
    setTimeout(run, 1_000).unref();
    this.timer = setInterval(run, this.config.redisReconcileIntervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass, if this instance holds the lease; concurrent calls share it. */
  run(): Promise<ReconcileReport | undefined> {
    this.running ??= this.pass()
      .catch((error: Error) => {
        this.logger.warn(`Reconciliation failed (next pass in ${this.config.redisReconcileIntervalMs} ms): ${describeError(error)}`);
        return undefined;
      })
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  private async pass(): Promise<ReconcileReport | undefined> {
    const lease = Math.max(500, Math.floor(this.config.redisReconcileIntervalMs * 0.8));
    if ((await redisCall(() => this.redis.set(LEASE_KEY, this.instance, 'PX', lease, 'NX'))) !== 'OK') return undefined;
    const report: ReconcileReport = { shows: 0, keys: 0, removed: 0 };
    const since = Date.now() - this.config.redisShowGraceMs - LOOKBACK_MS;
    const shows = await this.database.read((db) => this.shows.showRows(db));
    for (const show of shows) {
      if (show.startsAt.getTime() < since) continue;
      report.shows++;
      const expiresAt = this.showKeys.expiryOf(show.startsAt);
      if (expiresAt <= Date.now()) {
        await this.showKeys.purge(show.id);
        continue;
      }
      await this.showKeys.expireAll(show.id, expiresAt, async (keys, values) => {
        report.keys += keys.length;
        report.removed += await this.compare(show.id, keys, values);
      });
    }
    if (report.removed > 0) this.logger.warn(`Reconciliation removed ${report.removed} Redis keys the database contradicted`);
    return report;
  }

  /** Deletes the keys among these (one show's) that the database contradicts, now and a moment later. */
  private async compare(showId: string, keys: string[], values: (string | null)[]): Promise<number> {
    const contradicted = await this.contradicted(keys, values);
    if (contradicted.size === 0) return 0;
    await new Promise((resolve) => setTimeout(resolve, RECHECK_MS));
    const recheck = [...contradicted.keys()];
    const still = await this.contradicted(recheck, await redisCall(() => this.redis.mget(recheck)));
    const byValue = new Map<string, string[]>();
    for (const [key, value] of still) {
      if (contradicted.get(key) !== value) continue;
      byValue.set(value, [...(byValue.get(value) ?? []), parseLockKey(key)!.seatId]);
    }
    let removed = 0;
    for (const [value, seatIds] of byValue) removed += await this.locks.deleteIfValue(showId, seatIds, value);
    return removed;
  }

  /** Key → value of each key whose seat the database does not back: not sold for a marker, not held by that hold for a lock. */
  private async contradicted(keys: string[], values: (string | null)[]): Promise<Map<string, string>> {
    const seatIds = keys.map((key) => parseLockKey(key)!.seatId);
    const seats = new Map((await this.database.read((db) => this.holds.holdsOf(db, seatIds))).map((seat) => [seat.id, seat]));
    const contradicted = new Map<string, string>();
    keys.forEach((key, i) => {
      const value = values[i];
      if (!value) return;
      const seat = seats.get(seatIds[i]);
      const backed = value.startsWith('BOOKED|')
        ? seat?.status === 'BOOKED'
        : seat?.status === 'HELD' && seat.holdId === value.slice(0, value.indexOf('|'));
      if (!backed) contradicted.set(key, value);
    });
    return contradicted;
  }
}
