import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { clusterBackend } from './support/redis-cluster-backend.js';
import { Harness } from './support/harness.js';

/** Every backend, and PostgreSQL with a local Redis Cluster. */
const withCluster = [...backends, clusterBackend];

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';

const SHOW = {
  title: 'Bookings',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  limits: { perCustomer: 6 },
  categories: [
    { key: 'front', label: 'Front', price: { amount: 5000, currency: 'EUR' } },
    { key: 'back', label: 'Back', price: { amount: 3000, currency: 'EUR' } },
    { key: 'comp', label: 'Guest list', price: null },
  ],
  sections: [
    {
      key: 'hall',
      rows: [
        { label: 'A', seats: 4, category: 'front' },
        { label: 'B', seats: 4, category: 'back' },
        { label: 'C', seats: 2, category: 'comp' },
      ],
    },
  ],
};

/** Holds then books the seats for the user; returns the booking answer. */
async function buy(api: Harness, seatIds: string[], userId: string) {
  expect((await api.post(HOLD, { seatIds, userId })).status).toBe(201);
  const booked = await api.post(BOOK, { seatIds, userId });
  expect(booked.status).toBe(201);
  return booked.body;
}

describe.each(withCluster)('bookings on $name', (backend) => {
  let api: Harness;
  let seat: (label: string) => string;
  let showId: string;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend);
    const created = await api.createShow(SHOW);
    showId = created.showId;
    const byLabel = new Map(created.map.seats.map((s: { label: string; id: string }) => [s.label, s.id]));
    seat = (label) => byLabel.get(label) as string;
  });
  afterAll(async () => api?.close());

  const cancel = (bookingId: string, body: unknown, headers: Record<string, string> = {}) =>
    api.post(`/api/bookings/${bookingId}/cancel`, body, headers);

  describe.skipIf(!backend.available)('lookups', () => {
    it('answers a booking with its seats, prices at booking time and total', async () => {
      const booking = await buy(api, [seat('A1'), seat('B1')], 'alice');
      expect(booking).toEqual({
        bookingId: expect.any(String),
        userId: 'alice',
        showId,
        seatIds: [seat('A1'), seat('B1')],
        status: 'CONFIRMED',
        createdAt: expect.any(String),
        cancelledSeatIds: [],
        seats: [
          { seatId: seat('A1'), label: 'A1', section: 'hall', category: 'front', price: { amount: 5000, currency: 'EUR' } },
          { seatId: seat('B1'), label: 'B1', section: 'hall', category: 'back', price: { amount: 3000, currency: 'EUR' } },
        ],
        total: { amount: 8000, currency: 'EUR' },
      });
      const found = await api.get(`/api/bookings/${booking.bookingId}`);
      expect(found.status).toBe(200);
      expect(found.body).toEqual(booking);
      expect((await api.get('/api/bookings/no-such-booking')).status).toBe(404);
    });

    it('has no total when a seat has no price', async () => {
      const booking = await buy(api, [seat('C1'), seat('A2')], 'carol');
      expect(booking.seats.find((s: { label: string }) => s.label === 'C1').price).toBeNull();
      expect(booking.total).toBeNull();
    });

    it("lists a user's bookings, newest first, and nobody else's", async () => {
      const first = await buy(api, [seat('A3')], 'dave');
      await new Promise((resolve) => setTimeout(resolve, 5));
      const second = await buy(api, [seat('B3')], 'dave');
      const list = await api.get('/api/bookings?userId=dave');
      expect(list.status).toBe(200);
      expect(list.body.map((b: { bookingId: string }) => b.bookingId)).toEqual([second.bookingId, first.bookingId]);
      expect((await api.get('/api/bookings?userId=nobody-at-all')).body).toEqual([]);
      expect((await api.get('/api/bookings')).status).toBe(400);
      expect((await api.get('/api/bookings?userId=dave&extra=1')).status).toBe(400);
    });
  });

  describe.skipIf(!backend.available)('cancellation', () => {
    it('cancels some seats, then the rest; seats are free at once, pushed live, and can be sold again', async () => {
      const client = await api.seatsClient();
      await client.subscribe(showId);
      const booking = await buy(api, [seat('A4'), seat('B4')], 'erin');

      const partial = await cancel(booking.bookingId, { userId: 'erin', seatIds: [seat('A4')] });
      expect(partial.status).toBe(200);
      expect(partial.body).toMatchObject({
        status: 'CONFIRMED',
        seatIds: [seat('B4')],
        cancelledSeatIds: [seat('A4')],
        total: { amount: 3000, currency: 'EUR' },
      });
      await client.waitFor(seat('A4'), 'AVAILABLE');
      const map = (await api.get(`/api/seats/${showId}`)).body;
      expect(map.seats.find((s: { id: string }) => s.id === seat('A4')).status).toBe('AVAILABLE');

      // Someone else buys the cancelled seat; the old booking keeps its history.
      const resold = await buy(api, [seat('A4')], 'frank');
      expect(resold.seatIds).toEqual([seat('A4')]);
      expect((await api.get(`/api/bookings/${booking.bookingId}`)).body.cancelledSeatIds).toEqual([seat('A4')]);

      const rest = await cancel(booking.bookingId, { userId: 'erin' });
      expect(rest.status).toBe(200);
      expect(rest.body).toMatchObject({ status: 'CANCELLED', seatIds: [], seats: [], total: null });
      expect(rest.body.cancelledSeatIds.sort()).toEqual([seat('A4'), seat('B4')].sort());

      const again = await cancel(booking.bookingId, { userId: 'erin' });
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('BOOKING_CANCELLED');
      // The cancelled seat already sold again belongs to frank now.
      expect((await api.get(`/api/bookings/${resold.bookingId}`)).body.status).toBe('CONFIRMED');
    });

    it('cancels the rest when some of the seats asked for were cancelled already', async () => {
      const booking = await buy(api, [seat('B2'), seat('C2')], 'gina');
      expect((await cancel(booking.bookingId, { userId: 'gina', seatIds: [seat('B2')] })).status).toBe(200);
      const both = await cancel(booking.bookingId, { userId: 'gina', seatIds: [seat('B2'), seat('C2')] });
      expect(both.status).toBe(200);
      expect(both.body.status).toBe('CANCELLED');
    });

    it("refuses seats not in the booking, another user's booking, and unknown bookings, changing nothing", async () => {
      const booking = (await api.get('/api/bookings?userId=alice')).body[0];
      const foreign = await cancel(booking.bookingId, { userId: 'alice', seatIds: [seat('C2')] });
      expect(foreign.status).toBe(400);
      expect(foreign.body.detail).toContain(seat('C2'));
      const stranger = await cancel(booking.bookingId, { userId: 'mallory' });
      expect(stranger.status).toBe(403);
      expect((await cancel(booking.bookingId, {})).status).toBe(400);
      expect((await cancel('no-such-booking', { userId: 'alice' })).status).toBe(404);
      expect((await cancel(booking.bookingId, { userId: 'alice', seatIds: [] })).status).toBe(400);
      expect((await api.get(`/api/bookings/${booking.bookingId}`)).body.status).toBe('CONFIRMED');
    });

    it('needs an Idempotency-Key, and replays a retried cancellation instead of refusing it', async () => {
      const booking = await buy(api, [seat('B2')], 'hank');
      expect((await cancel(booking.bookingId, { userId: 'hank' }, { 'idempotency-key': null } as any)).status).toBe(400);
      const first = await cancel(booking.bookingId, { userId: 'hank' }, { 'idempotency-key': 'cancel-hank-1' });
      const retry = await cancel(booking.bookingId, { userId: 'hank' }, { 'idempotency-key': 'cancel-hank-1' });
      expect(first.status).toBe(200);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.raw).toBe(first.raw);
    });

    it("lets the admin token cancel anyone's booking without a userId", async () => {
      const booking = await buy(api, [seat('C2')], 'ivy');
      const headers = { authorization: `Bearer ${api.config.admin!.token}` };
      const mismatch = await cancel(booking.bookingId, { userId: 'someone-else' }, headers);
      expect(mismatch.status).toBe(403);
      const reply = await cancel(booking.bookingId, {}, { ...headers, 'idempotency-key': 'admin-cancel-1' });
      expect(reply.status).toBe(200);
      expect(reply.body.status).toBe('CANCELLED');
      // Its key is the owner's: the owner retrying with it gets the same answer.
      const owner = await cancel(booking.bookingId, {}, { ...headers, 'idempotency-key': 'admin-cancel-1' });
      expect(owner.headers.get('idempotent-replayed')).toBe('true');
    });

    it('gives a cancelled seat back to the per-customer allowance', async () => {
      const created = await api.createShow({ ...SHOW, limits: { perCustomer: 1 } });
      const id = created.map.seats[0].id;
      const other = created.map.seats[1].id;
      const booking = await buy(api, [id], 'jules');
      expect((await api.post(HOLD, { seatIds: [other], userId: 'jules' })).body.code).toBe('LIMIT_EXCEEDED');
      expect((await cancel(booking.bookingId, { userId: 'jules' })).status).toBe(200);
      expect((await api.post(HOLD, { seatIds: [other], userId: 'jules' })).status).toBe(201);
    });
  });
});

