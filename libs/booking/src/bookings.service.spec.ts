import { InvalidRequestError } from '@app/common';
import type { Database, Db } from '@app/db';
import { describe, expect, it, vi } from 'vitest';
import { BookingCancelledError, BookingNotFoundError } from './booking.errors.js';
import type { BookingRepository } from './booking.repository.js';
import { BookingsService } from './bookings.service.js';
import type { SeatLocks } from './seat-locks.js';
import type { ShowVersions } from './show-versions.js';
import type { OutboxRepository } from './webhooks/outbox.repository.js';
import type { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';

const TX = {} as Db;
const BOOKING = { id: 'bk-1', userId: 'u1', showId: 'show-1', createdAt: new Date() };
const line = (seatId: string, cancelled = false) => ({ seatId, cancelled });

/** BookingsService with its repository, locks, versions and events faked. */
function newTestService(lines = [line('a'), line('b'), line('c', true)]) {
  const calls: string[] = [];
  const bookings = {
    byId: vi.fn(async (_db: Db, id: string) => (id === BOOKING.id ? BOOKING : undefined)),
    lines: vi.fn(async () => new Map([[BOOKING.id, lines]])),
    cancelLines: vi.fn(async (_tx: Db, _id: string, seatIds: string[]) => {
      calls.push(`cancel ${seatIds.join(',')}`);
      return seatIds;
    }),
    freeSeats: vi.fn(async () => undefined),
  };
  const locks = { releaseBooked: vi.fn(async (_show: string, seatIds: string[]) => void calls.push(`unmark ${seatIds.join(',')}`)) };
  const versions = {
    transaction: vi.fn(async (work: (tx: Db) => Promise<{ result: unknown }>) => ({
      result: (await work(TX)).result,
      versions: new Map([['show-1', 7]]),
    })),
  };
  const events = { publish: vi.fn() };
  const database = { read: vi.fn(async (work: (db: Db) => Promise<unknown>) => work(TX)) };
  const outbox = { record: vi.fn(async (_tx: Db, message: { type: string }) => void calls.push(`outbox ${message.type}`)) };
  const webhooks = { nudge: vi.fn() };
  const service = new BookingsService(
    database as unknown as Database,
    bookings as unknown as BookingRepository,
    locks as unknown as SeatLocks,
    events,
    versions as unknown as ShowVersions,
    outbox as unknown as OutboxRepository,
    webhooks as unknown as WebhookDispatcher,
  );
  vi.spyOn(service, 'find').mockResolvedValue({} as Awaited<ReturnType<BookingsService['find']>>);
  return { service, bookings, locks, versions, events, outbox, calls };
}

describe('BookingsService.cancel', () => {
  it('cancels every live seat when none are named: Redis markers first, then one transaction, then the event', async () => {
    const { service, bookings, events, calls } = newTestService();
    await service.cancel('bk-1');

    expect(calls).toEqual(['unmark a,b', 'cancel a,b', 'outbox booking.cancelled']);
    expect(bookings.freeSeats).toHaveBeenCalledWith(TX, expect.objectContaining({ id: 'bk-1' }), ['a', 'b']);
    expect(events.publish).toHaveBeenCalledWith(
      'show-1',
      [expect.objectContaining({ seatId: 'a', status: 'AVAILABLE' }), expect.objectContaining({ seatId: 'b', status: 'AVAILABLE' })],
      7,
    );
  });

  it('refuses seats that are not in the booking with 400 and changes nothing', async () => {
    const { service, locks, versions } = newTestService();
    await expect(service.cancel('bk-1', ['a', 'zz'])).rejects.toBeInstanceOf(InvalidRequestError);
    expect(locks.releaseBooked).not.toHaveBeenCalled();
    expect(versions.transaction).not.toHaveBeenCalled();
  });

  it('answers 409 when every seat asked for is cancelled already, before touching Redis', async () => {
    const { service, locks } = newTestService();
    await expect(service.cancel('bk-1', ['c'])).rejects.toBeInstanceOf(BookingCancelledError);
    expect(locks.releaseBooked).not.toHaveBeenCalled();
  });

  it('answers 409 and publishes nothing when a concurrent cancellation got there first', async () => {
    const { service, bookings, events, outbox } = newTestService();
    bookings.cancelLines.mockResolvedValueOnce([]);
    await expect(service.cancel('bk-1', ['a'])).rejects.toBeInstanceOf(BookingCancelledError);
    expect(bookings.freeSeats).not.toHaveBeenCalled();
    expect(outbox.record).not.toHaveBeenCalled();
    expect(events.publish).not.toHaveBeenCalled();
  });

  it('answers 404 for an unknown booking', async () => {
    const { service } = newTestService();
    await expect(service.cancel('nope')).rejects.toBeInstanceOf(BookingNotFoundError);
  });
});
