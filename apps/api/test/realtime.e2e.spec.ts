import { HoldExpiryListener, HoldTimers } from '@app/booking';
import { inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, realBackend } from './support/backends.js';
import { clusterBackend } from './support/redis-cluster-backend.js';
import { Harness } from './support/harness.js';
import { report } from './support/report.js';
import { rawSeatsSocket } from './support/raw-seats-socket.js';

/** Every backend, and PostgreSQL with a local Redis Cluster. */
const withCluster = [...backends, clusterBackend];

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

describe.each(withCluster)('live seat updates on $name', (backend) => {
  let api: Harness;
  // Real Redis: the sweeper is slowed down so that only keyspace events can free a seat in time.
  const sweepMs = backend.name === 'dev' ? 500 : 60_000;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend, { HOLD_TTL_SECONDS: '1', SWEEP_INTERVAL_MS: String(sweepMs) });
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('acknowledges subscribe with the full seat map, and unknown shows with an error', async () => {
    const { showId } = await api.newShow();
    const client = await api.seatsClient();
    const ack = await client.subscribe(showId);
    expect(ack).toEqual((await api.get(`/api/seats/${showId}`)).body);
    expect(await client.subscribe('no-such-show')).toEqual({ error: { code: 'SHOW_NOT_FOUND', message: expect.any(String) } });
    expect(await client.subscribe(42)).toMatchObject({ error: { code: 'INVALID_REQUEST' } });
    expect(client.socket.connected).toBe(true);
  });

  it.skipIf(!backend.available)('pushes HELD on a hold, AVAILABLE on a release and BOOKED on a booking', async () => {
    const { showId, seatIds } = await api.newShow();
    const client = await api.seatsClient();
    await client.subscribe(showId);
    const hold = await api.post(HOLD, { seatIds: seatIds.slice(0, 2), userId: 'alice' });
    await client.waitFor(seatIds[1], 'HELD');
    expect(client.events[0]).toEqual({
      showId,
      version: expect.any(Number),
      changes: seatIds
        .slice(0, 2)
        .map((seatId) => ({ seatId, status: 'HELD', holdExpiresAt: hold.body.expiresAt, version: client.events[0].version })),
      at: expect.any(String),
      receivedAt: expect.any(Number),
    });
    await api.post(RELEASE, { seatIds: [seatIds[0]], userId: 'alice' });
    await client.waitFor(seatIds[0], 'AVAILABLE');
    await api.post(BOOK, { seatIds: [seatIds[1]], userId: 'alice' });
    await client.waitFor(seatIds[1], 'BOOKED');
    // Each change has a newer version, and the map says the newest.
    const versions = client.events.map((event) => event.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(3);
    expect((await api.get(`/api/seats/${showId}`)).body.version).toBe(versions[2]);
    // a client of another show hears nothing of this one
    const other = await api.seatsClient();
    await other.subscribe((await api.newShow()).showId);
    await api.post(HOLD, { seatIds: [seatIds[2]], userId: 'bob' });
    await client.waitFor(seatIds[2], 'HELD');
    expect(other.events).toEqual([]);
  });

  it.skipIf(!backend.available)(
    'deflates each batch once for clients that offer permessage-deflate, and sends it plain to the others',
    async () => {
      const { showId, seatIds } = await api.newShow(4, 25);
      const [deflating, plain] = await Promise.all([rawSeatsSocket(api.baseUrl, true), rawSeatsSocket(api.baseUrl, false)]);
      expect(deflating.extensions).toContain('server_no_context_takeover');
      expect(plain.extensions).toBe('');
      await Promise.all([deflating.subscribe(showId), plain.subscribe(showId)]);
      const held = seatIds.slice(0, 4);
      const [before, plainBefore] = [deflating.bytesRead(), plain.bytesRead()];
      expect((await api.post(HOLD, { seatIds: held, userId: 'dora' })).status).toBe(201);
      const [event, plainEvent] = await Promise.all([deflating.nextEvent(), plain.nextEvent()]);
      // The same event either way, every change in it.
      expect(event).toEqual(plainEvent);
      expect(event.changes.map((change: { seatId: string }) => change.seatId).sort()).toEqual([...held].sort());
      // On the wire, the deflated frame is smaller than the plain one (its JSON repeats itself).
      expect(deflating.bytesRead() - before).toBeLessThan(0.8 * (plain.bytesRead() - plainBefore));
      deflating.close();
      plain.close();
    },
  );

  /** Holds 100 seats for one second each and measures expiry → `seats:changed` at a subscriber. */
  async function measureExpiry(path: string): Promise<number[]> {
    const { showId, seatIds } = await api.newShow(10, 10);
    const client = await api.seatsClient();
    await client.subscribe(showId);
    const holds = await Promise.all(seatIds.map((seatId, i) => api.post(HOLD, { seatIds: [seatId], userId: `user-${i}` })));
    expect(holds.every((h) => h.status === 201)).toBe(true);

    const arrivals = await Promise.all(seatIds.map((seatId) => client.waitFor(seatId, 'AVAILABLE', 1000 + sweepMs + 2000)));
    const delays = arrivals.map((arrival, i) => arrival - Date.parse(holds[i].body.expiresAt));
    report(
      `[${backend.name}] expiry → seats:changed over ${delays.length} holds (${path}): median ${percentile(delays, 50)} ms, p99 ${percentile(delays, 99)} ms, worst ${Math.max(...delays)} ms`,
    );
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(-50); // never before the hold lapsed (clock slack)
    const again = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'someone-else' });
    expect(again.status).toBe(201);
    return delays;
  }

  it.skipIf(!backend.available)('frees an expired hold by itself, on time, and tells subscribers; measured over 100 holds', async () => {
    const delays = await measureExpiry('timers of the granting instance');
    expect(Math.max(...delays)).toBeLessThan(1000);
  });

  // Last in this block: it stops the timers for good. An instance that granted holds and died
  // leaves them to the keyspace events (real Redis) or the sweeper (dev mode).
  it.skipIf(!backend.available)('frees holds whose instance has no timers, by keyspace events or the sweeper', async () => {
    api.app.get(HoldTimers).stop();
    const delays = await measureExpiry(backend.name === 'dev' ? `sweeper every ${sweepMs} ms` : 'keyspace events');
    expect(Math.max(...delays)).toBeLessThan(backend.name === 'dev' ? sweepMs + 1000 : 1000);
  });
});

