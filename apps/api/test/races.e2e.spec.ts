import { lockKey } from '@app/booking';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';
import { report } from './support/report.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

const tally = (statuses: number[]) => statuses.reduce<Record<number, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {});

describe.each(backends)('races on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  const bookingRows = async (seatIds: string[]) => {
    const { bookingSeats } = api.database.tables;
    return api.database.read((db) => db.select().from(bookingSeats).where(inArray(bookingSeats.seatId, seatIds)));
  };

  it.skipIf(!backend.available)('200 users holding the same 2 seats at once: exactly one wins', async () => {
    const { showId, seatIds } = await api.newShow();
    const contested = seatIds.slice(0, 2);
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => api.post(HOLD, { seatIds: contested, userId: `user-${i}` })));
    const counts = tally(replies.map((r) => r.status));
    report(`[${backend.name}] 200 concurrent holds on 2 seats: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ 201: 1, 409: 199 });

    const winner = replies.find((r) => r.status === 201)!.body.userId;
    const { seats } = api.database.tables;
    const rows = await api.database.read((db) =>
      db.select({ status: seats.status, owner: seats.holdOwner }).from(seats).where(inArray(seats.id, contested)),
    );
    expect(rows).toEqual([
      { status: 'HELD', owner: winner },
      { status: 'HELD', owner: winner },
    ]);
    const map = await api.get(`/api/seats/${showId}`);
    expect(map.body.seats.filter((s: { status: string }) => s.status === 'HELD')).toHaveLength(2);
  });

  it.skipIf(!backend.available)('100 concurrent bookings of one held seat by its owner: exactly one booking row', async () => {
    const { seatIds } = await api.newShow();
    const seat = seatIds[0];
    expect((await api.post(HOLD, { seatIds: [seat], userId: 'owner' })).status).toBe(201);
    const replies = await Promise.all(Array.from({ length: 100 }, () => api.post(BOOK, { seatIds: [seat], userId: 'owner' })));
    const counts = tally(replies.map((r) => r.status));
    report(`[${backend.name}] 100 concurrent books of one seat: ${JSON.stringify(counts)}`);
    expect(counts).toEqual({ 201: 1, 409: 99 });
    const rows = await bookingRows([seat]);
    expect(rows).toHaveLength(1);
    expect(rows[0].bookingId).toBe(replies.find((r) => r.status === 201)!.body.bookingId);
    const { bookings } = api.database.tables;
    const [{ n }] = await api.database.read((db) =>
      db
        .select({ n: sql<number>`cast(count(*) as integer)`.mapWith(Number) })
        .from(bookings)
        .where(eq(bookings.userId, 'owner')),
    );
    expect(n).toBe(1);
  });

  it.skipIf(!backend.available)('a hold whose Redis lock vanished still cannot be sold twice: the database decides', async () => {
    const { showId, seatIds } = await api.newShow();
    const seat = seatIds[0];
    expect((await api.post(HOLD, { seatIds: [seat], userId: 'alice' })).status).toBe(201);
    expect(await api.redis.del(lockKey(showId, seat))).toBe(1);

    // Redis now lets bob through; the database refuses him and his lock is undone.
    const bob = await api.post(HOLD, { seatIds: [seat], userId: 'bob' });
    expect(bob.status).toBe(409);
    expect(bob.body.conflicts).toEqual([{ seatId: seat, reason: 'HELD' }]);
    expect(await api.redis.exists(lockKey(showId, seat))).toBe(0);

    const [aliceBooks, bobBooks] = await Promise.all([
      api.post(BOOK, { seatIds: [seat], userId: 'alice' }),
      api.post(BOOK, { seatIds: [seat], userId: 'bob' }),
    ]);
    expect(aliceBooks.status).toBe(201);
    expect(bobBooks.status).toBe(409);
    expect(await bookingRows([seat])).toHaveLength(1);
  });

  it.skipIf(!backend.available)('many users racing for overlapping multi-seat holds never share a seat', async () => {
    const { seatIds } = await api.newShow(1, 6);
    // Each user wants a sliding window of 3 of the 6 seats.
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const start = i % 4;
        return api.post(HOLD, { seatIds: seatIds.slice(start, start + 3), userId: `user-${i}` });
      }),
    );
    const won = replies.filter((r) => r.status === 201).flatMap((r) => r.body.seatIds as string[]);
    expect(new Set(won).size).toBe(won.length);
    expect(replies.every((r) => r.status === 201 || r.status === 409)).toBe(true);
    const { seats } = api.database.tables;
    const held = await api.database.read((db) =>
      db.select({ id: seats.id, owner: seats.holdOwner }).from(seats).where(inArray(seats.id, seatIds)),
    );
    for (const reply of replies.filter((r) => r.status === 201)) {
      for (const id of reply.body.seatIds) expect(held.find((row) => row.id === id)?.owner).toBe(reply.body.userId);
    }
  });
});
