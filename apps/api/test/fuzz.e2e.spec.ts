import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from './support/backends.js';
import { Harness, type Reply } from './support/harness.js';
import { report } from './support/report.js';

const WRITES = ['/api/seats/hold-bulk', '/api/seats/book-bulk', '/api/seats/release-bulk'];

/** Strings a hostile or careless client might send: odd Unicode, control characters, huge, empty. */
const nastyString = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\u202e',
    '\ud800',
    '💺'.repeat(200),
    'A'.repeat(5000),
    '__proto__',
    'constructor',
    '../../etc/passwd',
    "'; drop table seats; --",
  ),
);

/** Seat id lists that are never valid: wrong types, duplicates, too many, nested, unknown ids. */
const badSeatIds = fc.oneof(
  fc.constant([]),
  fc.array(nastyString, { minLength: 1, maxLength: 5 }),
  fc.array(fc.constant('no-such-seat'), { minLength: 2, maxLength: 3 }),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
  fc.array(fc.anything(), { minLength: 1, maxLength: 3 }),
  fc.integer({ min: 51, max: 5000 }).map((n) => Array.from({ length: n }, (_, i) => `seat-${i}`)),
  fc.anything(),
);

const userIds = fc.oneof(nastyString, fc.anything(), fc.constant(undefined));