describe.each([realBackend, clusterBackend].filter((backend) => backend.available))(
  'two API instances on one PostgreSQL and $name',
  (backend) => {
    let a: Harness;
    let b: Harness;

    beforeAll(async () => {
      a = await Harness.start(backend, { HOLD_TTL_SECONDS: '1', SWEEP_INTERVAL_MS: '1000' });
      b = await Harness.alongside(a);
    });
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it('delivers a change made through one instance to a client of the other, and an expiry once', async () => {
      const { showId, seatIds } = await a.newShow();
      const onB = await b.seatsClient();
      const onA = await a.seatsClient();
      await onB.subscribe(showId);
      await onA.subscribe(showId);
      await a.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' });
      await onB.waitFor(seatIds[0], 'HELD');
      await b.post(HOLD, { seatIds: [seatIds[1]], userId: 'bob' });
      await onA.waitFor(seatIds[1], 'HELD');

      await onB.waitFor(seatIds[0], 'AVAILABLE', 4000);
      await sleep(2500); // both listeners and both sweepers have had their chance
      expect(onB.changesOf(seatIds[0]).filter((c) => c.status === 'AVAILABLE')).toHaveLength(1);
      expect(onA.changesOf(seatIds[0]).filter((c) => c.status === 'AVAILABLE')).toHaveLength(1);
    });

    it('with both keyspace listeners dead and no timers, the sweepers still free every expired hold in time', async () => {
      for (const api of [a, b]) {
        api.app.get(HoldExpiryListener).stop();
        api.app.get(HoldTimers).stop();
      }
      const { showId, seatIds } = await a.newShow(2, 10);
      const client = await b.seatsClient();
      await client.subscribe(showId);
      const holds = await Promise.all(seatIds.map((seatId, i) => (i % 2 ? a : b).post(HOLD, { seatIds: [seatId], userId: `u${i}` })));
      expect(holds.every((h) => h.status === 201)).toBe(true);
      const latestExpiry = Math.max(...holds.map((h) => Date.parse(h.body.expiresAt)));

      await sleep(latestExpiry + 1000 + 300 - Date.now()); // expiry + sweep interval + margin
      const { seats } = a.database.tables;
      const rows = await a.database.read((db) => db.select({ status: seats.status }).from(seats).where(inArray(seats.id, seatIds)));
      expect(rows.map((r) => r.status)).toEqual(seatIds.map(() => 'AVAILABLE'));
      for (const seatId of seatIds) await client.waitFor(seatId, 'AVAILABLE', 100);
    });
  },
);
