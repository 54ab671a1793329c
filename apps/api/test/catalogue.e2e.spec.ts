import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';
import { report } from './support/report.js';

const SHOWS = '/api/admin/shows';
const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';

/** The contract's example show. */
const EXAMPLE = {
  title: 'Neon Nights',
  venue: 'Harbour Arena',
  startsAt: '2027-03-14T19:30:00Z',
  salesOpenAt: '2026-01-10T09:00:00Z',
  salesCloseAt: '2027-03-14T19:00:00Z',
  limits: { perOrder: 8, perCustomer: 8 },
  categories: [{ key: 'stalls', label: 'Stalls', price: { amount: 4500, currency: 'EUR' } }],
  sections: [
    {
      key: 'floor',
      label: 'Floor',
      rows: [
        { label: 'A', seats: 20, category: 'stalls' },
        { label: 'AA', seats: ['1', '2', '2A', '3'], category: 'stalls' },
      ],
    },
  ],
};

/** A small show on sale now, with the given limits. */
const onSale = (limits: Record<string, unknown> = {}, rows = 2, seats = 10) => ({
  title: 'On sale',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  limits,
  categories: [{ key: 'std', price: { amount: 1000, currency: 'EUR' } }],
  sections: [
    { key: 'main', rows: Array.from({ length: rows }, (_, r) => ({ label: String.fromCharCode(65 + r), seats, category: 'std' })) },
  ],
});

