import type { AppConfig } from '@app/config';
import type { Database, Db } from '@app/db';
import { describe, expect, it, vi } from 'vitest';
import { LimitExceededError, SeatConflictError } from './booking.errors.js';
import type { HoldTimers } from './hold-timers.js';
import type { SeatDirectory } from './seat-directory.js';
import { SeatHoldService } from './seat-hold.service.js';
import type { SeatLocks } from './seat-locks.js';
import type { HoldRepository } from './hold.repository.js';
import type { ShowRepository } from './show.repository.js';
import type { ShowVersions } from './show-versions.js';

const SHOW = 'show-1';
const TX = {} as Db;
const inAMinute = () => new Date(Date.now() + 60_000);
const onSale = { onSale: true, perOrder: 8, perCustomer: null as number | null };

/**
 * SeatHoldService with its collaborators faked (no Redis, no database): what it asks of each,
 * in which order, and what it gives back when one of them refuses.
 */
function newTestService() {
  const calls: string[] = [];
  const seats = {
    holdAtOnce: vi.fn(async () => undefined), // as on SQLite: the statement-per-step path
    holdRules: vi.fn(async () => onSale),
    liveHoldsOf: vi.fn(async () => [] as { id: string; msLeft: number | null; holdExpiresAt: Date }[]),
    customerSeats: vi.fn(async () => 0),
    claimForHold: vi.fn(async (_tx: Db, { seatIds }: { seatIds: string[] }) => seatIds.map((id) => ({ id, holdExpiresAt: inAMinute() }))),
    states: vi.fn(async () => []),
    queueExpiries: vi.fn(async () => undefined),
  };
  const locks = {
    acquire: vi.fn(async (_show: string, seatIds: string[]) => ({ taken: true, statuses: seatIds.map(() => 'NEW') })),
    undo: vi.fn(async (_show: string, seatIds: string[]) => void calls.push(`undo ${seatIds.join(',')}`)),
    expireIn: vi.fn(async () => undefined),
  };
  const versions = {
    transaction: vi.fn(async (work: (tx: Db) => Promise<{ result: unknown; changed: unknown[] }>) => {
      const { result } = await work(TX);
      calls.push('commit');
      return { result, versions: new Map([[SHOW, 42]]) };
    }),
  };
  const events = { publish: vi.fn(() => void calls.push('publish')) };
  const timers = { arm: vi.fn(), disarm: vi.fn() };
  const directory = {
    showOf: vi.fn(async () => SHOW),
    rulesOf: vi.fn(async () => ({ perOrder: 8, salesOpenAt: new Date(0), salesCloseAt: new Date(Date.now() + 86_400_000) })),
  };
  const database = { serializeOn: vi.fn(async () => undefined) };
  const service = new SeatHoldService(
    database as unknown as Database,
    { holdTtlSeconds: 60 } as AppConfig,
    seats as unknown as HoldRepository,
    seats as unknown as ShowRepository,
    directory as unknown as SeatDirectory,
    locks as unknown as SeatLocks,
    events,
    timers as unknown as HoldTimers,
    versions as unknown as ShowVersions,
  );
  return { service, seats, locks, versions, events, timers, directory, database, calls };
}

describe('SeatHoldService.hold', () => {
  it('locks, records, then arms timers and publishes the held seats at the transaction version', async () => {
    const { service, seats, events, timers, calls } = newTestService();
    const result = await service.hold({ seatIds: ['a', 'b'], userId: 'u1' });

    expect(result).toMatchObject({ showId: SHOW, userId: 'u1', seatIds: ['a', 'b'] });
    expect(seats.claimForHold).toHaveBeenCalledWith(TX, expect.objectContaining({ seatIds: ['a', 'b'], userId: 'u1', ttlMs: 60_000 }));
    expect(seats.queueExpiries).toHaveBeenCalledWith(TX, ['a', 'b']);
    expect(timers.arm).toHaveBeenCalledWith(['a', 'b'], 60_000);
    expect(events.publish).toHaveBeenCalledWith(
      SHOW,
      [expect.objectContaining({ seatId: 'a', status: 'HELD' }), expect.objectContaining({ seatId: 'b', status: 'HELD' })],
      42,
    );
    expect(calls).toEqual(['commit', 'publish']);
  });

  it('refuses seats whose locks are taken with their reasons, without touching the database', async () => {
    const { service, locks, versions } = newTestService();
    locks.acquire.mockResolvedValueOnce({ taken: false, statuses: ['NEW', 'HELD', 'BOOKED'] });
    const refusal = await service.hold({ seatIds: ['a', 'b', 'c'], userId: 'u1' }).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(SeatConflictError);
    expect((refusal as SeatConflictError).extensions.conflicts).toEqual([
      { seatId: 'b', reason: 'HELD' },
      { seatId: 'c', reason: 'BOOKED' },
    ]);
    expect(versions.transaction).not.toHaveBeenCalled();
  });

  it('gives back exactly the locks it took when the database refuses, and publishes nothing', async () => {
    const { service, seats, locks, events, timers, calls } = newTestService();
    // 'a' was this user's already (Redis said OWNED); 'b' and 'c' were locked by this request.
    locks.acquire.mockResolvedValueOnce({ taken: true, statuses: ['OWNED', 'NEW', 'NEW'] });
    seats.claimForHold.mockResolvedValueOnce([{ id: 'b', holdExpiresAt: inAMinute() }]); // 'c' lost in the database

    await expect(service.hold({ seatIds: ['a', 'b', 'c'], userId: 'u1' })).rejects.toBeInstanceOf(SeatConflictError);
    expect(locks.undo).toHaveBeenCalledWith(SHOW, ['b', 'c'], 'u1', expect.any(String));
    expect(calls).toEqual(['undo b,c']);
    expect(events.publish).not.toHaveBeenCalled();
    expect(timers.arm).not.toHaveBeenCalled();
  });

  it('counts a customer limit while the user is serialised, and refuses beyond it', async () => {
    const { service, seats, database, locks } = newTestService();
    seats.holdRules.mockResolvedValue({ ...onSale, perCustomer: 4 });
    seats.customerSeats.mockResolvedValueOnce(3);

    await expect(service.hold({ seatIds: ['a', 'b'], userId: 'u1' })).rejects.toBeInstanceOf(LimitExceededError);
    expect(database.serializeOn).toHaveBeenCalledWith(TX, [SHOW, 'u1']);
    expect(seats.claimForHold).not.toHaveBeenCalled();
    expect(locks.undo).toHaveBeenCalledWith(SHOW, ['a', 'b'], 'u1', expect.any(String));
  });

  it('keeps a seat the user already holds at its own expiry: the fresh Redis lock lapses with it', async () => {
    const { service, seats, locks, timers } = newTestService();
    seats.liveHoldsOf.mockResolvedValueOnce([{ id: 'a', msLeft: 20_000, holdExpiresAt: new Date(Date.now() + 20_000) }]);

    const result = await service.hold({ seatIds: ['a', 'b'], userId: 'u1' });
    expect(seats.claimForHold).toHaveBeenCalledWith(TX, expect.objectContaining({ seatIds: ['b'] }));
    expect(locks.expireIn).toHaveBeenCalledWith(SHOW, 'a', 20_000);
    expect(timers.arm).toHaveBeenCalledWith(['a'], 20_000);
    expect(new Date(result.expiresAt).getTime()).toBeLessThanOrEqual(Date.now() + 20_000);
  });
});
