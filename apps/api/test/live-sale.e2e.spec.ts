import { inArray } from 'drizzle-orm';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, realBackend } from './support/backends.js';
import { clusterBackend } from './support/redis-cluster-backend.js';
import { Harness } from './support/harness.js';
import { LiveClient } from './support/live-client.js';
import { report } from './support/report.js';
import { LATE_MS } from '@app/realtime';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const onSale = (rows: number, seats: number) => ({
  title: 'Live sale',
  startsAt: '2030-01-01T20:00:00Z',
  salesOpenAt: '2020-01-01T00:00:00Z',
  categories: [{ key: 'std', label: 'Standard', price: { amount: 1000, currency: 'EUR' } }],
  sections: [
    { key: 'bowl', label: 'Bowl', rows: Array.from({ length: rows }, (_, r) => ({ label: `R${r + 1}`, seats, category: 'std' })) },
  ],
});

/** A GET with the raw bytes and headers. */
async function raw(api: Harness, path: string, headers: Record<string, string> = {}) {
  const response = await request(api.baseUrl + path, { headers });
  const body = Buffer.from(await response.body.arrayBuffer());
  return {
    status: response.statusCode,
    headers: response.headers as Record<string, string>,
    body,
    json: () => JSON.parse(body.toString()),
  };
}

