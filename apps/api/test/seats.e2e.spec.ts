import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { clusterBackend } from './support/redis-cluster-backend.js';
import { Harness } from './support/harness.js';

/** Every backend, and PostgreSQL with a local Redis Cluster. */
const withCluster = [...backends, clusterBackend];

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';

describe.each(withCluster)('seat API on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  const statusOf = async (showId: string, seatId: string) =>
    (await api.get(`/api/seats/${showId}`)).body.seats.find((seat: { id: string }) => seat.id === seatId);

  describe.skipIf(!backend.available)('reads', () => {
    it('lists the seeded demo shows with seat counts', async () => {
      const { status, body } = await api.get('/api/seats/shows');
      expect(status).toBe(200);
      const demo = body.filter((show: { id: string }) => !show.id.startsWith('test-'));
      expect(demo.length).toBeGreaterThanOrEqual(2);
      for (const show of demo) {
        expect(show).toMatchObject({ id: expect.any(String), title: expect.any(String), startsAt: expect.any(String) });
        expect(show.totalSeats).toBeGreaterThanOrEqual(100);
        expect(show.availableSeats).toBeLessThanOrEqual(show.totalSeats);
      }
    });

    it('serves a seat map with labelled rows and no holder identity', async () => {
      const first = (await api.get('/api/seats/shows')).body.find((show: { id: string }) => show.id === 'neon-nights');
      const { status, body } = await api.get(`/api/seats/${first.id}`);
      expect(status).toBe(200);
      expect(body.showId).toBe(first.id);
      expect(body.seats).toHaveLength(first.totalSeats);
      expect(body.seats[0]).toEqual({
        id: expect.any(String),
        label: 'A1',
        row: 'A',
        number: 1,
        section: expect.any(String),
        category: expect.any(String),
        status: 'AVAILABLE',
        holdExpiresAt: null,
      });
      expect(body.sections.map((section: { key: string }) => section.key)).toContain(body.seats[0].section);
    });

    it('answers 404 problem+json for an unknown show', async () => {
      const reply = await api.get('/api/seats/no-such-show');
      expect(reply.status).toBe(404);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.body).toMatchObject({ type: expect.any(String), title: 'Show not found', status: 404, detail: expect.any(String) });
    });

    it('reports live and ready', async () => {
      expect((await api.get('/health/live')).status).toBe(200);
      const ready = await api.get('/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.details).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    });
  });

  describe.skipIf(!backend.available)('holds', () => {
    it('holds seats for one user and shows them HELD with an expiry', async () => {
      const { showId, seatIds } = await api.newShow();
      const reply = await api.post(HOLD, { seatIds: seatIds.slice(0, 2), userId: 'alice' });
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        holdId: expect.any(String),
        userId: 'alice',
        showId,
        seatIds: seatIds.slice(0, 2),
        expiresAt: expect.any(String),
      });
      const expiresIn = Date.parse(reply.body.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(50_000);
      expect(expiresIn).toBeLessThanOrEqual(61_000);
      const seat = await statusOf(showId, seatIds[0]);
      expect(seat).toMatchObject({ status: 'HELD', holdExpiresAt: reply.body.expiresAt });
      expect(Object.keys(seat)).not.toContain('holdOwner');
    });

    it('refuses a seat held by another user with a HELD conflict', async () => {
      const { seatIds } = await api.newShow();
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' })).status).toBe(201);
      const reply = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' });
      expect(reply.status).toBe(409);
      expect(reply.body.conflicts).toEqual([{ seatId: seatIds[0], reason: 'HELD' }]);
    });

    it('is all-or-nothing: a conflict on one seat leaves the others untouched', async () => {
      const { showId, seatIds } = await api.newShow();
      await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'alice' });
      const reply = await api.post(HOLD, { seatIds: [seatIds[0], seatIds[1], seatIds[2]], userId: 'bob' });
      expect(reply.status).toBe(409);
      expect(reply.body.conflicts).toEqual([{ seatId: seatIds[1], reason: 'HELD' }]);
      expect((await statusOf(showId, seatIds[0])).status).toBe('AVAILABLE');
      expect((await statusOf(showId, seatIds[2])).status).toBe('AVAILABLE');
      // and no lock was left behind: a third user takes them at once
      expect((await api.post(HOLD, { seatIds: [seatIds[0], seatIds[2]], userId: 'carol' })).status).toBe(201);
    });

    it('never extends a hold: re-holding keeps the original expiry', async () => {
      const { seatIds } = await api.newShow();
      const first = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' });
      await new Promise((resolve) => setTimeout(resolve, 30));
      const again = await api.post(HOLD, { seatIds: [seatIds[0], seatIds[1]], userId: 'alice' });
      expect(again.status).toBe(201);
      expect(again.body.expiresAt).toBe(first.body.expiresAt);
    });

    it('refuses unknown seats with NOT_FOUND and seats of two shows with 400', async () => {
      const one = await api.newShow();
      const two = await api.newShow();
      const unknown = await api.post(HOLD, { seatIds: [one.seatIds[0], 'no-such-seat'], userId: 'alice' });
      expect(unknown.status).toBe(409);
      expect(unknown.body.conflicts).toEqual([{ seatId: 'no-such-seat', reason: 'NOT_FOUND' }]);
      const mixed = await api.post(HOLD, { seatIds: [one.seatIds[0], two.seatIds[0]], userId: 'alice' });
      expect(mixed.status).toBe(400);
      expect((await statusOf(one.showId, one.seatIds[0])).status).toBe('AVAILABLE');
    });
  });

  describe.skipIf(!backend.available)('bookings', () => {
    it('books held seats, then refuses to sell them again', async () => {
      const { showId, seatIds } = await api.newShow();
      const seats = seatIds.slice(0, 3);
      await api.post(HOLD, { seatIds: seats, userId: 'alice' });
      const booked = await api.post(BOOK, { seatIds: seats, userId: 'alice' });
      expect(booked.status).toBe(201);
      expect(booked.body).toEqual({
        bookingId: expect.any(String),
        userId: 'alice',
        showId,
        seatIds: seats,
        status: 'CONFIRMED',
        createdAt: expect.any(String),
        cancelledSeatIds: [],
        seats: seats.map((seatId, i) => ({ seatId, label: `A${i + 1}`, section: 'main', category: null, price: null })),
        total: null,
      });
      expect((await statusOf(showId, seats[0])).status).toBe('BOOKED');

      const again = await api.post(BOOK, { seatIds: seats, userId: 'alice' });
      expect(again.status).toBe(409);
      expect(again.body.conflicts.map((c: { reason: string }) => c.reason)).toEqual(['BOOKED', 'BOOKED', 'BOOKED']);
      const hold = await api.post(HOLD, { seatIds: [seats[0]], userId: 'bob' });
      expect(hold.status).toBe(409);
      expect(hold.body.conflicts).toEqual([{ seatId: seats[0], reason: 'BOOKED' }]);
    });

    it('refuses to book seats the user does not hold, and books none of the request', async () => {
      const { showId, seatIds } = await api.newShow();
      await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' });
      await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'bob' });
      const reply = await api.post(BOOK, { seatIds: [seatIds[0], seatIds[1], seatIds[2]], userId: 'alice' });
      expect(reply.status).toBe(409);
      expect(reply.body.conflicts).toEqual([
        { seatId: seatIds[1], reason: 'NOT_HELD_BY_YOU' },
        { seatId: seatIds[2], reason: 'NOT_HELD_BY_YOU' },
      ]);
      expect((await statusOf(showId, seatIds[0])).status).toBe('HELD');
    });
  });

  describe.skipIf(!backend.available)('releases', () => {
    it('releases held seats, which anyone may then hold', async () => {
      const { showId, seatIds } = await api.newShow();
      await api.post(HOLD, { seatIds: seatIds.slice(0, 2), userId: 'alice' });
      const reply = await api.post(RELEASE, { seatIds: seatIds.slice(0, 2), userId: 'alice' });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ userId: 'alice', showId, released: seatIds.slice(0, 2) });
      expect((await statusOf(showId, seatIds[0])).status).toBe('AVAILABLE');
      expect((await api.post(HOLD, { seatIds: seatIds.slice(0, 2), userId: 'bob' })).status).toBe(201);
    });

    it("is all-or-nothing: someone else's or a free seat releases nothing", async () => {
      const { showId, seatIds } = await api.newShow();
      await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' });
      await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'bob' });
      const reply = await api.post(RELEASE, { seatIds: [seatIds[0], seatIds[1], seatIds[2]], userId: 'alice' });
      expect(reply.status).toBe(409);
      expect(reply.body.conflicts).toEqual([
        { seatId: seatIds[1], reason: 'NOT_HELD_BY_YOU' },
        { seatId: seatIds[2], reason: 'NOT_HELD_BY_YOU' },
      ]);
      expect((await statusOf(showId, seatIds[0])).status).toBe('HELD');
      // alice's lock is intact too: bob still cannot take her seat
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' })).status).toBe(409);
    });
  });

  describe.skipIf(!backend.available)('input limits', () => {
    const ok = { seatIds: ['x-A1'], userId: 'alice' };
    const invalid: [string, unknown][] = [
      ['an empty seat list', { ...ok, seatIds: [] }],
      ['duplicate seats', { ...ok, seatIds: ['x-A1', 'x-A1'] }],
      ['51 seats', { ...ok, seatIds: Array.from({ length: 51 }, (_, i) => `x-${i}`) }],
      ['a non-string seat id', { ...ok, seatIds: [42] }],
      ['an empty seat id', { ...ok, seatIds: [''] }],
      ['seatIds not an array', { ...ok, seatIds: 'x-A1' }],
      ['a missing userId', { seatIds: ['x-A1'] }],
      ['an empty userId', { ...ok, userId: '' }],
      ['a 129-character userId', { ...ok, userId: 'u'.repeat(129) }],
      ['a numeric userId', { ...ok, userId: 7 }],
      ['an unknown property', { ...ok, extra: true }],
      ['a JSON array body', [ok]],
      ['a null body', 'null'],
    ];

    it.each(invalid)('answers 400 problem for %s, on every write endpoint', async (_, body) => {
      for (const path of [HOLD, BOOK, RELEASE]) {
        const reply = await api.post(path, body);
        expect(reply.status, `${path}`).toBe(400);
        expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(reply.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, detail: expect.any(String) });
      }
    });

    it('answers 400 for malformed JSON and 413 for a body over 64 KiB, writing nothing', async () => {
      const { showId, seatIds } = await api.newShow();
      expect((await api.post(HOLD, '{"seatIds": [')).status).toBe(400);
      const huge = JSON.stringify({ seatIds: [seatIds[0]], userId: 'alice', pad: 'x'.repeat(70_000) });
      const tooLarge = await api.post(HOLD, huge);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.body.status).toBe(413);
      expect((await statusOf(showId, seatIds[0])).status).toBe('AVAILABLE');
    });

    it('accepts exactly 50 seats', async () => {
      const { seatIds } = await api.newShow(5, 10);
      expect((await api.post(HOLD, { seatIds, userId: 'alice' })).status).toBe(201);
    });
  });
});

