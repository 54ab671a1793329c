import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness } from './support/harness.js';

const HOLD = '/api/seats/hold-bulk';
const block = (showId: string) => `/api/admin/shows/${showId}/block`;
const unblock = (showId: string) => `/api/admin/shows/${showId}/unblock`;

describe.each(backends)('house holds on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  const statusOf = async (showId: string) => {
    const reply = await api.get(`/api/seats/${showId}/status`);
    return reply.body.statuses as string;
  };

  describe.skipIf(!backend.available)('blocking and unblocking seats', () => {
    it('blocks free seats: X in the status part, BLOCKED in the map and in events, not counted free', async () => {
      const { showId, seatIds } = await api.newShow(1, 5);
      const watcher = await api.seatsClient();
      await watcher.subscribe(showId);
      const reply = await api.admin('POST', block(showId), { seatIds: seatIds.slice(0, 2), reason: 'sponsor' });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ showId, blocked: seatIds.slice(0, 2) });
      expect(await statusOf(showId)).toBe('XXAAA');
      const map = await api.get(`/api/seats/${showId}`);
      expect(map.body.seats.slice(0, 3).map((seat: { status: string }) => seat.status)).toEqual(['BLOCKED', 'BLOCKED', 'AVAILABLE']);
      await watcher.waitFor(seatIds[1], 'BLOCKED');
      const show = (await api.get('/api/seats/shows')).body.find((s: { id: string }) => s.id === showId);
      expect(show.availableSeats).toBe(3);
    });

    it('refuses holds of blocked seats with reason BLOCKED, and holds nothing of the request', async () => {
      const { showId, seatIds } = await api.newShow(1, 4);
      expect((await api.admin('POST', block(showId), { seatIds: [seatIds[0]] })).status).toBe(200);
      const hold = await api.post(HOLD, { seatIds: [seatIds[0], seatIds[1]], userId: 'fan' });
      expect(hold.status).toBe(409);
      expect(hold.body.conflicts).toEqual([{ seatId: seatIds[0], reason: 'BLOCKED' }]);
      expect(await statusOf(showId)).toBe('XAAA');
      // The free seat of the refused request can be held at once: its lock went with the refusal.
      expect((await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'other' })).status).toBe(201);
    });

    it('blocks all or nothing: a held or sold seat in the request is a 409 naming it, and nothing changes', async () => {
      const { showId, seatIds } = await api.newShow(1, 4);
      expect((await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'fan' })).status).toBe(201);
      const refused = await api.admin('POST', block(showId), { seatIds: [seatIds[0], seatIds[1]] });
      expect(refused.status).toBe(409);
      expect(refused.body.conflicts).toEqual([{ seatId: seatIds[1], reason: 'HELD' }]);
      expect(await statusOf(showId)).toBe('AHAA');
      expect((await api.admin('POST', block(showId), { seatIds: [seatIds[2]] })).status).toBe(200);
      const again = await api.admin('POST', block(showId), { seatIds: [seatIds[2]] });
      expect(again.status).toBe(409);
      expect(again.body.conflicts).toEqual([{ seatId: seatIds[2], reason: 'BLOCKED' }]);
    });

    it('unblocks blocked seats only, back on sale and pushed; seats of another show are not found', async () => {
      const { showId, seatIds } = await api.newShow(1, 3);
      const other = await api.newShow(1, 1);
      await api.admin('POST', block(showId), { seatIds: [seatIds[0]] });
      const notBlocked = await api.admin('POST', unblock(showId), { seatIds: [seatIds[0], seatIds[1]] });
      expect(notBlocked.status).toBe(409);
      expect(notBlocked.body.conflicts).toEqual([{ seatId: seatIds[1], reason: 'NOT_BLOCKED' }]);
      expect(await statusOf(showId)).toBe('XAA');
      const foreign = await api.admin('POST', block(showId), { seatIds: other.seatIds });
      expect(foreign.status).toBe(409);
      expect(foreign.body.conflicts).toEqual([{ seatId: other.seatIds[0], reason: 'NOT_FOUND' }]);
      const watcher = await api.seatsClient();
      await watcher.subscribe(showId);
      expect(await api.admin('POST', unblock(showId), { seatIds: [seatIds[0]] })).toMatchObject({
        status: 200,
        body: { showId, unblocked: [seatIds[0]] },
      });
      await watcher.waitFor(seatIds[0], 'AVAILABLE');
      expect(await statusOf(showId)).toBe('AAA');
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'fan' })).status).toBe(201);
    });

    it('needs the admin token and a valid body', async () => {
      const { showId, seatIds } = await api.newShow(1, 1);
      expect((await api.post(block(showId), { seatIds })).status).toBe(401);
      const invalid = await api.admin('POST', block(showId), { seatIds: [], colour: 'red' });
      expect(invalid.status).toBe(400);
      expect(invalid.body.detail).toMatch(/^seatIds must have at least 1 item\./);
      expect(await statusOf(showId)).toBe('A');
    });

    it('lets a show with blocked seats and nothing sold be deleted', async () => {
      const { showId, seatIds } = await api.newShow(1, 2);
      await api.admin('POST', block(showId), { seatIds: [seatIds[0]] });
      expect((await api.admin('DELETE', `/api/admin/shows/${showId}`)).status).toBe(204);
      expect((await api.get(`/api/seats/${showId}`)).status).toBe(404);
    });
  });
});
