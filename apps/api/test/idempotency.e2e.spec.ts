import { HoldSweeper } from '@app/booking';
import { IdempotencyStore, IN_PROGRESS_TTL_MS, requestFingerprint } from '@app/idempotency';
import { inArray } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { clusterBackend, flushAll } from './support/redis-cluster-backend.js';
import { Harness } from './support/harness.js';
import { report } from './support/report.js';

/** Every backend, and PostgreSQL with a local Redis Cluster. */
const withCluster = [...backends, clusterBackend];

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';

describe.each(withCluster)('Idempotency-Key on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  const seatRows = async (seatIds: string[]) => {
    const { seats } = api.database.tables;
    return api.database.read((db) =>
      db.select({ id: seats.id, status: seats.status, owner: seats.holdOwner }).from(seats).where(inArray(seats.id, seatIds)),
    );
  };
  const bookingRows = async (seatIds: string[]) => {
    const { bookingSeats } = api.database.tables;
    return api.database.read((db) => db.select().from(bookingSeats).where(inArray(bookingSeats.seatId, seatIds)));
  };

  describe.skipIf(!backend.available)('the key itself', () => {
    const invalid: [string, string | null][] = [
      ['missing', null],
      ['empty', ''],
      ['an empty quoted string', '""'],
      ['over 255 characters', 'k'.repeat(256)],
      ['a control character (tab)', 'abc\tdef'],
    ];

    it.each(invalid)('answers 400 problem when the key is %s, and executes nothing', async (_, key) => {
      const { seatIds } = await api.newShow();
      for (const path of [HOLD, BOOK, RELEASE]) {
        const reply = await api.post(path, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key });
        expect(reply.status, path).toBe(400);
        expect(reply.body).toMatchObject({ status: 400, code: 'IDEMPOTENCY_KEY_INVALID' });
      }
      expect((await seatRows([seatIds[0]]))[0].status).toBe('AVAILABLE');
    });

    it('accepts 255 characters, and treats the bare and quoted forms as one key', async () => {
      const { seatIds } = await api.newShow();
      const key = 'k'.repeat(255);
      const first = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key });
      expect(first.status).toBe(201);
      const quoted = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': `"${key}"` });
      expect(quoted.status).toBe(201);
      expect(quoted.headers.get('idempotent-replayed')).toBe('true');
      expect(quoted.body.holdId).toBe(first.body.holdId);
    });
  });

  describe.skipIf(!backend.available)('replays', () => {
    it.each([
      ['hold-bulk', HOLD],
      ['book-bulk', BOOK],
      ['release-bulk', RELEASE],
    ])('replays a finished %s byte for byte with Idempotent-Replayed, executing nothing', async (_, path) => {
      const { seatIds } = await api.newShow();
      const body = { seatIds: seatIds.slice(0, 2), userId: 'alice' };
      if (path !== HOLD) await api.post(HOLD, body);
      const key = randomUUID();
      const first = await api.post(path, body, { 'idempotency-key': key });
      expect(first.status).toBeLessThan(300);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const before = await seatRows(body.seatIds);

      const again = await api.post(path, body, { 'idempotency-key': key });
      expect(again.status).toBe(first.status);
      expect(again.raw).toBe(first.raw);
      expect(JSON.parse(first.raw)).toEqual(first.body);
      for (const reply of [first, again]) {
        expect(reply.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(Number(reply.headers.get('content-length'))).toBe(Buffer.byteLength(reply.raw));
      }
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await seatRows(body.seatIds)).toEqual(before);
    });

    it('replays a 409 seat conflict even after the seat became free', async () => {
      const { seatIds } = await api.newShow();
      await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' });
      const key = randomUUID();
      const refused = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' }, { 'idempotency-key': key });
      expect(refused.status).toBe(409);
      expect((await api.post(RELEASE, { seatIds: [seatIds[0]], userId: 'alice' })).status).toBe(200);

      const retry = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' }, { 'idempotency-key': key });
      expect(retry.status).toBe(409);
      expect(retry.raw).toBe(refused.raw);
      expect(retry.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect((await seatRows([seatIds[0]]))[0].status).toBe('AVAILABLE');
    });

    it('scopes keys per user: two users may use the same key independently', async () => {
      const { seatIds } = await api.newShow();
      const key = 'shared-key';
      const alice = await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key });
      const bob = await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'bob' }, { 'idempotency-key': key });
      expect([alice.status, bob.status]).toEqual([201, 201]);
      expect(bob.headers.get('idempotent-replayed')).toBeNull();
    });
  });

  describe.skipIf(!backend.available)('misuse and failures', () => {
    it('answers 422 for the same key with another body or another endpoint, executing nothing', async () => {
      const { seatIds } = await api.newShow();
      const key = randomUUID();
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key })).status).toBe(201);
      const otherBody = await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'alice' }, { 'idempotency-key': key });
      expect(otherBody.status).toBe(422);
      expect(otherBody.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      const otherEndpoint = await api.post(RELEASE, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key });
      expect(otherEndpoint.status).toBe(422);
      expect((await seatRows([seatIds[0], seatIds[1]])).map((r) => r.status).sort()).toEqual(['AVAILABLE', 'HELD']);
    });

    it('does not keep a validation failure: the key stays usable', async () => {
      const { seatIds } = await api.newShow();
      const key = randomUUID();
      expect((await api.post(HOLD, { seatIds: [], userId: 'alice' }, { 'idempotency-key': key })).status).toBe(400);
      expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'alice' }, { 'idempotency-key': key })).status).toBe(201);
    });

    it('50 concurrent identical requests with one key: exactly one executes', async () => {
      const { seatIds } = await api.newShow();
      const body = { seatIds: [seatIds[0]], userId: 'alice' };
      await api.post(HOLD, body);
      const key = randomUUID();
      const replies = await Promise.all(Array.from({ length: 50 }, () => api.post(BOOK, body, { 'idempotency-key': key })));
      const fresh = replies.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === null);
      const replayed = replies.filter((r) => r.status === 201 && r.headers.get('idempotent-replayed') === 'true');
      const inProgress = replies.filter((r) => r.status === 409);
      report(
        `[${backend.name}] 50 identical books, one key: ${fresh.length} executed, ${replayed.length} replayed, ${inProgress.length} in progress`,
      );
      expect(fresh).toHaveLength(1);
      expect(fresh.length + replayed.length + inProgress.length).toBe(50);
      for (const r of inProgress) {
        expect(r.body.code).toBe('IDEMPOTENCY_KEY_IN_USE');
        expect(r.headers.get('retry-after')).toBe('1');
      }
      for (const r of replayed) expect(r.body.bookingId).toBe(fresh[0].body.bookingId);
      expect(await bookingRows(body.seatIds)).toHaveLength(1);
    });

    it('returns the committed booking when Redis lost the cached response (crash after commit)', async () => {
      const { seatIds } = await api.newShow();
      const body = { seatIds: seatIds.slice(0, 2), userId: 'alice' };
      await api.post(HOLD, body);
      const key = randomUUID();
      const booked = await api.post(BOOK, body, { 'idempotency-key': key });
      expect(booked.status).toBe(201);

      await api.app.get(IdempotencyStore).forget({ userId: 'alice', key });
      const retry = await api.post(BOOK, body, { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.body.bookingId).toBe(booked.body.bookingId);
      expect(retry.raw).toBe(booked.raw);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(await bookingRows(body.seatIds)).toHaveLength(2);

      // The same key with another body is still refused, from the database record.
      await api.app.get(IdempotencyStore).forget({ userId: 'alice', key });
      const misuse = await api.post(BOOK, { ...body, seatIds: [seatIds[5]] }, { 'idempotency-key': key });
      expect(misuse.status).toBe(422);
    });

    it('frees the key of a process that died mid-request within 15 s; the retry then executes', async () => {
      expect(IN_PROGRESS_TTL_MS).toBeLessThanOrEqual(15_000);
      const { seatIds } = await api.newShow();
      const body = { seatIds: [seatIds[0]], userId: 'alice' };
      const key = randomUUID();
      // A "crashed" request: its marker was claimed and never settled.
      const claim = await api.app
        .get(IdempotencyStore)
        .claim({ userId: 'alice', key, fingerprint: requestFingerprint('POST', HOLD, body) });
      expect(claim.kind).toBe('claimed');
      const blocked = await api.post(HOLD, body, { 'idempotency-key': key });
      expect(blocked.status).toBe(409);
      expect(blocked.headers.get('retry-after')).toBe('1');
      await new Promise((resolve) => setTimeout(resolve, IN_PROGRESS_TTL_MS + 200));
      const retry = await api.post(HOLD, body, { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
    }, 30_000);

    it('returns the committed booking after a whole Redis flush', async () => {
      const { seatIds } = await api.newShow();
      const body = { seatIds: [seatIds[0]], userId: 'alice' };
      await api.post(HOLD, body);
      const key = randomUUID();
      const booked = await api.post(BOOK, body, { 'idempotency-key': key });
      await flushAll(api.redis);
      const retry = await api.post(BOOK, body, { 'idempotency-key': key });
      expect(retry.status).toBe(201);
      expect(retry.body.bookingId).toBe(booked.body.bookingId);
      expect(await bookingRows(body.seatIds)).toHaveLength(1);
    });
  });
});

describe.each(withCluster)('idempotency record retention on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend, { IDEMPOTENCY_TTL_SECONDS: '60' });
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)('deletes durable records older than IDEMPOTENCY_TTL_SECONDS and keeps newer ones', async () => {
    const { idempotencyRecords: records } = api.database.tables;
    const row = (key: string, ageSeconds: number) => ({
      userId: 'alice',
      key,
      fingerprint: 'f',
      statusCode: 201,
      body: '{}',
      createdAt: new Date(Date.now() - ageSeconds * 1000),
    });
    await api.database.transaction(async (tx) => {
      await tx.insert(records).values([row('old', 120), row('fresh', 5)]);
    });
    // (the instance's own sweeper may prune first; either way the old record must go)
    await api.app.get(HoldSweeper).pruneIdempotencyRecords();
    const left = await api.database.read((db) =>
      db
        .select({ key: records.key })
        .from(records)
        .where(inArray(records.key, ['old', 'fresh'])),
    );
    expect(left).toEqual([{ key: 'fresh' }]);
  });
});