describe.each(withCluster)('short holds on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend, { HOLD_TTL_SECONDS: '1' });
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('refuses to book an expired hold, and frees the seat for others', async () => {
    const { showId, seatIds } = await api.newShow();
    await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' });
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const map = await api.get(`/api/seats/${showId}`);
    expect(map.body.seats[0]).toMatchObject({ status: 'AVAILABLE', holdExpiresAt: null });
    const late = await api.post(BOOK, { seatIds: [seatIds[0]], userId: 'alice' });
    expect(late.status).toBe(409);
    expect(late.body.conflicts).toEqual([{ seatId: seatIds[0], reason: 'EXPIRED' }]);
    expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' })).status).toBe(201);
  });
});

describe.each(withCluster)('long-lapsed holds on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('still reads and judges a seat whose hold lapsed 40 days ago', async () => {
    const { showId, seatIds } = await api.newShow();
    const { seats } = api.database.tables;
    // As the sweeper leaves it: free again, last owner and expiry kept.
    await api.database.transaction(async (tx) => {
      await tx
        .update(seats)
        .set({ status: 'AVAILABLE', holdOwner: 'alice', holdExpiresAt: new Date(Date.now() - 40 * 86_400_000) })
        .where(inArray(seats.id, [seatIds[0]]));
    });
    const map = await api.get(`/api/seats/${showId}`);
    expect(map.status).toBe(200);
    expect(map.body.seats[0]).toMatchObject({ status: 'AVAILABLE', holdExpiresAt: null });
    const late = await api.post(BOOK, { seatIds: [seatIds[0]], userId: 'alice' });
    expect(late.status).toBe(409);
    expect(late.body.conflicts).toEqual([{ seatId: seatIds[0], reason: 'EXPIRED' }]);
  });
});
