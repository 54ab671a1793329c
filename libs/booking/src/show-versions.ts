import { DependencyUnavailableError } from '@app/common';
import { type Db, Database, type TransactionOptions } from '@app/db';
import { asCluster, LuaScript, REDIS, redisCall } from '@app/redis';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { ShowKeys } from './show-keys.js';

const script = (name: string) => LuaScript.fromFile(new URL(`./lua/${name}.lua`, import.meta.url));
const BEGIN = script('begin-show-change');
const END = script('end-show-change');
const READ_VERSION = script('show-version');

/** Longer than any transaction lives; only a process that died mid-transaction leaves one this long. */
const IN_FLIGHT_MS = 10_000;

/** How long readers skip Redis after it failed to answer them. */
const READ_BACKOFF_MS = 1000;

const keys = (showId: string) => [`seats:version:{${showId}}`, `seats:inflight:{${showId}}`, `seats:deadline:{${showId}}`];
const changedKey = (showId: string) => `seats:changed:{${showId}}`;

/** What a transaction changed: seats of shows (the version is per show). */
export interface SeatsChanged {
  showId: string;
  seatIds: string[];
}

/**
 * Each show's version: an integer in Redis that grows with every change of any of its seats, so
 * every instance can tell cheaply whether the seat map it has is current.
 *
 * A change takes its version inside its transaction, while it holds the row locks of its seats:
 * two changes of one seat therefore get versions in the order they commit, and a client that
 * applies a change only when its version is newer than the seat's ends where the database is. The
 * version is "in flight" until the transaction has ended, and a read stamps its snapshot with a
 * version below every in-flight one (`readVersion`): a snapshot never claims a change it cannot see.
 */
@Injectable()
export class ShowVersions {
  private readonly logger = new Logger(ShowVersions.name);
  /** When Redis last answered, and last failed to (ms): readers skip it for a while after a failure. */
  private lastAnswerAt = 0;
  private lastFailureAt = 0;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(Database) private readonly database: Database,
    private readonly showKeys: ShowKeys,
  ) {}

  /**
   * Runs `work` in one transaction; the shows it names as changed get a new version each, taken
   * just before commit. Redis unreachable: the transaction rolls back (a 503), like every write.
   */
  async transaction<T>(
    work: (tx: Db) => Promise<{ result: T; changed: SeatsChanged[] }>,
    options?: TransactionOptions,
  ): Promise<{ result: T; versions: Map<string, number> }> {
    const taken: [string, number][] = [];
    try {
      return await this.database.transaction(async (tx) => {
        const { result, changed } = await work(tx);
        const byShow = new Map<string, string[]>();
        for (const { showId, seatIds } of changed) if (seatIds.length > 0) byShow.set(showId, [...(byShow.get(showId) ?? []), ...seatIds]);
        const versions = new Map<string, number>();
        for (const [showId, seatIds] of byShow) {
          const version = await this.begin(showId, seatIds, await this.showKeys.expiresAt(showId, tx));
          taken.push([showId, version]);
          versions.set(showId, version);
        }
        return { result, versions };
      }, options);
    } finally {
      // Every attempt's versions, committed or not (a retried transaction takes new ones).
      if (taken.length > 0) await this.settle(taken);
    }
  }

  /** The read version: what a read starting now may stamp what it reads with (see the class comment). */
  async readVersion(showId: string): Promise<number> {
    const readVersion = Number(await redisCall(() => READ_VERSION.run<number>(this.redis, keys(showId), [Date.now()])));
    this.lastAnswerAt = Date.now();
    return readVersion;
  }

  /**
   * Labels for readers, who can do without: undefined when Redis cannot answer, and then for the
   * next second without asking (so each read does not wait out the command timeout), unless a
   * write found Redis answering meanwhile.
   */
  async readVersionsIfReachable(showIds: string[]): Promise<number[] | undefined> {
    if (Date.now() < this.lastFailureAt + READ_BACKOFF_MS && this.lastAnswerAt < this.lastFailureAt) return undefined;
    try {
      return showIds.length === 1 ? [await this.readVersion(showIds[0])] : await this.readVersions(showIds);
    } catch (error) {
      if (!(error instanceof DependencyUnavailableError)) throw error;
      this.lastFailureAt = Date.now();
      return undefined;
    }
  }

  /** Labels of several shows in one round trip. */
  async readVersions(showIds: string[]): Promise<number[]> {
    if (showIds.length === 0) return [];
    // A cluster pipelines only keys of one slot; each show's keys have a slot of their own.
    if (asCluster(this.redis)) return Promise.all(showIds.map((showId) => this.readVersion(showId)));
    const run = async () => {
      const pipeline = this.redis.pipeline();
      for (const showId of showIds) pipeline.evalsha(READ_VERSION.sha, 3, ...keys(showId), Date.now());
      return (await pipeline.exec()) ?? [];
    };
    let replies = await redisCall(run);
    if (replies.some(([error]) => error?.message.startsWith('NOSCRIPT'))) {
      await redisCall(() => this.redis.script('LOAD', READ_VERSION.source));
      replies = await redisCall(run);
    }
    const readVersions = await redisCall(async () =>
      replies.map(([error, value]) => {
        if (error) throw error;
        return Number(value);
      }),
    );
    this.lastAnswerAt = Date.now();
    return readVersions;
  }

  /**
   * A new version for a change outside the seats: a show created (so no instance takes a seat map
   * of an earlier show of the same id for current) or deleted (so every instance finds it gone).
   */
  async touch(showId: string, expiresAt?: number): Promise<number> {
    const version = await this.begin(showId, [], expiresAt);
    await this.settle([[showId, version]]);
    return version;
  }

  /**
   * The seats whose latest change is after version `after` (whatever its version now: a seat
   * changed again since keeps only its newest); undefined when the record cannot say (the whole
   * show changed, or Redis lost the record): then read the whole map.
   */
  async changedSince(showId: string, after: number): Promise<string[] | undefined> {
    const ids = await redisCall(() => this.redis.zrangebyscore(changedKey(showId), `(${after}`, '+inf'));
    return ids.includes('*') ? undefined : ids;
  }

  private async begin(showId: string, seatIds: string[], expiresAt?: number): Promise<number> {
    const at = expiresAt ?? (await this.showKeys.expiresAt(showId));
    const version = Number(
      await redisCall(() =>
        BEGIN.run<number>(this.redis, [...keys(showId), changedKey(showId)], [Date.now(), IN_FLIGHT_MS, at, ...seatIds]),
      ),
    );
    this.lastAnswerAt = Date.now();
    return version;
  }

  private async settle(taken: [string, number][]): Promise<void> {
    const byShow = new Map<string, number[]>();
    for (const [showId, version] of taken) byShow.set(showId, [...(byShow.get(showId) ?? []), version]);
    for (const [showId, versions] of byShow) {
      await redisCall(() => END.run(this.redis, keys(showId).slice(1), versions)).catch((error: Error) => {
        // Reads are stamped below these versions until their deadline passes; nothing is wrong, only late.
        this.logger.warn(`Could not end in-flight versions of ${showId} (they lapse in ${IN_FLIGHT_MS} ms): ${error.message}`);
      });
    }
  }
}