describe.each(withCluster)('bookings with authentication on, on $name', (backend) => {
  const SECRET = 'bookings-test-secret-0123456789abcdef';
  const token = (subject: string) =>
    new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setExpirationTime('5m').sign(new TextEncoder().encode(SECRET));
  let api: Harness;
  let bookingId: string;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend, { AUTH_JWT_SECRET: SECRET });
    const { map } = await api.createShow(SHOW);
    const auth = { authorization: `Bearer ${await token('kim')}` };
    const seatIds = [map.seats[0].id];
    expect((await api.post(HOLD, { seatIds, userId: 'kim' }, auth)).status).toBe(201);
    bookingId = (await api.post(BOOK, { seatIds, userId: 'kim' }, auth)).body.bookingId;
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('shows a booking only to its owner or the admin token', async () => {
    const as = async (bearer?: string) =>
      (await api.request('GET', `/api/bookings/${bookingId}`, undefined, bearer ? { authorization: `Bearer ${bearer}` } : {})).status;
    expect(await as(await token('kim'))).toBe(200);
    expect(await as(await token('lee'))).toBe(403);
    expect(await as(api.config.admin!.token)).toBe(200);
    expect(await as()).toBe(401);
    expect(await as('not-a-valid-token')).toBe(401);
    const list = async (userId: string, bearer: string) =>
      (await api.request('GET', `/api/bookings?userId=${userId}`, undefined, { authorization: `Bearer ${bearer}` })).status;
    expect(await list('kim', await token('kim'))).toBe(200);
    expect(await list('kim', await token('lee'))).toBe(403);
    expect(await list('kim', api.config.admin!.token)).toBe(200);
  });

  it.skipIf(!backend.available)("refuses to cancel with another user's token", async () => {
    const reply = await api.post(`/api/bookings/${bookingId}/cancel`, { userId: 'kim' }, { authorization: `Bearer ${await token('lee')}` });
    expect(reply.status).toBe(403);
    const owner = await api.post(`/api/bookings/${bookingId}/cancel`, { userId: 'kim' }, { authorization: `Bearer ${await token('kim')}` });
    expect(owner.status).toBe(200);
  });
});
