import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, realBackend } from './support/backends.js';
import { Harness } from './support/harness.js';
import { LiveClient } from './support/live-client.js';
import { report } from './support/report.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';

const onSale = (rows: number, seats: number) => ({
  title: 'Scale',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  categories: [{ key: 'std', price: { amount: 1000, currency: 'EUR' } }],
  sections: [{ key: 'bowl', rows: Array.from({ length: rows }, (_, r) => ({ label: `R${r + 1}`, seats, category: 'std' })) }],
});

/** A GET as a browser or fan sends it, with the raw bytes and headers. */
async function raw(api: Harness, path: string, headers: Record<string, string> = {}) {
  const response = await request(api.baseUrl + path, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  return { status: response.statusCode, headers: response.headers as Record<string, string>, body };
}

describe.each(backends)('seat maps at scale on $name', (backend) => {
  let api: Harness;
  let other: Harness;

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend);
    // Dev mode's database is in-process memory: a second instance would have a database of its own.
    other = backend.name === 'dev' ? api : await Harness.alongside(api);
  });
  afterAll(async () => {
    if (other !== api) await other?.close();
    await api?.close();
  });

  describe.skipIf(!backend.available)('HTTP', () => {
    it('serves ETag, 304 and gzip; any change moves the version and the ETag', async () => {
      const { showId, map } = await api.createShow(onSale(2, 10));
      const first = await raw(api, `/api/seats/${showId}`, { 'accept-encoding': 'gzip' });
      expect(first.status).toBe(200);
      expect(first.headers['content-encoding']).toBe('gzip');
      expect(first.headers['cache-control']).toBe('no-cache');
      expect(first.headers.etag).toMatch(/^W\/"\d+"$/);
      const body = JSON.parse(gunzipSync(first.body).toString());
      expect(body).toEqual({ ...(await api.get(`/api/seats/${showId}`)).body });
      expect(first.headers.etag).toBe(`W/"${body.version}"`);

      const unchanged = await raw(api, `/api/seats/${showId}`, { 'if-none-match': first.headers.etag });
      expect(unchanged.status).toBe(304);
      expect(unchanged.body.length).toBe(0);
      expect((await raw(api, `/api/seats/${showId}`, { 'if-none-match': `"x", ${first.headers.etag.slice(2)}` })).status).toBe(304);
      expect((await raw(api, `/api/seats/${showId}`)).headers['content-encoding']).toBeUndefined();

      const seatIds = [map.seats[0].id];
      let last = body.version;
      for (const [path, userId] of [
        [HOLD, 'a'],
        [RELEASE, 'a'],
        [HOLD, 'a'],
        [BOOK, 'a'],
      ] as const) {
        expect((await api.post(path, { seatIds, userId })).status).toBeLessThan(300);
        const after = await raw(api, `/api/seats/${showId}`, { 'if-none-match': first.headers.etag });
        expect(after.status).toBe(200);
        const version = JSON.parse(after.body.toString()).version;
        expect(version).toBeGreaterThan(last);
        last = version;
      }
      const booking = (await api.get('/api/bookings?userId=a')).body[0];
      await api.post(`/api/bookings/${booking.bookingId}/cancel`, { userId: 'a' });
      expect((await api.get(`/api/seats/${showId}`)).body.version).toBeGreaterThan(last);
    });

    it('keeps a 20,000-seat map small: gzip well under 600 KB for 50,000 seats in proportion', async () => {
      const { showId } = await api.createShow(onSale(50, 400));
      const plain = await raw(api, `/api/seats/${showId}`);
      const zipped = await raw(api, `/api/seats/${showId}`, { 'accept-encoding': 'gzip' });
      const perSeat = zipped.body.length / 20_000;
      report(
        `[${backend.name}] 20,000-seat map: ${Math.round(plain.body.length / 1024)} KB JSON, ${Math.round(zipped.body.length / 1024)} KB gzipped (${perSeat.toFixed(1)} B/seat → ${Math.round((perSeat * 50_000) / 1024)} KB for 50,000)`,
      );
      expect(perSeat * 50_000).toBeLessThan(600 * 1024);
    }, 60_000);

    it('reflects a write on another instance in the very next read', async () => {
      const { showId, map } = await api.createShow(onSale(1, 30));
      await other.get(`/api/seats/${showId}`); // the other instance caches the map
      for (let i = 0; i < 15; i++) {
        const seatId = map.seats[i].id;
        expect((await api.post(HOLD, { seatIds: [seatId], userId: 'ryw' })).status).toBe(201);
        const seen = (await other.get(`/api/seats/${showId}`)).body.seats.find((seat: { id: string }) => seat.id === seatId);
        expect(seen.status).toBe('HELD');
        expect((await api.post(RELEASE, { seatIds: [seatId], userId: 'ryw' })).status).toBe(200);
        const freed = (await other.get(`/api/seats/${showId}`)).body.seats.find((seat: { id: string }) => seat.id === seatId);
        expect(freed.status).toBe('AVAILABLE');
      }
    });

    it('lists shows from per-show counts that follow every change', async () => {
      const { showId, map } = await api.createShow(onSale(2, 5));
      const countOf = async (harness: Harness) =>
        (await harness.get('/api/seats/shows')).body.find((show: { id: string }) => show.id === showId);
      expect(await countOf(other)).toMatchObject({ totalSeats: 10, availableSeats: 10 });
      await api.post(HOLD, { seatIds: [map.seats[0].id, map.seats[1].id], userId: 'counter' });
      expect(await countOf(other)).toMatchObject({ totalSeats: 10, availableSeats: 8 });
      await api.post(RELEASE, { seatIds: [map.seats[0].id], userId: 'counter' });
      expect(await countOf(api)).toMatchObject({ availableSeats: 9 });
    });
  });

  describe.skipIf(!backend.available)('socket.io', () => {
    it('acknowledges with the version; a current version gets upToDate without the map', async () => {
      const { showId, map } = await api.createShow(onSale(1, 5));
      const client = await api.seatsClient();
      const ack = await client.subscribe(showId);
      expect(ack).toEqual((await api.get(`/api/seats/${showId}`)).body);
      const again = await client.socket.timeout(5000).emitWithAck('subscribe', { showId, version: ack.version });
      expect(again).toEqual({ showId, version: ack.version, upToDate: true });
      const changed = new Promise<any>((resolve) => client.socket.once('seats:changed', resolve));
      await api.post(HOLD, { seatIds: [map.seats[0].id], userId: 'v' });
      const event = await changed;
      expect(event.version).toBeGreaterThan(ack.version);
      // A client behind by a change gets that change (a delta), or the map from an instance that
      // started too recently to have heard every change since its version.
      const stale = await client.socket.timeout(5000).emitWithAck('subscribe', { showId, version: ack.version });
      expect(stale.version).toBe(event.version);
      if (stale.changes)
        expect(stale).toEqual({
          showId,
          version: event.version,
          since: ack.version,
          changes: [{ seatId: map.seats[0].id, status: 'HELD', holdExpiresAt: expect.any(String), version: event.version }],
        });
      else expect(stale.seats[0].status).toBe('HELD');
      const bad = await client.socket.timeout(5000).emitWithAck('subscribe', { showId, version: 'x' });
      expect(bad.error.code).toBe('INVALID_REQUEST');
    });

    it('limits a socket to 10 shows and 20 subscribes per 10 s, keeping it connected', async () => {
      const shows = await Promise.all(Array.from({ length: 11 }, () => api.createShow(onSale(1, 2))));
      const client = await api.seatsClient();
      for (const { showId } of shows.slice(0, 10)) expect((await client.subscribe(showId)).showId).toBe(showId);
      const eleventh = await client.subscribe(shows[10].showId);
      expect(eleventh.error.code).toBe('RATE_LIMITED');
      // Re-subscribing to a show it has adds no show.
      expect((await client.subscribe(shows[0].showId)).showId).toBe(shows[0].showId);
      await client.socket.timeout(5000).emitWithAck('unsubscribe', { showId: shows[0].showId });
      expect((await client.subscribe(shows[10].showId)).showId).toBe(shows[10].showId);
      // 13 subscribes so far: 7 more are allowed, then refused, and the socket stays open.
      const replies = [];
      for (let i = 0; i < 10; i++) replies.push(await client.subscribe(shows[1].showId));
      expect(replies.filter((reply) => reply.error?.code === 'RATE_LIMITED')).toHaveLength(3);
      expect(client.socket.connected).toBe(true);
      const { map } = shows[1];
      await api.post(HOLD, { seatIds: [map.seats[0].id], userId: 'still-listening' });
      await client.waitFor(map.seats[0].id, 'HELD');
    });

    it('turns a socket flooding subscribes away without slowing other buyers or growing without bound', async () => {
      const { showId, map } = await api.createShow(onSale(50, 400));
      const flooder = await api.seatsClient();
      const buyer = map.seats.slice(-5).map((seat: { id: string }) => seat.id);
      const rssBefore = process.memoryUsage().rss;
      const flood = Promise.all(Array.from({ length: 300 }, () => flooder.socket.timeout(30_000).emitWithAck('subscribe', { showId })));
      const started = performance.now();
      const hold = await api.post(HOLD, { seatIds: buyer, userId: 'patient-buyer' });
      const holdMs = performance.now() - started;
      const replies = await flood;
      const rssGrowth = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;
      expect(hold.status).toBe(201);
      // At most 20 maps (fewer while earlier ones still wait to be read), every other one refused.
      const maps = replies.filter((reply) => reply.seats).length;
      expect(maps).toBeGreaterThanOrEqual(1);
      expect(maps).toBeLessThanOrEqual(20);
      expect(replies.filter((reply) => reply.error?.code === 'RATE_LIMITED')).toHaveLength(300 - maps);
      expect(flooder.socket.connected).toBe(true);
      expect(rssGrowth).toBeLessThan(400);
      report(
        `[${backend.name}] 300 subscribes of a 20,000-seat map from one socket: ${maps} maps sent, a concurrent hold took ${Math.round(holdMs)} ms; test process RSS +${Math.round(rssGrowth)} MiB`,
      );
    }, 60_000);

    it('ends where a fresh GET is, for a client applying changes by version, after concurrent writes on two instances', async () => {
      const { showId, map } = await api.createShow(onSale(2, 10));
      const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
      const watcher = new LiveClient(await other.seatsClient());
      await watcher.start(showId);
      const users = ['u1', 'u2', 'u3', 'u4'];
      await Promise.all(
        users.map(async (userId, u) => {
          const instance = u % 2 === 0 ? api : other;
          for (let round = 0; round < 12; round++) {
            const seatIds = [ids[(round * 3 + u) % ids.length], ids[(round * 7 + u * 5) % ids.length]].filter(
              (id, i, all) => all.indexOf(id) === i,
            );
            const held = await instance.post(HOLD, { seatIds, userId });
            if (held.status !== 201) continue;
            if (round % 3 === 0) await instance.post(BOOK, { seatIds, userId });
            else await instance.post(RELEASE, { seatIds, userId });
          }
        }),
      );
      const expected = (await api.get(`/api/seats/${showId}`)).body.seats.map(({ id, status, holdExpiresAt }: any) => ({
        id,
        status,
        holdExpiresAt,
      }));
      const deadline = Date.now() + 5000;
      while (JSON.stringify(watcher.view()) !== JSON.stringify(expected) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect(watcher.view()).toEqual(expected);
      if (other !== api) {
        // The instances' snapshots were brought up to date change by change; a new instance reads the
        // whole map: the same bytes.
        const fresh = await Harness.alongside(api);
        try {
          expect((await fresh.get(`/api/seats/${showId}`)).raw).toBe((await other.get(`/api/seats/${showId}`)).raw);
        } finally {
          await fresh.close();
        }
      }
    }, 30_000);

    it('reads a show deleted and made again with another layout afresh, on every instance', async () => {
      const { showId } = await api.createShow(onSale(2, 5));
      expect((await other.get(`/api/seats/${showId}`)).body.seats).toHaveLength(10);
      expect((await api.admin('DELETE', `/api/admin/shows/${showId}`)).status).toBe(204);
      expect((await other.get(`/api/seats/${showId}`)).status).toBe(404);
      expect((await api.admin('POST', '/api/admin/shows', { ...onSale(3, 4), id: showId })).status).toBe(201);
      const again = (await other.get(`/api/seats/${showId}`)).body;
      expect(again.seats).toHaveLength(12);
      expect(again.seats.at(-1).label).toBe('R34');
    });
  });
});

describe.skipIf(!realBackend.available)('seat maps while Redis is unreachable', () => {
  let api: Harness;

  beforeAll(async () => {
    api = await Harness.start(realBackend, { REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => api?.close());

  it('answers seat maps and the show list from the database within 3 s, without an ETag', async () => {
    const { showId } = await api.newShow(2, 5);
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const map = await raw(api, `/api/seats/${showId}`);
      const list = await api.get('/api/seats/shows');
      const elapsed = performance.now() - started;
      expect(map.status).toBe(200);
      expect(map.headers.etag).toBeUndefined();
      expect(JSON.parse(map.body.toString()).seats).toHaveLength(10);
      expect(list.status).toBe(200);
      expect(elapsed).toBeLessThan(3000);
    }
  });
});
