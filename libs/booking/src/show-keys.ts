import { APP_CONFIG, type AppConfig } from '@app/config';
import { type Db, Database } from '@app/db';
import { asCluster, REDIS, redisCall } from '@app/redis';
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import { ShowRepository } from './show.repository.js';

/** How long a show's start is trusted before it is read again (an instance that missed a change catches up). */
const EXPIRY_TTL_MS = 30_000;
const SCAN_COUNT = 1000;

/** A show's keys that are not seat locks: its version, in-flight versions, their deadlines, its change record. */
export const showStateKeys = (showId: string) => [
  `seats:version:{${showId}}`,
  `seats:inflight:{${showId}}`,
  `seats:deadline:{${showId}}`,
  `seats:changed:{${showId}}`,
];

/**
 * The life of a show's keys in Redis. Every key a show leaves there (BOOKED markers, its version
 * and its change record) expires at the show's start plus `REDIS_SHOW_GRACE_HOURS`; hold locks
 * live as long as their holds. The expiry is set by the scripts that write the keys, read here
 * from the database (cached for 30 s), and set again on every key of the show when its start
 * changes and on every reconciliation pass.
 */
@Injectable()
export class ShowKeys {
  private readonly expiries = new LRUCache<string, { at: number; readAt: number }>({ max: 10_000 });
  private readonly refreshing = new Set<string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(Database) private readonly database: Database,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly shows: ShowRepository,
  ) {}

  /**
   * When the show's keys expire (ms since the epoch); a show the database does not have: the
   * grace from now. Known shows answer from memory (refreshed in the background when older than
   * 30 s); the first call for a show reads it through `db` when given: inside a transaction, on
   * the transaction's own connection, so a busy pool never waits on itself.
   */
  async expiresAt(showId: string, db?: Db): Promise<number> {
    const cached = this.expiries.get(showId);
    if (!cached) return this.load(showId, db);
    if (Date.now() - cached.readAt > EXPIRY_TTL_MS && !this.refreshing.has(showId)) {
      this.refreshing.add(showId);
      void this.load(showId)
        .catch(() => undefined)
        .finally(() => this.refreshing.delete(showId));
    }
    return cached.at;
  }

  private async load(showId: string, db?: Db): Promise<number> {
    const [row] = db ? await this.shows.showRows(db, showId) : await this.database.read((read) => this.shows.showRows(read, showId));
    // A show not (or no longer) in the database: its keys get the grace from now, and nothing is kept.
    if (!row) return this.expiryOf(new Date());
    const at = this.expiryOf(row.startsAt);
    this.expiries.set(showId, { at, readAt: Date.now() });
    return at;
  }

  expiryOf(startsAt: Date): number {
    return startsAt.getTime() + this.config.redisShowGraceMs;
  }

  forget(showId: string): void {
    this.expiries.delete(showId);
  }

  /** The show's seat-lock keys (locks and BOOKED markers), in batches; on a cluster, from its masters. */
  async *lockKeys(showId: string): AsyncGenerator<string[]> {
    const match = `hold:{${escapeGlob(showId)}}:*`;
    const cluster = asCluster(this.redis);
    for (const node of cluster ? cluster.nodes('master') : [this.redis]) {
      let cursor = '0';
      do {
        const [next, keys] = await redisCall(() => node.scan(cursor, 'MATCH', match, 'COUNT', SCAN_COUNT));
        cursor = next;
        if (keys.length > 0) yield keys;
      } while (cursor !== '0');
    }
  }

  /**
   * Moves every key of the show (its state keys and BOOKED markers) to expire at `at`; `each`, if
   * given, sees every batch of the show's lock keys with the values just read (one SCAN, one MGET).
   */
  async expireAll(showId: string, at: number, each?: (keys: string[], values: (string | null)[]) => Promise<void>): Promise<void> {
    await this.expire(showStateKeys(showId), at);
    for await (const keys of this.lockKeys(showId)) {
      const values = await redisCall(() => this.redis.mget(keys));
      await this.expire(
        keys.filter((_, i) => values[i]?.startsWith('BOOKED|')),
        at,
      );
      await each?.(keys, values);
    }
  }

  /** Deletes every key of the show (after it was deleted). */
  async purge(showId: string): Promise<number> {
    let deleted = await redisCall(() => this.redis.del(...showStateKeys(showId)));
    for await (const keys of this.lockKeys(showId)) deleted += await redisCall(() => this.redis.del(...keys));
    return deleted;
  }

  /** PEXPIREAT on keys of one show (one slot: one pipeline). */
  private async expire(keys: string[], at: number): Promise<void> {
    if (keys.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.pexpireat(key, at);
    await redisCall(() => pipeline.exec());
  }
}

/** A show id as a literal in a SCAN pattern. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
