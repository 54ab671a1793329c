import { eq, isNull, and } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';
import { clusterBackend } from './support/redis-cluster-backend.js';

/** A show's keys last 1.8 s past its start here; one instance reconciles Redis with the database every second. */
const GRACE_HOURS = 0.0005;
const GRACE_MS = GRACE_HOURS * 3_600_000;
const RECONCILE_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([...backends, clusterBackend])('Redis keeps only what is live, and never contradicts the database, on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend, {
      HOLD_TTL_SECONDS: '30',
      REDIS_SHOW_GRACE_HOURS: String(GRACE_HOURS),
      REDIS_RECONCILE_INTERVAL_MS: String(RECONCILE_MS),
    });
  });
  afterAll(async () => {
    await api?.close();
  });

  /** Every key of the show, with its remaining life in ms (-1: none); on a cluster, from every master. */
  async function keysOf(showId: string): Promise<Map<string, number>> {
    const client = api.redis as Redis & { isCluster?: boolean; nodes?: (role: string) => Redis[] };
    const found = new Map<string, number>();
    for (const node of client.isCluster ? client.nodes!('master') : [client]) {
      for (const key of await node.keys(`*{${showId}}*`)) found.set(key, await node.pttl(key));
    }
    return found;
  }

  async function show(startsAt: Date, seats = 6) {
    return api.createShow({
      title: 'Keys',
      startsAt: startsAt.toISOString(),
      salesOpenAt: '2020-01-01T00:00:00Z',
      sections: [{ key: 'main', label: 'Main', rows: [{ label: 'A', seats }] }],
    });
  }

  async function holdAndBook(seatIds: string[], userId: string): Promise<string> {
    expect((await api.post('/api/seats/hold-bulk', { seatIds, userId })).status).toBe(201);
    const booked = await api.post('/api/seats/book-bulk', { seatIds, userId });
    expect(booked.status).toBe(201);
    return booked.body.bookingId as string;
  }

  /** Live booking lines per seat: never more than one. */
  async function liveLines(seatIds: string[]): Promise<number[]> {
    const { bookingSeats } = api.database.tables;
    const rows = await api.database.read((db) => db.select().from(bookingSeats).where(isNull(bookingSeats.cancelledAt)));
    return seatIds.map((id) => rows.filter((row) => row.seatId === id).length);
  }

  it.skipIf(!backend.available)('every key of a show expires at its start plus the grace, and none is left after it', async () => {
    const startsAt = new Date(Date.now() + 3_000);
    const { showId, map } = await show(startsAt);
    const seatIds: string[] = map.seats.map((seat: { id: string }) => seat.id);
    await holdAndBook(seatIds.slice(0, 2), 'ann');
    expect((await api.post('/api/seats/hold-bulk', { seatIds: [seatIds[3]], userId: 'ben' })).status).toBe(201);

    const keys = await keysOf(showId);
    const markers = [...keys].filter(([key]) => key.startsWith('hold:') && !key.endsWith(seatIds[3]));
    expect(markers).toHaveLength(2);
    expect([...keys.keys()]).toEqual(expect.arrayContaining([`seats:version:{${showId}}`, `seats:changed:{${showId}}`]));
    // Markers, version and change record end with the show's grace; the hold's lock with its hold.
    const endsIn = startsAt.getTime() + GRACE_MS - Date.now();
    for (const [key, ttl] of keys) {
      if (key === `hold:{${showId}}:${seatIds[3]}`) expect(ttl).toBeGreaterThan(20_000);
      else if (!key.startsWith('seats:inflight') && !key.startsWith('seats:deadline')) {
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(endsIn + 50);
      }
    }

    // After the grace: Redis has dropped the markers and the show's state; the next pass the lock.
    await sleep(Math.max(0, startsAt.getTime() + GRACE_MS - Date.now()));
    await expect.poll(async () => [...(await keysOf(showId)).keys()], { timeout: 4 * RECONCILE_MS + 5_000, interval: 250 }).toEqual([]);
    expect(await liveLines(seatIds)).toEqual([1, 1, 0, 0, 0, 0]);
  });

  it.skipIf(!backend.available)(
    'a seat made free again in the database (as by a restore) can be held within a reconciliation period',
    async () => {
      const { showId, map } = await show(new Date('2030-01-01T20:00:00Z'));
      const [sold, held] = map.seats.map((seat: { id: string }) => seat.id) as string[];
      const bookingId = await holdAndBook([sold], 'cara');
      expect((await api.post('/api/seats/hold-bulk', { seatIds: [held], userId: 'dan' })).status).toBe(201);
      // A correction in SQL: the sale and the hold are gone, the seats free. Redis still refuses them.
      const { seats, bookingSeats } = api.database.tables;
      await api.database.transaction(async (tx) => {
        await tx
          .update(bookingSeats)
          .set({ cancelledAt: new Date() })
          .where(and(eq(bookingSeats.bookingId, bookingId), eq(bookingSeats.seatId, sold)));
        for (const id of [sold, held])
          await tx.update(seats).set({ status: 'AVAILABLE', holdOwner: null, holdId: null, holdExpiresAt: null }).where(eq(seats.id, id));
      });
      const refused = await api.post('/api/seats/hold-bulk', { seatIds: [sold], userId: 'eve' });
      expect(refused.status).toBe(409);
      expect(refused.body.conflicts).toEqual([{ seatId: sold, reason: 'BOOKED' }]);

      // Within a period (plus the two seconds a disagreement must last), both can be held and sold again.
      const started = Date.now();
      for (const seatId of [sold, held]) {
        await expect
          .poll(async () => (await api.post('/api/seats/hold-bulk', { seatIds: [seatId], userId: 'eve' })).status, {
            timeout: RECONCILE_MS + 8_000,
            interval: 250,
          })
          .toBe(201);
      }
      const repairedInMs = Date.now() - started;
      expect(repairedInMs).toBeLessThan(RECONCILE_MS + 8_000);
      expect((await api.post('/api/seats/book-bulk', { seatIds: [sold, held], userId: 'eve' })).status).toBe(201);
      expect(await liveLines([sold, held])).toEqual([1, 1]);
      expect([...(await keysOf(showId)).keys()]).toEqual(expect.arrayContaining([`hold:{${showId}}:${sold}`, `hold:{${showId}}:${held}`]));
    },
  );

  it.skipIf(!backend.available)("moving a show's start moves the expiry of its keys", async () => {
    const { showId, map } = await show(new Date('2030-01-01T20:00:00Z'));
    const seatIds: string[] = map.seats.map((seat: { id: string }) => seat.id);
    await holdAndBook(seatIds.slice(0, 1), 'gil');
    const expiry = async () => {
      const keys = await keysOf(showId);
      return [keys.get(`hold:{${showId}}:${seatIds[0]}`)!, keys.get(`seats:version:{${showId}}`)!].map((ttl) => Date.now() + ttl);
    };
    const at = Date.parse('2030-01-01T20:00:00Z') + GRACE_MS;
    for (const when of await expiry()) expect(Math.abs(when - at)).toBeLessThan(5_000);
    const moved = '2031-06-01T20:00:00Z';
    expect((await api.admin('PATCH', `/api/admin/shows/${showId}`, { startsAt: moved })).status).toBe(200);
    for (const when of await expiry()) expect(Math.abs(when - (Date.parse(moved) + GRACE_MS))).toBeLessThan(5_000);
  });

  it.skipIf(!backend.available)('a deleted show leaves only its version and change record ("all changed"), for ten minutes', async () => {
    const { showId, map } = await show(new Date('2030-01-01T20:00:00Z'));
    const seatIds: string[] = map.seats.map((seat: { id: string }) => seat.id);
    expect((await api.post('/api/seats/hold-bulk', { seatIds: seatIds.slice(0, 2), userId: 'fay' })).status).toBe(201);
    expect((await api.post('/api/seats/release-bulk', { seatIds: seatIds.slice(0, 2), userId: 'fay' })).status).toBe(200);
    expect((await keysOf(showId)).size).toBeGreaterThan(0);
    expect((await api.admin('DELETE', `/api/admin/shows/${showId}`)).status).toBe(204);
    const left = await keysOf(showId);
    const kept = [...left.keys()].filter((key) => !key.startsWith('seats:inflight') && !key.startsWith('seats:deadline'));
    expect(kept.sort()).toEqual([`seats:changed:{${showId}}`, `seats:version:{${showId}}`]);
    for (const ttl of left.values()) {
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10 * 60_000);
    }
  });
});
