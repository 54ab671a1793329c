import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';
import { report } from './support/report.js';

const BEST = '/api/seats/hold-best';

/** Two rows of 4 seats and a standing floor of `capacity` places. */
const withFloor = (capacity: number, limits: Record<string, number> = {}) => ({
  title: 'Standing floor',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  limits,
  categories: [
    { key: 'seated', price: { amount: 4000, currency: 'EUR' } },
    { key: 'ga', label: 'General admission', price: { amount: 2500, currency: 'EUR' } },
  ],
  sections: [
    {
      key: 'stand',
      rows: [
        { label: 'A', seats: 4, category: 'seated' },
        { label: 'B', seats: 4, category: 'seated' },
      ],
    },
  ],
  areas: [{ key: 'floor', label: 'Floor', category: 'ga', capacity }],
});

const counts = (capacity: number, held: number, booked: number) => ({ capacity, available: capacity - held - booked, held, booked });

describe.each(backends)('general-admission areas on $name', (backend) => {
  let api: Harness;
  let other: Harness | undefined;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend, { HOLD_TTL_SECONDS: '2' });
    if (backend.name !== 'dev') other = await Harness.alongside(api);
  });
  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  describe.skipIf(!backend.available)('a standing floor', () => {
    it('is listed with its capacity, not its places, and counted in the status part and the show list', async () => {
      const { showId, map } = await api.createShow(withFloor(30));
      expect(map.seats).toHaveLength(8);
      expect(map.sections).toEqual([{ key: 'stand', label: 'stand' }]);
      expect(map.areas).toEqual([{ key: 'floor', label: 'Floor', category: 'ga', capacity: 30, available: 30, held: 0, booked: 0 }]);
      const layout = (await api.get(`/api/seats/${showId}/layout`)).body;
      expect(layout.areas).toEqual([{ key: 'floor', label: 'Floor', category: 'ga', capacity: 30 }]);
      expect(layout.seats).toHaveLength(8);
      const status = (await api.get(`/api/seats/${showId}/status`)).body;
      expect(status.statuses).toBe('AAAAAAAA');
      expect(status.areas).toEqual({ floor: counts(30, 0, 0) });
      const listed = (await api.get('/api/seats/shows')).body.find((show: { id: string }) => show.id === showId);
      expect(listed).toMatchObject({ totalSeats: 38, availableSeats: 38 });
      // A show without areas lists none in its layout and status, and its full map is as before.
      const plain = await api.createShow({ ...withFloor(1), areas: undefined });
      expect((await api.get(`/api/seats/${plain.showId}/layout`)).body.areas).toEqual([]);
      expect((await api.get(`/api/seats/${plain.showId}/status`)).body.areas).toEqual({});
      expect(plain.map).not.toHaveProperty('areas');
    });

    it('sells places by quantity: held, extended, booked at the area price, released and cancelled like seats', async () => {
      const { showId } = await api.createShow(withFloor(30));
      const hold = await api.post(BEST, { showId, userId: 'fan', quantity: 3, sections: ['floor'] });
      expect(hold.status).toBe(201);
      expect(hold.body).toMatchObject({ showId, userId: 'fan', together: true });
      const places: string[] = hold.body.seatIds;
      expect(places).toHaveLength(3);
      for (const id of places) expect(id).toMatch(new RegExp(`^${showId}_floor_\\d+$`));
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(30, 3, 0));
      // Not in the full map, which still counts them.
      const map = (await api.get(`/api/seats/${showId}`)).body;
      expect(map.seats.some((seat: { id: string }) => places.includes(seat.id))).toBe(false);
      expect(map.areas[0]).toMatchObject({ available: 27, held: 3, booked: 0 });

      const extended = await api.post('/api/seats/extend-bulk', { seatIds: places, userId: 'fan', seconds: 60 });
      expect(extended.status).toBe(200);
      const released = await api.post('/api/seats/release-bulk', { seatIds: [places[2]], userId: 'fan' });
      expect(released.status).toBe(200);
      const booking = await api.post('/api/seats/book-bulk', { seatIds: places.slice(0, 2), userId: 'fan' });
      expect(booking.status).toBe(201);
      expect(booking.body.seats).toEqual(
        places.slice(0, 2).map((seatId) => ({
          seatId,
          label: seatId.slice(seatId.lastIndexOf('_') + 1),
          section: 'floor',
          category: 'ga',
          price: { amount: 2500, currency: 'EUR' },
        })),
      );
      expect(booking.body.total).toEqual({ amount: 5000, currency: 'EUR' });
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(30, 0, 2));

      const cancelled = await api.post(`/api/bookings/${booking.body.bookingId}/cancel`, { userId: 'fan', seatIds: [places[0]] });
      expect(cancelled.status).toBe(200);
      const status = (await api.get(`/api/seats/${showId}/status`)).body;
      expect(status.areas.floor).toEqual(counts(30, 0, 1));
      expect(status.statuses).toBe('AAAAAAAA');
    });

    it('lets a hold of places expire like a hold of seats', async () => {
      const { showId } = await api.createShow(withFloor(5));
      const hold = await api.post(BEST, { showId, userId: 'fan', quantity: 2, sections: ['floor'] });
      expect(hold.status).toBe(201);
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(5, 2, 0));
      await new Promise((resolve) => setTimeout(resolve, 2500));
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(5, 0, 0));
      const late = await api.post('/api/seats/book-bulk', { seatIds: hold.body.seatIds, userId: 'fan' });
      expect(late.status).toBe(409);
    });

    it('is chosen only when named, and never sells more than its capacity', async () => {
      const { showId } = await api.createShow(withFloor(4));
      // Eight seats: a request for nine without `sections` does not spill onto the floor.
      const seatsOnly = await api.post(BEST, { showId, userId: 'fan', quantity: 9 });
      expect(seatsOnly.status).toBe(409);
      expect(seatsOnly.body.code).toBe('NOT_ENOUGH_SEATS');
      const tooMany = await api.post(BEST, { showId, userId: 'fan', quantity: 5, sections: ['floor'] });
      expect(tooMany.status).toBe(409);
      expect(tooMany.body.code).toBe('NOT_ENOUGH_SEATS');
      const seats = await api.post(BEST, { showId, userId: 'fan', quantity: 2, categories: ['seated'] });
      expect(seats.body.seatIds.every((id: string) => id.split('_').length === 4)).toBe(true);
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(4, 0, 0));
    });

    it('40 simultaneous buyers of one place on a 30-place area: exactly 30 get one, no place twice', async () => {
      const { showId } = await api.createShow(withFloor(30));
      const started = performance.now();
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (i % 2 === 1 && other ? other : api).post(BEST, { showId, userId: `fan-${i}`, quantity: 1, sections: ['floor'] }),
        ),
      );
      const ms = performance.now() - started;
      const won = replies.filter((reply) => reply.status === 201);
      expect(won).toHaveLength(30);
      expect(replies.filter((reply) => reply.status === 409).map((reply) => reply.body.code)).toEqual(Array(10).fill('NOT_ENOUGH_SEATS'));
      expect(new Set(won.flatMap((reply) => reply.body.seatIds)).size).toBe(30);
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(30, 30, 0));
      const booked = await Promise.all(
        won.map((reply) => api.post('/api/seats/book-bulk', { seatIds: reply.body.seatIds, userId: reply.body.userId })),
      );
      expect(booked.every((reply) => reply.status === 201)).toBe(true);
      expect((await api.get(`/api/seats/${showId}/status`)).body.areas.floor).toEqual(counts(30, 0, 30));
      report(
        `[${backend.name}] 40 simultaneous buyers of one place on a 30-place area${other ? ' over two instances' : ''}: 30 sold in ${Math.round(ms)} ms`,
      );
    });

    it('refuses an area that repeats a key, names an unknown category or has no places, naming it', async () => {
      const refused = async (areas: unknown[]) => {
        const reply = await api.admin('POST', '/api/admin/shows', { ...withFloor(1), areas });
        expect(reply.status).toBe(400);
        return reply.body.detail as string;
      };
      expect(await refused([{ key: 'stand', capacity: 10 }])).toMatch(/areas\[0\]: key "stand" is already used by a section or an area/);
      expect(await refused([{ key: 'pit', capacity: 10, category: 'nope' }])).toMatch(/areas\[0\]: unknown category "nope"/);
      expect(await refused([{ key: 'pit', capacity: 0 }])).toMatch(/areas\[0\]\.capacity must be an integer from 1 to 100000/);
      expect(await refused([{ key: 'pit', capacity: 99_999 }])).toMatch(/at most 100000 seats and places; areas\[0\] goes past that/);
    });
  });
});
