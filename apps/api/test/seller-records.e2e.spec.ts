import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';

/** Row A (4 seats) and B (4 seats) in "stalls" (category std, €20), row C (4) in "circle" (vip, €50), and a 10-place floor (ga, €15). */
const venue = {
  title: 'Records',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  categories: [
    { key: 'std', label: 'Standard', price: { amount: 2000, currency: 'EUR' } },
    { key: 'vip', label: 'VIP', price: { amount: 5000, currency: 'EUR' } },
    { key: 'ga', label: 'Standing', price: { amount: 1500, currency: 'EUR' } },
  ],
  sections: [
    {
      key: 'stalls',
      label: 'Stalls',
      rows: [
        { label: 'A', seats: 4, category: 'std' },
        { label: 'B', seats: 4, category: 'std' },
      ],
    },
    { key: 'circle', label: 'Circle', rows: [{ label: 'C', seats: 4, category: 'vip' }] },
  ],
  areas: [{ key: 'floor', label: 'Floor', category: 'ga', capacity: 10 }],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(backends)('seat history and sales report on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend, { HOLD_TTL_SECONDS: '1', SWEEP_INTERVAL_MS: '300' });
  });
  afterAll(async () => {
    await api?.close();
  });

  const history = (showId: string, seatId: string) => api.admin('GET', `/api/admin/shows/${showId}/seats/${seatId}/history`);

  describe.skipIf(!backend.available)('admin records', () => {
    it('records every change of a seat, by every cause, in order, and nothing for a refused one', async () => {
      const { showId, map } = await api.createShow(venue);
      const [a1, a2] = map.seats.map((seat: { id: string }) => seat.id);
      const write = async (path: string, body: unknown, status: number) => expect((await api.post(path, body)).status).toBe(status);
      const hold = await api.post('/api/seats/hold-bulk', { seatIds: [a1], userId: 'ann' });
      expect(hold.status).toBe(201);
      await write('/api/seats/extend-bulk', { seatIds: [a1], userId: 'ann', seconds: 1 }, 200);
      await write('/api/seats/release-bulk', { seatIds: [a1], userId: 'ann' }, 200);
      const lapsing = await api.post('/api/seats/hold-bulk', { seatIds: [a1], userId: 'ben' });
      // Released by the timers, the keyspace event or the sweeper: an expiry either way.
      await expect.poll(async () => (await history(showId, a1)).body.at(-1)?.cause, { timeout: 5000, interval: 100 }).toBe('expiry');
      const final = await api.post('/api/seats/hold-bulk', { seatIds: [a1], userId: 'cat' });
      // Refused: A2 is not held by cat. Nothing is booked, and A1's history says nothing of it.
      await write('/api/seats/book-bulk', { seatIds: [a1, a2], userId: 'cat' }, 409);
      const booking = await api.post('/api/seats/book-bulk', { seatIds: [a1], userId: 'cat' });
      expect(booking.status).toBe(201);
      await write(`/api/bookings/${booking.body.bookingId}/cancel`, { userId: 'cat' }, 200);
      expect((await api.admin('POST', `/api/admin/shows/${showId}/block`, { seatIds: [a1] })).status).toBe(200);
      expect((await api.admin('POST', `/api/admin/shows/${showId}/unblock`, { seatIds: [a1] })).status).toBe(200);

      const reply = await history(showId, a1);
      expect(reply.status).toBe(200);
      const bookingId = booking.body.bookingId;
      expect(reply.body.map(({ at: _at, ...entry }: { at: string }) => entry)).toEqual([
        { status: 'HELD', cause: 'hold', userId: 'ann', holdId: hold.body.holdId, bookingId: null },
        { status: 'HELD', cause: 'extend', userId: 'ann', holdId: hold.body.holdId, bookingId: null },
        { status: 'AVAILABLE', cause: 'release', userId: 'ann', holdId: hold.body.holdId, bookingId: null },
        { status: 'HELD', cause: 'hold', userId: 'ben', holdId: lapsing.body.holdId, bookingId: null },
        { status: 'AVAILABLE', cause: 'expiry', userId: 'ben', holdId: lapsing.body.holdId, bookingId: null },
        { status: 'HELD', cause: 'hold', userId: 'cat', holdId: final.body.holdId, bookingId: null },
        { status: 'BOOKED', cause: 'booking', userId: 'cat', holdId: final.body.holdId, bookingId },
        { status: 'AVAILABLE', cause: 'cancellation', userId: 'cat', holdId: null, bookingId },
        { status: 'BLOCKED', cause: 'block', userId: null, holdId: null, bookingId: null },
        { status: 'AVAILABLE', cause: 'unblock', userId: null, holdId: null, bookingId: null },
      ]);
      const times = reply.body.map((entry: { at: string }) => Date.parse(entry.at));
      expect(times.every((at: number, i: number) => !Number.isNaN(at) && (i === 0 || at >= times[i - 1]))).toBe(true);
      // A2 took part only in the refused booking: no entry.
      expect((await history(showId, a2)).body).toEqual([]);
    });

    it('records a hold that takes over a lapsed one as its expiry first', async () => {
      const { showId, map } = await api.createShow(venue);
      const seat = map.seats[5].id;
      expect((await api.post('/api/seats/hold-bulk', { seatIds: [seat], userId: 'dan' })).status).toBe(201);
      // Taken over as soon as it lapses, whether or not the expiry released it first.
      await sleep(1100);
      expect((await api.post('/api/seats/hold-bulk', { seatIds: [seat], userId: 'eve' })).status).toBe(201);
      const causes = (await history(showId, seat)).body.map((entry: { cause: string; userId: string }) => `${entry.cause} ${entry.userId}`);
      expect(causes).toEqual(['hold dan', 'expiry dan', 'hold eve']);
    });

    it('answers 404 for an unknown show, an unknown seat and a seat of another show', async () => {
      const { showId, map } = await api.createShow(venue);
      const other = await api.createShow(venue);
      expect((await history('no-such-show', map.seats[0].id)).body.code).toBe('SHOW_NOT_FOUND');
      expect((await history(showId, 'no-such-seat')).body.code).toBe('SEAT_NOT_FOUND');
      const foreign = await history(showId, other.map.seats[0].id);
      expect(foreign.status).toBe(404);
      expect(foreign.body.code).toBe('SEAT_NOT_FOUND');
      expect((await api.admin('GET', '/api/admin/shows/no-such-show/report')).status).toBe(404);
      expect((await api.get(`/api/admin/shows/${showId}/report`)).status).toBe(401);
    });

    it('reports the sale by status, category and section (the floor as a section) with revenue at booking prices', async () => {
      const { showId, map } = await api.createShow(venue);
      const ids = map.seats.map((seat: { id: string }) => seat.id);
      // Book A1 A2 (std) and C1 (vip) and 3 floor places; hold B1; block C4.
      const buy = async (userId: string, seatIds: string[]) => {
        expect((await api.post('/api/seats/hold-bulk', { seatIds, userId })).status).toBe(201);
        expect((await api.post('/api/seats/book-bulk', { seatIds, userId })).status).toBe(201);
      };
      await buy('fay', [ids[0], ids[1], ids[8]]);
      const floor = await api.post('/api/seats/hold-best', { showId, userId: 'gus', quantity: 3, sections: ['floor'] });
      expect((await api.post('/api/seats/book-bulk', { seatIds: floor.body.seatIds, userId: 'gus' })).status).toBe(201);
      expect((await api.post('/api/seats/hold-bulk', { seatIds: [ids[4]], userId: 'hal' }, {})).status).toBe(201);
      expect((await api.admin('POST', `/api/admin/shows/${showId}/block`, { seatIds: [ids[11]] })).status).toBe(200);

      const reply = await api.admin('GET', `/api/admin/shows/${showId}/report`);
      expect(reply.status).toBe(200);
      const status = (await api.get(`/api/seats/${showId}/status`)).body;
      expect(reply.body.version).toBe(status.version);
      const eur = (amount: number) => ({ amount, currency: 'EUR' });
      expect(reply.body).toMatchObject({
        showId,
        totals: { available: 14, held: 1, booked: 6, blocked: 1 },
        byCategory: [
          { key: 'std', label: 'Standard', available: 5, held: 1, booked: 2, blocked: 0, revenue: eur(4000) },
          { key: 'vip', label: 'VIP', available: 2, held: 0, booked: 1, blocked: 1, revenue: eur(5000) },
          { key: 'ga', label: 'Standing', available: 7, held: 0, booked: 3, blocked: 0, revenue: eur(4500) },
        ],
        bySection: [
          { key: 'stalls', label: 'Stalls', available: 5, held: 1, booked: 2, blocked: 0, revenue: eur(4000) },
          { key: 'circle', label: 'Circle', available: 2, held: 0, booked: 1, blocked: 1, revenue: eur(5000) },
          { key: 'floor', label: 'Floor', available: 7, held: 0, booked: 3, blocked: 0, revenue: eur(4500) },
        ],
      });
      // Nothing booked yet: zero in the category's currency.
      const fresh = await api.createShow(venue);
      const empty = (await api.admin('GET', `/api/admin/shows/${fresh.showId}/report`)).body;
      expect(empty.totals).toEqual({ available: 22, held: 0, booked: 0, blocked: 0 });
      expect(empty.byCategory[0].revenue).toEqual(eur(0));
    });
  });
});
