import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';
import { report } from './support/report.js';

const BEST = '/api/seats/hold-best';

/** A show on sale with rows A… of `perRow` seats; rows from `vipFrom` on are category "vip". */
const onSale = (rows: number, perRow: number, limits: Record<string, number> = {}, vipFrom = rows) => ({
  title: 'Best available',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  limits,
  categories: [
    { key: 'std', price: { amount: 1000, currency: 'EUR' } },
    { key: 'vip', price: { amount: 5000, currency: 'EUR' } },
  ],
  sections: [
    {
      key: 'main',
      rows: Array.from({ length: rows }, (_, r) => ({
        label: String.fromCharCode(65 + r),
        seats: perRow,
        category: r >= vipFrom ? 'vip' : 'std',
      })),
    },
  ],
});

describe.each(backends)('best available on $name', (backend) => {
  let api: Harness;
  let other: Harness | undefined;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend);
    if (backend.name !== 'dev') other = await Harness.alongside(api);
  });
  afterAll(async () => {
    await other?.close();
    await api?.close();
  });

  const labelsOf = (map: any, seatIds: string[]) => seatIds.map((id) => map.seats.find((seat: { id: string }) => seat.id === id).label);

  describe.skipIf(!backend.available)('hold-best', () => {
    it('holds the middle of the first row, then the next best block, never a seat twice', async () => {
      const { showId, map } = await api.createShow(onSale(2, 10));
      const first = await api.post(BEST, { showId, userId: 'fan-1', quantity: 2 });
      expect(first.status).toBe(201);
      expect(first.body).toMatchObject({ showId, userId: 'fan-1', together: true });
      expect(labelsOf(map, first.body.seatIds)).toEqual(['A5', 'A6']);
      const second = await api.post(BEST, { showId, userId: 'fan-2', quantity: 4 });
      expect(second.status).toBe(201);
      // A1–A4 fill the gap to A5 exactly (A7–A10 tie with them, and come later).
      expect(labelsOf(map, second.body.seatIds)).toEqual(['A1', 'A2', 'A3', 'A4']);
      const third = await api.post(BEST, { showId, userId: 'fan-3', quantity: 3 });
      // Three of A7–A10 would strand one: row B's middle instead.
      expect(labelsOf(map, third.body.seatIds)).toEqual(['B4', 'B5', 'B6']);
      const status = (await api.get(`/api/seats/${showId}/status`)).body.statuses;
      expect(status).toBe('HHHHHHAAAA' + 'AAAHHHAAAA');
    });

    it('40 simultaneous requests for 2 seats in 100 free seats (rows of 10) all get 201, each pair side by side', async () => {
      const { showId, map } = await api.createShow(onSale(10, 10));
      const started = performance.now();
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) => (i % 2 === 1 && other ? other : api).post(BEST, { showId, userId: `fan-${i}`, quantity: 2 })),
      );
      const ms = performance.now() - started;
      // A refusal's problem document says which (NOT_ENOUGH_SEATS, a conflict, …), should one come.
      expect(replies.filter((reply) => reply.status !== 201).map((reply) => reply.body)).toEqual([]);
      expect(replies.map((reply) => reply.status)).toEqual(Array(40).fill(201));
      const seats = replies.flatMap((reply) => reply.body.seatIds as string[]);
      expect(new Set(seats).size).toBe(80);
      for (const reply of replies) {
        const [a, b] = reply.body.seatIds.map((id: string) => map.seats.find((seat: { id: string }) => seat.id === id));
        expect(reply.body.together).toBe(true);
        expect(a.row).toBe(b.row);
        expect(Math.abs(a.number - b.number)).toBe(1);
      }
      report(
        `[${backend.name}] 40 simultaneous hold-best of 2 seats${other ? ' over two instances' : ''}: all 201 in ${Math.round(ms)} ms`,
      );
    });

    it('keeps to categories and sections, never picks blocked seats, and splits a group only when allowed', async () => {
      const { showId, map } = await api.createShow(onSale(2, 4, {}, 1));
      const block = await api.admin('POST', `/api/admin/shows/${showId}/block`, {
        seatIds: map.seats.slice(1, 3).map((seat: { id: string }) => seat.id),
      });
      expect(block.status).toBe(200);
      const vip = await api.post(BEST, { showId, userId: 'fan', quantity: 2, categories: ['vip'] });
      // B2–B3 would strand B1 and B4: B1–B2 leaves a pair.
      expect(labelsOf(map, vip.body.seatIds)).toEqual(['B1', 'B2']);
      expect((await api.post(BEST, { showId, userId: 'fan', quantity: 2, sections: ['balcony'] })).body.code).toBe('NOT_ENOUGH_SEATS');
      // Row A: A1 and A4 free, A2 A3 blocked.
      const apart = await api.post(BEST, { showId, userId: 'fan', quantity: 2, categories: ['std'], together: true });
      expect(apart.status).toBe(409);
      expect(apart.body.code).toBe('NOT_ENOUGH_SEATS');
      const split = await api.post(BEST, { showId, userId: 'fan', quantity: 2, categories: ['std'] });
      expect(split.status).toBe(201);
      expect(split.body.together).toBe(false);
      expect(labelsOf(map, split.body.seatIds).sort()).toEqual(['A1', 'A4']);
    });

    it('acts once per Idempotency-Key: a retry answers the same seats and holds nothing more', async () => {
      const { showId } = await api.createShow(onSale(1, 10));
      const key = `best-${showId}`;
      const first = await api.post(BEST, { showId, userId: 'fan', quantity: 2 }, { 'idempotency-key': key });
      const retry = await (other ?? api).post(BEST, { showId, userId: 'fan', quantity: 2 }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body.seatIds).toEqual(first.body.seatIds);
      expect((await api.get(`/api/seats/${showId}/status`)).body.statuses).toBe('AAAAHHAAAA');
    });

    it('applies the limits and the sales window like any hold, and knows no unknown show', async () => {
      const { showId } = await api.createShow(onSale(1, 10, { perOrder: 4 }));
      const tooMany = await api.post(BEST, { showId, userId: 'fan', quantity: 5 });
      expect(tooMany.status).toBe(409);
      expect(tooMany.body.code).toBe('LIMIT_EXCEEDED');
      expect((await api.post(BEST, { showId: 'no-such-show', userId: 'fan', quantity: 1 })).status).toBe(404);
      const invalid = await api.post(BEST, { showId, userId: 'fan', quantity: 0 });
      expect(invalid.status).toBe(400);
      expect(invalid.body.detail).toMatch(/^quantity must be an integer from 1 to 50/);
      expect((await api.get(`/api/seats/${showId}/status`)).body.statuses).toBe('AAAAAAAAAA');
    });
  });
});