describe.each(backends)('catalogue (admin API) on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  const showIds = async () => (await api.get('/api/seats/shows')).body.map((show: { id: string }) => show.id);

  describe.skipIf(!backend.available)('creating shows', () => {
    it('refuses without the admin token, or with a wrong one, and creates nothing', async () => {
      const before = await showIds();
      const attempts: Record<string, string>[] = [
        {},
        { authorization: 'Bearer wrong-token-wrong-token-wrong-token' },
        { authorization: `Basic ${api.config.admin!.token}` },
      ];
      for (const headers of attempts) {
        const reply = await api.request('POST', SHOWS, JSON.stringify({ ...EXAMPLE, id: 'sneaky' }), headers);
        expect(reply.status).toBe(401);
        expect(reply.headers.get('www-authenticate')).toBe('Bearer');
        expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
      expect((await api.request('DELETE', `${SHOWS}/neon-nights`)).status).toBe(401);
      expect((await api.request('PATCH', `${SHOWS}/neon-nights`, '{"title":"x"}')).status).toBe(401);
      expect(await showIds()).toEqual(before);
    });

    it('creates the example show: sections, categories, prices, labels and layout order', async () => {
      const reply = await api.admin('POST', SHOWS, { ...EXAMPLE, id: 'neon-nights-2027' });
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        id: 'neon-nights-2027',
        title: 'Neon Nights',
        venue: 'Harbour Arena',
        startsAt: '2027-03-14T19:30:00.000Z',
        salesOpenAt: '2026-01-10T09:00:00.000Z',
        salesCloseAt: '2027-03-14T19:00:00.000Z',
        limits: { perOrder: 8, perCustomer: 8 },
        totalSeats: 24,
        availableSeats: 24,
      });
      expect((await api.get('/api/seats/shows')).body).toContainEqual(reply.body);

      const map = (await api.get('/api/seats/neon-nights-2027')).body;
      expect(map.sections).toEqual([{ key: 'floor', label: 'Floor' }]);
      expect(map.categories).toEqual([{ key: 'stalls', label: 'Stalls', price: { amount: 4500, currency: 'EUR' } }]);
      expect(map.seats.map((seat: { label: string }) => seat.label)).toEqual([
        ...Array.from({ length: 20 }, (_, i) => `A${i + 1}`),
        'AA1',
        'AA2',
        'AA2A',
        'AA3',
      ]);
      expect(map.seats[22]).toEqual({
        id: expect.stringMatching(/^[A-Za-z0-9._~-]{1,128}$/),
        label: 'AA2A',
        row: 'AA',
        number: 3,
        section: 'floor',
        category: 'stalls',
        status: 'AVAILABLE',
        holdExpiresAt: null,
      });
      expect(new Set(map.seats.map((seat: { id: string }) => seat.id)).size).toBe(24);
    });

    it('generates an id when none is given, and refuses a taken or reserved one', async () => {
      const made = await api.admin('POST', SHOWS, { ...EXAMPLE, title: 'Spring Gala!' });
      expect(made.status).toBe(201);
      expect(made.body.id).toMatch(/^spring-gala-[a-z0-9]+$/);
      const taken = await api.admin('POST', SHOWS, { ...EXAMPLE, id: made.body.id });
      expect(taken.status).toBe(409);
      expect(taken.body.code).toBe('SHOW_EXISTS');
      expect((await api.admin('POST', SHOWS, { ...EXAMPLE, id: 'shows' })).status).toBe(400);
    });

    it('applies the defaults: sales open now, close at the start, 50 per order, no per-customer limit', async () => {
      const { salesOpenAt, salesCloseAt, limits, ...layout } = EXAMPLE;
      const before = Date.now();
      const reply = await api.admin('POST', SHOWS, layout);
      expect(reply.status).toBe(201);
      expect(Date.parse(reply.body.salesOpenAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(reply.body.salesOpenAt)).toBeLessThanOrEqual(Date.now() + 1000);
      expect(reply.body.salesCloseAt).toBe('2027-03-14T19:30:00.000Z');
      expect(reply.body.limits).toEqual({ perOrder: 50, perCustomer: null });
    });

    const invalid: [string, (show: any) => void, RegExp][] = [
      ['a duplicate section key', (s) => s.sections.push({ ...s.sections[0] }), /sections\[1\].*duplicate section key "floor"/],
      [
        'a duplicate row label',
        (s) => s.sections[0].rows.push({ label: 'A', seats: 2 }),
        /sections\[0\]\.rows\[2\] \("A"\): duplicate row label/,
      ],
      ['a duplicate seat label', (s) => (s.sections[0].rows[1].seats = ['1', '2', '1']), /rows\[1\] \("AA"\): duplicate seat label "1"/],
      ['an unknown category', (s) => (s.sections[0].rows[0].category = 'vip'), /rows\[0\] \("A"\): unknown category "vip"/],
      ['a row without seats (0)', (s) => (s.sections[0].rows[0].seats = 0), /rows\[0\] \("A"\): a row needs at least one seat/],
      ['a row without seats ([])', (s) => (s.sections[0].rows[1].seats = []), /rows\[1\] \("AA"\): a row needs at least one seat/],
      ['a section without rows', (s) => (s.sections[0].rows = []), /sections\[0\]\.rows must have at least 1 item/],
      ['no sections', (s) => (s.sections = []), /sections must have at least 1 item/],
      ['a bad instant', (s) => (s.startsAt = '14/03/2027'), /startsAt must be an ISO 8601 instant/],
      ['a local time', (s) => (s.salesOpenAt = '2027-01-10T09:00:00'), /salesOpenAt must be an ISO 8601 instant/],
      ['salesCloseAt before salesOpenAt', (s) => (s.salesCloseAt = '2026-01-01T00:00:00Z'), /salesCloseAt .* must be after salesOpenAt/],
      ['salesCloseAt equal to salesOpenAt', (s) => (s.salesCloseAt = s.salesOpenAt), /must be after salesOpenAt/],
      ['perOrder below 1', (s) => (s.limits.perOrder = 0), /limits\.perOrder must be an integer from 1/],
      ['perCustomer below 1', (s) => (s.limits.perCustomer = -3), /limits\.perCustomer must be an integer from 1/],
      [
        'more than 100,000 seats',
        (s) => s.sections[0].rows.push({ label: 'B', seats: 99_990 }),
        /at most 100000 seats; sections\[0\]\.rows\[2\] \("B"\)/,
      ],
      [
        'an unknown currency',
        (s) => (s.categories[0].price.currency = 'XYZ'),
        /categories\[0\]\.price\.currency "XYZ" is not an ISO 4217 currency/,
      ],
      ['a negative price', (s) => (s.categories[0].price.amount = -1), /categories\[0\]\.price\.amount must be an integer from 0/],
      ['a fractional price', (s) => (s.categories[0].price.amount = 45.5), /price\.amount must be an integer/],
      ['a row label with a control character', (s) => (s.sections[0].rows[0].label = 'A\u0007'), /rows\[0\]\.label must be 1 to 8 letters/],
      ['a 10 KB title', (s) => (s.title = 'x'.repeat(10_240)), /title may be at most 200 characters/],
      ['a 10 KB seat label', (s) => (s.sections[0].rows[1].seats = ['y'.repeat(10_240)]), /rows\[1\] \("AA"\)\.seats\[0\] must be 1 to 8/],
      ['a seat label with "_"', (s) => (s.sections[0].rows[1].seats = ['1_2']), /seats\[0\] must be 1 to 8 letters/],
      ['a bad show id', (s) => (s.id = 'Neon Nights'), /^id must be 1 to 64 of a-z/],
      ['a bad section key', (s) => (s.sections[0].key = 'Floor A'), /sections\[0\]\.key must be 1 to 32/],
      [
        'seats of the wrong type',
        (s) => (s.sections[0].rows[0].seats = '20'),
        /rows\[0\] \("A"\)\.seats must be a number of seats or a list/,
      ],
      ['an unknown property', (s) => (s.colour = 'red'), /unknown property "colour"/],
      ['rows that are not an array', (s) => (s.sections[0].rows = { label: 'A' }), /sections\[0\]\.rows must be an array/],
      ['a missing title', (s) => delete s.title, /title must be a non-empty string/],
    ];

    it.each(invalid)('refuses %s with a 400 naming it, and creates nothing', async (_name, spoil, detail) => {
      const show = structuredClone({ ...EXAMPLE, id: 'invalid-show' }) as any;
      spoil(show);
      const reply = await api.admin('POST', SHOWS, show);
      expect(reply.status).toBe(400);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.body.detail).toMatch(detail);
      expect(await showIds()).not.toContain('invalid-show');
    });

    it('takes admin bodies up to 1 MiB (buyers stay at 64 KiB) and refuses bigger ones with 413', async () => {
      const labels = Array.from({ length: 9_000 }, (_, i) => `S${i}`);
      const big = {
        ...EXAMPLE,
        id: 'big-body',
        sections: [{ key: 'hall', rows: ['A', 'B', 'C', 'D'].map((label) => ({ label, seats: labels })) }],
        categories: [],
      };
      expect(JSON.stringify(big).length).toBeGreaterThan(200 * 1024);
      expect((await api.admin('POST', SHOWS, big)).status).toBe(201);
      const tooBig = await api.admin('POST', SHOWS, { ...big, id: 'too-big', title: 'x'.repeat(1024 * 1024) });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.detail).toMatch(/1 MiB/);
      const buyer = await api.post(HOLD, { seatIds: ['x'], userId: 'u'.repeat(70 * 1024) });
      expect(buyer.status).toBe(413);
      expect(await showIds()).not.toContain('too-big');
    });

    it('creates a 100,000-seat show in one request, in seconds', async () => {
      const rows = Array.from({ length: 250 }, (_, r) => ({ label: `R${r + 1}`, seats: 400, category: 'std' }));
      const started = performance.now();
      const reply = await api.admin('POST', SHOWS, { ...onSale(), id: 'stadium', sections: [{ key: 'bowl', rows }] });
      const ms = performance.now() - started;
      expect(reply.status).toBe(201);
      expect(reply.body.totalSeats).toBe(100_000);
      report(`[${backend.name}] created a 100,000-seat show in ${Math.round(ms)} ms`);
      const map = (await api.get('/api/seats/stadium')).body;
      expect(map.seats).toHaveLength(100_000);
      expect(map.seats[99_999]).toMatchObject({ label: 'R250400', row: 'R250', number: 400 });
    }, 120_000);
  });

  describe.skipIf(!backend.available)('changing and deleting shows', () => {
    it('patches title, times and limits; null puts a limit back to its default; the layout never changes', async () => {
      const { showId } = await api.createShow(EXAMPLE);
      const patched = await api.admin('PATCH', `${SHOWS}/${showId}`, {
        title: 'Neon Nights (extra date)',
        limits: { perOrder: null, perCustomer: 2 },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ title: 'Neon Nights (extra date)', limits: { perOrder: 50, perCustomer: 2 }, totalSeats: 24 });
      expect((await api.admin('PATCH', `${SHOWS}/${showId}`, { limits: { perCustomer: null } })).body.limits).toEqual({
        perOrder: 50,
        perCustomer: null,
      });

      const closesFirst = await api.admin('PATCH', `${SHOWS}/${showId}`, { salesCloseAt: '2025-01-01T00:00:00Z' });
      expect(closesFirst.status).toBe(400);
      expect(closesFirst.body.detail).toMatch(/salesCloseAt .* must be after salesOpenAt/);
      for (const change of [
        { sections: [] },
        { id: 'other' },
        { colour: 'red' },
        { limits: { perOrder: 0 } },
        { startsAt: 'tomorrow' },
        [],
      ]) {
        expect((await api.admin('PATCH', `${SHOWS}/${showId}`, change)).status).toBe(400);
      }
      expect((await api.get('/api/seats/shows')).body.find((show: { id: string }) => show.id === showId).title).toBe(
        'Neon Nights (extra date)',
      );
      expect((await api.admin('PATCH', `${SHOWS}/no-such-show`, { title: 'x' })).status).toBe(404);
    });

    it('deletes a show whose seats were held before but no longer are: gone everywhere', async () => {
      const { showId, map } = await api.createShow(onSale());
      const seatId = map.seats[0].id;
      expect((await api.post(HOLD, { seatIds: [seatId], userId: 'alice' })).status).toBe(201);
      expect((await api.admin('DELETE', `${SHOWS}/${showId}`)).status).toBe(409);
      expect((await api.post(RELEASE, { seatIds: [seatId], userId: 'alice' })).status).toBe(200);

      expect((await api.admin('DELETE', `${SHOWS}/${showId}`)).status).toBe(204);
      expect(await showIds()).not.toContain(showId);
      expect((await api.get(`/api/seats/${showId}`)).status).toBe(404);
      // This instance had cached the seat's show: the seat is still unknown now.
      const hold = await api.post(HOLD, { seatIds: [seatId], userId: 'bob' });
      expect(hold.status).toBe(409);
      expect(hold.body.conflicts).toEqual([{ seatId, reason: 'NOT_FOUND' }]);
      expect((await api.admin('DELETE', `${SHOWS}/${showId}`)).status).toBe(404);
      // The id is free again, and the new show's seats are its own.
      const again = await api.admin('POST', SHOWS, { ...onSale(), id: showId });
      expect(again.status).toBe(201);
      expect((await api.post(HOLD, { seatIds: [seatId], userId: 'bob' })).status).toBe(201);
    });

    it('refuses to delete a show with a booking, even a cancelled one', async () => {
      const { showId, map } = await api.createShow(onSale());
      const seatIds = [map.seats[0].id];
      await api.post(HOLD, { seatIds, userId: 'alice' });
      const booking = await api.post(BOOK, { seatIds, userId: 'alice' });
      expect(booking.status).toBe(201);
      expect((await api.admin('DELETE', `${SHOWS}/${showId}`)).body.code).toBe('SHOW_HAS_BOOKINGS');
      await api.post(`/api/bookings/${booking.body.bookingId}/cancel`, { userId: 'alice' });
      const refused = await api.admin('DELETE', `${SHOWS}/${showId}`);
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('SHOW_HAS_BOOKINGS');
      expect(await showIds()).toContain(showId);
    });
  });

  describe.skipIf(!backend.available)('sales window and limits', () => {
    it('refuses holds before the sales open and from their close, holding nothing', async () => {
      const later = await api.createShow({ ...onSale(), salesOpenAt: '2029-01-01T00:00:00Z', startsAt: '2030-01-01T00:00:00Z' });
      const before = await api.post(HOLD, { seatIds: [later.map.seats[0].id], userId: 'alice' });
      expect(before.status).toBe(409);
      expect(before.body.code).toBe('SALES_CLOSED');
      const over = await api.createShow({ ...onSale(), salesOpenAt: '2020-01-01T00:00:00Z', salesCloseAt: '2021-01-01T00:00:00Z' });
      expect((await api.post(HOLD, { seatIds: [over.map.seats[0].id], userId: 'alice' })).body.code).toBe('SALES_CLOSED');
      for (const { showId } of [later, over]) {
        const seats = (await api.get(`/api/seats/${showId}`)).body.seats;
        expect(seats.every((seat: { status: string }) => seat.status === 'AVAILABLE')).toBe(true);
      }
    });

    it('lets a hold granted inside the window be booked after it closed', async () => {
      const { showId, map } = await api.createShow(onSale());
      const seatIds = [map.seats[0].id];
      expect((await api.post(HOLD, { seatIds, userId: 'alice' })).status).toBe(201);
      const closeNow = new Date(Date.now() - 1000).toISOString();
      expect((await api.admin('PATCH', `${SHOWS}/${showId}`, { salesCloseAt: closeNow })).status).toBe(200);
      expect((await api.post(HOLD, { seatIds: [map.seats[1].id], userId: 'alice' })).body.code).toBe('SALES_CLOSED');
      expect((await api.post(BOOK, { seatIds, userId: 'alice' })).status).toBe(201);
    });

    it('refuses a hold of more seats than perOrder', async () => {
      const { map } = await api.createShow(onSale({ perOrder: 3 }));
      const reply = await api.post(HOLD, { seatIds: map.seats.slice(0, 4).map((seat: { id: string }) => seat.id), userId: 'alice' });
      expect(reply.status).toBe(409);
      expect(reply.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: { kind: 'perOrder', max: 3 } });
      expect(
        (await api.post(HOLD, { seatIds: map.seats.slice(0, 3).map((seat: { id: string }) => seat.id), userId: 'alice' })).status,
      ).toBe(201);
    });

    it('counts held plus booked seats against perCustomer, never seats already held twice', async () => {
      const { map } = await api.createShow(onSale({ perCustomer: 4 }));
      const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
      expect((await api.post(HOLD, { seatIds: ids.slice(0, 2), userId: 'alice' })).status).toBe(201);
      expect((await api.post(BOOK, { seatIds: ids.slice(0, 2), userId: 'alice' })).status).toBe(201);
      expect((await api.post(HOLD, { seatIds: ids.slice(2, 4), userId: 'alice' })).status).toBe(201);
      // Re-holding seats she holds (plus nothing new) is fine; one more is not.
      expect((await api.post(HOLD, { seatIds: ids.slice(2, 4), userId: 'alice' })).status).toBe(201);
      const over = await api.post(HOLD, { seatIds: [ids[2], ids[4]], userId: 'alice' });
      expect(over.status).toBe(409);
      expect(over.body).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: { kind: 'perCustomer', max: 4 } });
      expect((await api.get(`/api/seats/${map.showId}`)).body.seats[4].status).toBe('AVAILABLE');
      // Other buyers have their own allowance; a release gives hers back.
      expect((await api.post(HOLD, { seatIds: ids.slice(4, 8), userId: 'bob' })).status).toBe(201);
      expect((await api.post(RELEASE, { seatIds: [ids[3]], userId: 'alice' })).status).toBe(200);
      expect((await api.post(HOLD, { seatIds: [ids[8]], userId: 'alice' })).status).toBe(201);
    });

    it('grants at most perCustomer of 30 simultaneous one-seat holds by one user', async () => {
      const { showId, map } = await api.createShow(onSale({ perCustomer: 5 }, 3, 10));
      const replies = await Promise.all(map.seats.map((seat: { id: string }) => api.post(HOLD, { seatIds: [seat.id], userId: 'greedy' })));
      const statuses = replies.map((reply) => reply.status);
      expect(statuses.filter((status) => status !== 201 && status !== 409)).toEqual([]);
      const granted = statuses.filter((status) => status === 201).length;
      expect(granted).toBeGreaterThanOrEqual(1);
      expect(granted).toBeLessThanOrEqual(5);
      for (const reply of replies.filter((r) => r.status === 409)) expect(reply.body.code).toBe('LIMIT_EXCEEDED');
      const held = (await api.get(`/api/seats/${showId}`)).body.seats.filter((seat: { status: string }) => seat.status === 'HELD');
      expect(held).toHaveLength(granted);
      report(`[${backend.name}] 30 simultaneous holds under perCustomer 5: ${granted} granted`);
    });
  });
});