/** Waits until `check` holds (polling), then returns; fails with `what` after `ms`. */
async function eventually(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Holds, books and releases from several users at once, through the given instances. */
async function churn(instances: Harness[], ids: string[], rounds = 10): Promise<void> {
  const users = ['u1', 'u2', 'u3', 'u4'];
  await Promise.all(
    users.map(async (userId, u) => {
      const instance = instances[u % instances.length];
      for (let round = 0; round < rounds; round++) {
        const seatIds = [ids[(round * 3 + u) % ids.length], ids[(round * 7 + u * 5) % ids.length]].filter(
          (id, i, all) => all.indexOf(id) === i,
        );
        const held = await instance.post(HOLD, { seatIds, userId });
        if (held.status !== 201) continue;
        if (round % 3 === 0) await instance.post(BOOK, { seatIds, userId });
        else if (round % 3 === 1) await instance.post(RELEASE, { seatIds, userId });
      }
    }),
  );
}

/** An instance answers deltas only for versions it has heard everything after (less LATE_MS): wait that long after a start. */
const untilResumable = (startedAt: number) => sleep(Math.max(0, startedAt + LATE_MS + 300 - Date.now()));

describe.each([...backends, clusterBackend])('live sale on $name', (backend) => {
  let api: Harness;
  let startedAt = 0;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
    startedAt = Date.now();
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)(
    'batches a burst: fewer events than changes, each change with its own version, one per seat per event',
    async () => {
      const { showId, map } = await api.createShow(onSale(4, 10));
      const client = await api.seatsClient();
      await client.subscribe(showId);
      const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
      const holds = await Promise.all(ids.map((seatId, i) => api.post(HOLD, { seatIds: [seatId], userId: `fan-${i}` })));
      expect(holds.every((hold) => hold.status === 201)).toBe(true);
      await eventually(() => ids.every((id) => client.changesOf(id).length > 0), 'every hold to arrive');
      const changes = client.events.flatMap((event) => event.changes);
      report(`[${backend.name}] 40 concurrent holds arrived as ${client.events.length} events`);
      expect(changes).toHaveLength(40);
      expect(client.events.length).toBeLessThan(changes.length);
      for (const event of client.events) {
        expect(new Set(event.changes.map((change) => change.seatId)).size).toBe(event.changes.length);
        expect(event.version).toBe(Math.max(...event.changes.map((change) => change.version)));
        for (const change of event.changes) expect(Number.isSafeInteger(change.version)).toBe(true);
      }
      // Every hold took a version of its own.
      expect(new Set(changes.map((change) => change.version)).size).toBe(40);
    },
  );

  it.skipIf(!backend.available)('brings a client that applies per-change versions to exactly a fresh status and full map', async () => {
    const { showId, map } = await api.createShow(onSale(2, 10));
    const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
    const fromMap = new LiveClient(await api.seatsClient());
    await fromMap.start(showId);
    const fromStatus = new LiveClient(await api.seatsClient());
    await fromStatus.client.subscribe(showId);
    fromStatus.fromStatus((await api.get(`/api/seats/${showId}/layout`)).body, (await api.get(`/api/seats/${showId}/status`)).body);
    await churn([api], ids);
    const full = (await api.get(`/api/seats/${showId}`)).body;
    const status = (await api.get(`/api/seats/${showId}/status`)).body;
    const expected = full.seats.map(({ id, status, holdExpiresAt }: any) => ({ id, status, holdExpiresAt }));
    await eventually(() => JSON.stringify(fromMap.view()) === JSON.stringify(expected), 'the map client to converge');
    await eventually(() => fromStatus.statuses() === status.statuses, 'the status client to converge');
    expect(fromMap.view()).toEqual(expected);
    expect(fromStatus.statuses()).toBe(status.statuses);
    expect(fromMap.statuses()).toBe(status.statuses);
  });

  it.skipIf(!backend.available)('resumes from a version with the changes since, the status part, or upToDate', async () => {
    await untilResumable(startedAt);
    const { showId, map } = await api.createShow(onSale(2, 10));
    const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
    const before = (await api.get(`/api/seats/${showId}/status`)).body;
    const layout = (await api.get(`/api/seats/${showId}/layout`)).body;
    await churn([api], ids, 6);
    const now = (await api.get(`/api/seats/${showId}/status`)).body;
    expect(now.version).toBeGreaterThan(before.version);

    const client = await api.seatsClient();
    const resumed = new LiveClient(client);
    resumed.fromStatus(layout, before);
    const delta = await client.subscribe(showId, { version: before.version });
    expect(delta).toMatchObject({ showId, since: before.version, changes: expect.any(Array) });
    expect(delta.seats).toBeUndefined();
    expect(delta.version).toBeGreaterThanOrEqual(now.version);
    expect(new Set(delta.changes.map((change: { seatId: string }) => change.seatId)).size).toBe(delta.changes.length);
    // The delta, then the events of changes still on their way (the last batch), by per-change version.
    resumed.apply(delta.changes);
    await eventually(() => resumed.statuses() === now.statuses, 'the resumed client to converge');

    // Current: nothing to send.
    expect(await client.subscribe(showId, { version: delta.version })).toEqual({ showId, version: delta.version, upToDate: true });
    // Older than anything kept: the status part when asked for it, else the full map.
    const asStatus = await client.subscribe(showId, { version: 1, format: 'status' });
    expect(asStatus).toEqual(now);
    const asMap = await client.subscribe(showId, { version: 1 });
    expect(asMap).toEqual((await api.get(`/api/seats/${showId}`)).body);
    expect((await client.subscribe(showId, { format: 'bogus' })).error.code).toBe('INVALID_REQUEST');
  });

  it.skipIf(!backend.available)("serves the layout as the same bytes for the show's life, with a strong ETag, 304 and gzip", async () => {
    const { showId, map } = await api.createShow(onSale(3, 4));
    const first = await raw(api, `/api/seats/${showId}/layout`);
    expect(first.status).toBe(200);
    expect(first.headers.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
    expect(first.headers['cache-control']).toContain('public');
    const layout = first.json();
    expect(layout).toEqual({
      showId,
      layoutVersion: first.headers.etag.slice(1, -1),
      sections: map.sections,
      categories: map.categories,
      seats: map.seats.map(({ status, holdExpiresAt, ...seat }: any) => seat),
      areas: [],
    });
    await api.post(HOLD, { seatIds: [map.seats[0].id], userId: 'layout' });
    await api.post(BOOK, { seatIds: [map.seats[0].id], userId: 'layout' });
    const again = await raw(api, `/api/seats/${showId}/layout`);
    expect(again.body.equals(first.body)).toBe(true);
    expect(again.headers.etag).toBe(first.headers.etag);
    // fetch() adds Cache-Control: no-cache to a conditional request; the origin still answers 304.
    const revalidated = await raw(api, `/api/seats/${showId}/layout`, { 'if-none-match': first.headers.etag, 'cache-control': 'no-cache' });
    expect(revalidated.status).toBe(304);
    expect(revalidated.body).toHaveLength(0);
    const zipped = await raw(api, `/api/seats/${showId}/layout`, { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(zipped.body).equals(first.body)).toBe(true);
    expect((await api.get(`/api/seats/${showId}/status`)).body.layoutVersion).toBe(layout.layoutVersion);
    expect((await api.get('/api/seats/no-such-show/layout')).status).toBe(404);
    // Deleted and made again with another layout: another layoutVersion.
    const { showId: gone } = await api.createShow(onSale(1, 2));
    const old = (await api.get(`/api/seats/${gone}/layout`)).body.layoutVersion;
    expect((await api.admin('DELETE', `/api/admin/shows/${gone}`)).status).toBe(204);
    await sleep(1100); // a layout is trusted for a second before it is checked again
    expect((await api.get(`/api/seats/${gone}/layout`)).status).toBe(404);
    expect((await api.admin('POST', '/api/admin/shows', { ...onSale(2, 2), id: gone })).status).toBe(201);
    const remade = (await api.get(`/api/seats/${gone}/layout`)).body;
    expect(remade.seats).toHaveLength(4);
    expect(remade.layoutVersion).not.toBe(old);
  });

  it.skipIf(!backend.available)('serves the status part: a character per seat in layout order, a version, ETag, 304 and gzip', async () => {
    const { showId, map } = await api.createShow(onSale(2, 5));
    const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
    const first = await raw(api, `/api/seats/${showId}/status`);
    expect(first.json()).toEqual({ showId, version: map.version, layoutVersion: expect.any(String), statuses: 'A'.repeat(10), areas: {} });
    expect(first.headers.etag).toBeDefined();
    expect((await raw(api, `/api/seats/${showId}/status`, { 'if-none-match': first.headers.etag })).status).toBe(304);
    await api.post(HOLD, { seatIds: [ids[2], ids[7]], userId: 'status' });
    await api.post(BOOK, { seatIds: [ids[7]], userId: 'status' });
    const after = await raw(api, `/api/seats/${showId}/status`, { 'if-none-match': first.headers.etag, 'accept-encoding': 'gzip' });
    expect(after.status).toBe(200);
    expect(after.headers['content-encoding']).toBe('gzip');
    const status = JSON.parse(gunzipSync(after.body).toString());
    expect(status.statuses).toBe('AAHAAAABAA');
    expect(status.version).toBeGreaterThan(map.version);
    expect((await api.get('/api/seats/no-such-show/status')).status).toBe(404);
  });

  it.skipIf(!backend.available)(
    'keeps a 20,000-place status within its size (20 KB for 50,000, in proportion) whatever the mix',
    async () => {
      const { showId, map } = await api.createShow(onSale(50, 400));
      const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
      // A random mix of the three statuses, written straight to the database (as 20,000 writes would leave it).
      const held: string[] = [];
      const booked: string[] = [];
      for (const id of ids) {
        const r = Math.random();
        if (r < 1 / 3) held.push(id);
        else if (r < 2 / 3) booked.push(id);
      }
      const { seats } = api.database.tables;
      await api.database.transaction(async (tx) => {
        for (let i = 0; i < held.length; i += 500) {
          await tx
            .update(seats)
            .set({ status: 'HELD', holdOwner: 'mix', holdExpiresAt: new Date(Date.now() + 3_600_000) })
            .where(inArray(seats.id, held.slice(i, i + 500)));
        }
        for (let i = 0; i < booked.length; i += 500)
          await tx
            .update(seats)
            .set({ status: 'BOOKED', bookingId: 'mix' })
            .where(inArray(seats.id, booked.slice(i, i + 500)));
      });
      await api.app.get((await import('@app/booking')).ShowVersions).touch(showId); // a new version: the map is read again
      const zipped = await raw(api, `/api/seats/${showId}/status`, { 'accept-encoding': 'gzip' });
      const status = JSON.parse(gunzipSync(zipped.body).toString());
      expect(status.statuses).toHaveLength(20_000);
      expect([...status.statuses].filter((c) => c === 'H')).toHaveLength(held.length);
      expect([...status.statuses].filter((c) => c === 'B')).toHaveLength(booked.length);
      report(
        `[${backend.name}] 20,000-place status, a random mix: ${zipped.body.length} bytes gzipped (${Math.round((zipped.body.length * 2.5) / 1024)} KB for 50,000)`,
      );
      expect(zipped.body.length * 2.5).toBeLessThanOrEqual(20 * 1024);
    },
    60_000,
  );
});

describe.each([realBackend, clusterBackend].filter((backend) => backend.available))('live sale on two instances of $name', (backend) => {
  let a: Harness;
  let b: Harness;
  let startedAt = 0;

  beforeAll(async () => {
    a = await Harness.start(backend);
    startedAt = Date.now();
    b = await Harness.alongside(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('reflects a write on one instance in the next status read on the other', async () => {
    const { showId, map } = await a.createShow(onSale(1, 12));
    await b.get(`/api/seats/${showId}/status`); // b caches the status
    for (let i = 0; i < 12; i++) {
      expect((await a.post(HOLD, { seatIds: [map.seats[i].id], userId: 'ryw' })).status).toBe(201);
      expect((await b.get(`/api/seats/${showId}/status`)).body.statuses[i]).toBe('H');
      expect((await b.post(RELEASE, { seatIds: [map.seats[i].id], userId: 'ryw' })).status).toBe(200);
      expect((await a.get(`/api/seats/${showId}/status`)).body.statuses[i]).toBe('A');
    }
  });

  it('resumes a client on the other instance from the changes it heard from both', async () => {
    await untilResumable(startedAt);
    const { showId, map } = await a.createShow(onSale(2, 10));
    const ids: string[] = map.seats.map((seat: { id: string }) => seat.id);
    const before = (await b.get(`/api/seats/${showId}/status`)).body;
    await churn([a, b], ids, 6);
    await sleep(300); // the last batches cross Redis
    const now = (await a.get(`/api/seats/${showId}/status`)).body;
    for (const instance of [a, b]) {
      const client = await instance.seatsClient();
      const resumed = new LiveClient(client);
      resumed.fromStatus((await instance.get(`/api/seats/${showId}/layout`)).body, before);
      // An instance answers with a delta once it has heard every change since (the other
      // instance's cross Redis, later on a busy machine); until then it sends the full map.
      let delta = await client.subscribe(showId, { version: before.version });
      for (let i = 0; i < 15 && delta.since === undefined; i++) {
        await sleep(300);
        delta = await client.subscribe(showId, { version: before.version });
      }
      expect(delta.since).toBe(before.version);
      resumed.apply(delta.changes);
      await eventually(() => resumed.statuses() === now.statuses, 'the resumed client to converge');
    }
  });
});
