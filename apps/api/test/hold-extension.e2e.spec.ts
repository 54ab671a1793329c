import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { clusterBackend } from './support/redis-cluster-backend.js';
import { Harness } from './support/harness.js';

const HOLD = '/api/seats/hold-bulk';
const EXTEND = '/api/seats/extend-bulk';
const BOOK = '/api/seats/book-bulk';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds last 1 s and at most 4 s from their grant, so expiry can be watched. */
describe.each([...backends, clusterBackend])('hold extension on $name', (backend) => {
  let api: Harness;
  let other: Harness | undefined;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend, { HOLD_TTL_SECONDS: '1', HOLD_MAX_SECONDS: '4' });
    // A second instance on the same database and Redis, with timers of its own (not in dev mode:
    // the mock Redis and SQLite belong to one process).
    if (backend.name !== 'dev') other = await Harness.alongside(api);
  });
  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  const seatOf = async (showId: string, seatId: string) =>
    (await api.get(`/api/seats/${showId}`)).body.seats.find((seat: { id: string }) => seat.id === seatId);

  describe.skipIf(!backend.available)('extend-bulk', () => {
    it('keeps an extended hold past its old expiry on every instance, then books it', async () => {
      const { showId, seatIds } = await api.newShow(1, 3);
      const seats = seatIds.slice(0, 2);
      // Held through the other instance, which armed its timers for the 1-second expiry.
      expect((await (other ?? api).post(HOLD, { seatIds: seats, userId: 'fan' })).status).toBe(201);
      const watcher = await api.seatsClient();
      await watcher.subscribe(showId);
      const before = Date.now();
      const extended = await api.post(EXTEND, { seatIds: seats, userId: 'fan', seconds: 3 });
      expect(extended.status).toBe(200);
      expect(extended.body).toMatchObject({ userId: 'fan', showId, seatIds: seats });
      const expiresAt = Date.parse(extended.body.expiresAt);
      expect(expiresAt).toBeGreaterThan(before + 2500);
      expect(expiresAt).toBeLessThan(Date.now() + 3500);
      // The Redis lock lapses with the extended hold, not before.
      expect(await api.redis.pttl(`hold:{${showId}}:${seats[0]}`)).toBeGreaterThan(2000);
      // Pushed: HELD with the new expiry.
      await expect.poll(() => watcher.changesOf(seats[1]).some((c) => c.holdExpiresAt === extended.body.expiresAt)).toBe(true);
      await sleep(1800); // past the old expiry and a sweep
      expect(await seatOf(showId, seats[0])).toMatchObject({ status: 'HELD', holdExpiresAt: extended.body.expiresAt });
      expect((await api.post(BOOK, { seatIds: seats, userId: 'fan' })).status).toBe(201);
    });

    it('never reaches past HOLD_MAX_SECONDS from the first grant, and is released at its new expiry', async () => {
      const { showId, seatIds } = await api.newShow(1, 2);
      const granted = Date.now();
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'fan' })).status).toBe(201);
      const extended = await api.post(EXTEND, { seatIds: [seatIds[0]], userId: 'fan', seconds: 3600 });
      expect(extended.status).toBe(200);
      expect(Date.parse(extended.body.expiresAt)).toBeLessThanOrEqual(granted + 4000 + 1000);
      expect(Date.parse(extended.body.expiresAt)).toBeGreaterThan(granted + 3000);
      await sleep(2000);
      const again = await api.post(EXTEND, { seatIds: [seatIds[0]], userId: 'fan', seconds: 60 });
      expect(again.status).toBe(200);
      expect(again.body.expiresAt).toBe(extended.body.expiresAt);
      await expect.poll(async () => (await seatOf(showId, seatIds[0])).status, { timeout: 8000, interval: 200 }).toBe('AVAILABLE');
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(extended.body.expiresAt));
    });

    it('extends all or nothing: 409 naming the seats not held by this user or lapsed, and nothing moves', async () => {
      const { seatIds } = await api.newShow(1, 3);
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'fan' })).status).toBe(201);
      expect((await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'rival' })).status).toBe(201);
      // The stored expiry, which the seat map stops showing once the 1-second hold lapses (as it may on a busy machine).
      const expiryOf = async (seatId: string) => {
        const { seats } = api.database.tables;
        const [row] = await api.database.read((db) => db.select({ at: seats.holdExpiresAt }).from(seats).where(eq(seats.id, seatId)));
        return row.at?.getTime();
      };
      const before = await expiryOf(seatIds[0]);
      expect(before).toBeGreaterThan(0);
      const refused = await api.post(EXTEND, { seatIds: [seatIds[0], seatIds[1], seatIds[2]], userId: 'fan', seconds: 3 });
      expect(refused.status).toBe(409);
      expect(refused.body.conflicts).toEqual([
        { seatId: seatIds[1], reason: 'NOT_HELD_BY_YOU' },
        { seatId: seatIds[2], reason: 'NOT_HELD_BY_YOU' },
      ]);
      expect(await expiryOf(seatIds[0])).toBe(before);
      await sleep(1300);
      const late = await api.post(EXTEND, { seatIds: [seatIds[0]], userId: 'fan' });
      expect(late.status).toBe(409);
      expect(late.body.conflicts).toEqual([{ seatId: seatIds[0], reason: 'EXPIRED' }]);
    });

    it('refuses seconds outside 1–3600 with a 400 naming them', async () => {
      const { seatIds } = await api.newShow(1, 1);
      for (const seconds of [0, 3601, 1.5, '60']) {
        const reply = await api.post(EXTEND, { seatIds, userId: 'fan', seconds });
        expect(reply.status).toBe(400);
        expect(reply.body.detail).toMatch(/^seconds must be an integer from 1 to 3600/);
      }
    });
  });
});