/** Bodies as the raw text on the wire: JSON of odd shapes, prototype tricks, or not JSON at all. */
const bodies = fc.oneof(
  fc.record({ seatIds: badSeatIds, userId: userIds }, { requiredKeys: [] }).map((body) => JSON.stringify(body) ?? 'null'),
  fc.record({ seatIds: badSeatIds, userId: userIds, extra: fc.anything() }).map((body) => JSON.stringify(body) ?? 'null'),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.constantFrom(
    '{"__proto__":{"isAdmin":true},"seatIds":["x"],"userId":"u"}',
    '{"constructor":{"prototype":{"polluted":true}},"seatIds":["x"],"userId":"u"}',
    '{"seatIds":{"__proto__":[]},"userId":"u"}',
    '{"seatIds":["a","a"],"userId":"u"}',
    '{"seatIds":["a"],"userId":""}',
    `{"seatIds":["a"],"userId":"${'u'.repeat(129)}"}`,
    '['.repeat(5000) + ']'.repeat(5000),
    '{"seatIds":[' + '"s",'.repeat(20_000) + '"s"],"userId":"u"}',
    '',
    'not json',
    '{"seatIds":',
  ),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

const idempotencyKeys = fc.oneof(fc.uuid(), fc.constant(null), fc.string({ maxLength: 300 }), fc.constantFrom('"quoted"', '', 'a\tb'));

describe.each(backends)('hostile input on $name', (backend) => {
  let api: Harness;
  let showId: string;
  let seatIds: string[];

  beforeAll(async () => {
    if (!backend.available) return;
    api = await Harness.start(backend);
    ({ showId, seatIds } = await api.newShow(2, 5));
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)(
    'answers every write with a 4xx problem, never a 5xx, and writes nothing',
    async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...WRITES), bodies, idempotencyKeys, fc.boolean(), async (path, body, key, json) => {
          const headers: Record<string, string> = json ? { 'content-type': 'application/json' } : { 'content-type': 'text/plain' };
          if (key !== null) headers['idempotency-key'] = key;
          let reply: Reply;
          try {
            reply = await api.request('POST', path, body, headers);
          } catch (error) {
            // fetch itself refuses some header values (e.g. control characters): nothing was sent.
            if (error instanceof TypeError) return;
            throw error;
          }
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          expect(reply.status, `${path} ${body.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
          expect(reply.status, `${path} ${body.slice(0, 200)}`).toBeLessThan(500);
          expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
          expect(reply.body).toMatchObject({ status: reply.status, title: expect.any(String) });
          expect(reply.raw).not.toMatch(/\bat .+\.(js|ts):\d+|node_modules|SELECT |stack/i); // no internals
        }),
        { numRuns: backend.name === 'dev' ? 400 : 200 },
      );
      report(`[${backend.name}] fuzzed writes answered: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);

      // Real seats with ids PostgreSQL cannot store, or too deep to validate: refused up front.
      for (const body of [
        { seatIds: [seatIds[0]], userId: 'nul\u0000byte' },
        { seatIds: [seatIds[0], 'x\u0000'], userId: 'u' },
        { seatIds: [seatIds[0]], userId: 'u', nested: JSON.parse('['.repeat(100) + ']'.repeat(100)) },
      ]) {
        for (const path of WRITES) expect((await api.post(path, body)).status).toBe(400);
      }
      expect((await (await api.seatsClient()).subscribe('show\u0000')).error.code).toBe('INVALID_REQUEST');

      // Nothing written, nothing polluted, still healthy and serving.
      const map = await api.get(`/api/seats/${showId}`);
      expect(map.body.seats.map((seat: { status: string }) => seat.status)).toEqual(seatIds.map(() => 'AVAILABLE'));
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect((await api.get('/health/ready')).status).toBe(200);
      expect((await api.post(WRITES[0], { seatIds: [seatIds[0]], userId: 'after-the-storm' })).status).toBe(201);
    },
    120_000,
  );

  it.skipIf(!backend.available)('treats odd show ids in the path as unknown shows, not errors', async () => {
    await fc.assert(
      fc.asyncProperty(nastyString, async (id) => {
        let path: string;
        try {
          path = `/api/seats/${encodeURIComponent(id)}`;
        } catch {
          return; // a lone surrogate cannot even be put in a URL
        }
        const reply = await api.get(path);
        expect([400, 404]).toContain(reply.status);
        expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: 100 },
    );
  });
});

/** Values that break a show definition wherever they are put: wrong types, hostile strings, huge counts, deep nesting. */
const badValues = fc.oneof(
  nastyString,
  fc.anything(),
  fc.constantFrom(
    -1,
    0,
    1.5,
    1e9,
    Number.MAX_SAFE_INTEGER,
    null,
    [],
    {},
    [[[[[[[[[]]]]]]]]],
    'x'.repeat(10_240),
    '2027-13-45T99:99:99Z',
    'XYZ',
  ),
);

/** A valid show definition whose one randomly chosen member is replaced by a bad value (or dropped). */
const spoiledShow = fc
  .record({
    path: fc.constantFrom(
      ['id'],
      ['title'],
      ['startsAt'],
      ['salesOpenAt'],
      ['limits'],
      ['limits', 'perOrder'],
      ['limits', 'perCustomer'],
      ['categories'],
      ['categories', 0, 'key'],
      ['categories', 0, 'price'],
      ['categories', 0, 'price', 'amount'],
      ['categories', 0, 'price', 'currency'],
      ['sections'],
      ['sections', 0],
      ['sections', 0, 'key'],
      ['sections', 0, 'rows'],
      ['sections', 0, 'rows', 0],
      ['sections', 0, 'rows', 0, 'label'],
      ['sections', 0, 'rows', 0, 'seats'],
      ['sections', 0, 'rows', 1, 'seats', 1],
      ['sections', 0, 'rows', 0, 'category'],
    ),
    value: badValues,
    drop: fc.boolean(),
  })
  .map(({ path, value, drop }) => {
    const show: any = {
      id: 'fuzzed-show',
      title: 'Fuzz',
      startsAt: '2030-01-01T20:00:00Z',
      salesOpenAt: '2029-01-01T00:00:00Z',
      limits: { perOrder: 4, perCustomer: 8 },
      categories: [{ key: 'std', label: 'Standard', price: { amount: 1000, currency: 'EUR' } }],
      sections: [
        {
          key: 'main',
          rows: [
            { label: 'A', seats: 3, category: 'std' },
            { label: 'B', seats: ['1', '2'], category: 'std' },
          ],
        },
      ],
    };
    let parent = show;
    for (const step of path.slice(0, -1)) parent = parent[step];
    const last = path.at(-1)!;
    if (drop) delete parent[last];
    else parent[last] = value;
    return { show, path: path.join('.'), drop };
  });

describe.each(backends)('hostile show definitions on $name', (backend) => {
  let api: Harness;

  beforeAll(async () => {
    if (backend.available) api = await Harness.start(backend);
  });
  afterAll(async () => api?.close());

  it.skipIf(!backend.available)(
    'answers a 4xx problem (or creates exactly the valid show), never a 5xx, never half a show',
    async () => {
      const statuses = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(spoiledShow, async ({ show, path }) => {
          const reply = await api.admin('POST', '/api/admin/shows', show);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          const context = `${path}: ${JSON.stringify(show).slice(0, 200)} → ${reply.raw.slice(0, 200)}`;
          expect(reply.status, context).toBeLessThan(500);
          const map = await api.get(`/api/seats/${reply.body?.id ?? show.id}`);
          if (reply.status === 201) {
            // A spoiled member that was optional (a dropped label, a null category): a whole show.
            expect(map.body.seats.length, context).toBe(reply.body.totalSeats);
            expect((await api.admin('DELETE', `/api/admin/shows/${reply.body.id}`)).status).toBe(204);
          } else {
            expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
            expect(reply.raw).not.toMatch(/\bat .+\.(js|ts):\d+|node_modules|SELECT |stack/i);
            expect([400, 404], context).toContain(map.status); // 400: the id itself was not an id
          }
        }),
        { numRuns: backend.name === 'dev' ? 300 : 150 },
      );
      report(`[${backend.name}] fuzzed show definitions answered: ${JSON.stringify(Object.fromEntries([...statuses].sort()))}`);
      for (const raw of [
        '['.repeat(5000) + ']'.repeat(5000),
        '{"title":',
        'null',
        '"a show"',
        `{"title":"${'x'.repeat(2 * 1024 * 1024)}"}`,
      ]) {
        expect([400, 413]).toContain((await api.admin('POST', '/api/admin/shows', raw)).status);
      }
      expect((await api.get('/health/ready')).status).toBe(200);
    },
    120_000,
  );
});
