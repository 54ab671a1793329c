import type { Database, Db } from '@app/db';
import type { Metrics } from '@app/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { HoldRepository } from './hold.repository.js';
import { HoldExpiry } from './hold-expiry.service.js';
import type { ShowVersions } from './show-versions.js';

const TX = {} as Db;
type Held = { id: string; status: 'HELD' | 'AVAILABLE' | 'BOOKED'; msLeft: number | null };

/**
 * HoldExpiry with its repository, versions, events and metrics faked, on fake timers: `held`
 * says which seats the database still holds and for how long (it lapses as the clock moves).
 */
function newTestExpiry(held: Map<string, number>) {
  const holds = {
    releaseLapsed: vi.fn(async (_tx: Db, seatIds: string[]) =>
      seatIds.filter((id) => (held.get(id) ?? Infinity) <= Date.now()).map((id) => ({ id, showId: 'show-e', msLate: 0 })),
    ),
    states: vi.fn(async (_db: Db, seatIds: string[]): Promise<Held[]> =>
      seatIds.map((id) => ({ id, status: held.has(id) ? 'HELD' : 'AVAILABLE', msLeft: held.has(id) ? held.get(id)! - Date.now() : null })),
    ),
  };
  const versions = {
    transaction: vi.fn(async (work: (tx: Db) => Promise<{ result: unknown }>) => ({
      result: (await work(TX)).result,
      versions: new Map([['show-e', 9]]),
    })),
  };
  const events = { publish: vi.fn() };
  const metrics = { expiryReleases: { inc: vi.fn() }, expiryDelay: { observe: vi.fn() } };
  const database = { read: (work: (db: Db) => Promise<unknown>) => work(TX) };
  const expiry = new HoldExpiry(
    database as unknown as Database,
    holds as unknown as HoldRepository,
    events,
    metrics as unknown as Metrics,
    versions as unknown as ShowVersions,
  );
  return { expiry, holds, events };
}

describe('HoldExpiry.releaseSeats', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('releases what has lapsed at once and the seat the database still holds for 300 ms when it lapses, announcing each', async () => {
    const held = new Map([
      ['a', Date.now() - 10],
      ['b', Date.now() + 300],
    ]);
    const { expiry, holds, events } = newTestExpiry(held);

    await expiry.releaseSeats(['a', 'b'], 'event');
    expect(events.publish).toHaveBeenCalledTimes(1);
    expect(events.publish).toHaveBeenLastCalledWith('show-e', [expect.objectContaining({ seatId: 'a', status: 'AVAILABLE' })], 9);

    await vi.advanceTimersByTimeAsync(299);
    expect(holds.releaseLapsed).toHaveBeenCalledTimes(1); // not before the database says it lapses
    await vi.advanceTimersByTimeAsync(2);
    expect(holds.releaseLapsed).toHaveBeenLastCalledWith(TX, ['b']);
    expect(events.publish).toHaveBeenLastCalledWith('show-e', [expect.objectContaining({ seatId: 'b', status: 'AVAILABLE' })], 9);
  });

  it('leaves a seat held for longer than an early event can explain to its own expiry, and one sold meanwhile alone', async () => {
    const held = new Map([['late', Date.now() + 60_000]]);
    const { expiry, holds, events } = newTestExpiry(held);

    await expiry.releaseSeats(['late', 'sold'], 'timer');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(holds.releaseLapsed).toHaveBeenCalledTimes(1);
    expect(events.publish).not.toHaveBeenCalled();
  });

  it('cancels its retries at shutdown', async () => {
    const held = new Map([['b', Date.now() + 300]]);
    const { expiry, holds } = newTestExpiry(held);
    await expiry.releaseSeats(['b'], 'event');
    expiry.onApplicationShutdown();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(holds.releaseLapsed).toHaveBeenCalledTimes(1);
  });
});
