import { DependencyUnavailableError } from '@app/common';
import type { Database, Db } from '@app/db';
import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { ShowVersions } from './show-versions.js';
import type { ShowKeys } from './show-keys.js';

const TX = {} as Db;
const SHOW = 'show-v';
const inFlight = (redis: Redis) => redis.zcard(`seats:inflight:{${SHOW}}`);

/**
 * ShowVersions on the in-process Redis of dev mode (its Lua scripts run there) and a fake
 * database whose `transaction` lets a test look in just before commit, or fail, or retry.
 */
function newTestVersions(transaction: (work: (tx: Db) => Promise<unknown>) => Promise<unknown> = (work) => work(TX)) {
  const redis = new RedisMock();
  const database = { transaction: (work: (tx: Db) => Promise<unknown>) => transaction(work) };
  return { redis, versions: new ShowVersions(redis, database as unknown as Database, keys) };
}

/** Every show's keys expire a day from now (the database is not asked). */
const keys = { expiresAt: () => Promise.resolve(Date.now() + 86_400_000) } as unknown as ShowKeys;

describe('ShowVersions.transaction', () => {
  let redis: Redis | undefined;
  afterEach(() => redis?.disconnect());

  it('gives each changed show one new version, in flight until the transaction ends: reads are stamped below it meanwhile', async () => {
    let duringCommit: { readVersion: number; inFlight: number } | undefined;
    const test = newTestVersions(async (work) => {
      const result = await work(TX);
      duringCommit = { readVersion: await test.versions.readVersion(SHOW), inFlight: await inFlight(test.redis) };
      return result;
    });
    redis = test.redis;
    await test.versions.touch(SHOW); // the show's first version: its record of changed seats starts here
    const before = await test.versions.readVersion(SHOW);

    const { result, versions } = await test.versions.transaction(async () => ({
      result: 'done',
      changed: [
        { showId: SHOW, seatIds: ['a'] },
        { showId: SHOW, seatIds: ['b'] },
        { showId: 'other', seatIds: [] },
      ],
    }));

    expect(result).toBe('done');
    expect([...versions.keys()]).toEqual([SHOW]); // one version for the show, none for a show with no seats changed
    const version = versions.get(SHOW)!;
    expect(version).toBeGreaterThan(before);
    expect(duringCommit!.inFlight).toBe(1);
    expect(duringCommit!.readVersion).toBeLessThan(version);
    expect(await inFlight(test.redis)).toBe(0);
    expect(await test.versions.readVersion(SHOW)).toBeGreaterThanOrEqual(version);
    expect(await test.versions.changedSince(SHOW, before)).toEqual(expect.arrayContaining(['a', 'b']));
  });

  it('ends the versions of a transaction that failed, so reads are not held below them', async () => {
    const test = newTestVersions(async (work) => {
      await work(TX);
      throw new Error('serialization failure');
    });
    redis = test.redis;
    await expect(test.versions.transaction(async () => ({ result: 1, changed: [{ showId: SHOW, seatIds: ['a'] }] }))).rejects.toThrow(
      'serialization failure',
    );
    expect(await inFlight(test.redis)).toBe(0);
  });

  it('takes a new version for every attempt of a retried transaction and ends them all', async () => {
    const test = newTestVersions(async (work) => {
      await work(TX).catch(() => undefined); // the first attempt rolled back (40001), and is retried
      return work(TX);
    });
    redis = test.redis;
    let attempts = 0;
    const first = await test.versions.readVersion(SHOW);
    const { versions } = await test.versions.transaction(async () => {
      attempts++;
      return { result: attempts, changed: [{ showId: SHOW, seatIds: ['a'] }] };
    });
    expect(attempts).toBe(2);
    expect(versions.get(SHOW)!).toBeGreaterThan(first);
    expect(await inFlight(test.redis)).toBe(0);
  });

  it('rolls the transaction back with a 503 when Redis cannot give a version', async () => {
    let committed = false;
    const down = { evalsha: () => Promise.reject(new Error('Connection is closed.')) } as unknown as Redis;
    const database = {
      transaction: async (work: (tx: Db) => Promise<unknown>) => {
        const result = await work(TX);
        committed = true;
        return result;
      },
    };
    const versions = new ShowVersions(down, database as unknown as Database, keys);
    await expect(versions.transaction(async () => ({ result: 1, changed: [{ showId: SHOW, seatIds: ['a'] }] }))).rejects.toBeInstanceOf(
      DependencyUnavailableError,
    );
    expect(committed).toBe(false);
  });
});
