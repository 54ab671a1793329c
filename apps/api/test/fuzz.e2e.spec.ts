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
  fc.constantFrom('', ' ', '\u0000', '\u202e', '\ud800', '💺'.repeat(200), 'A'.repeat(5000), '__proto__', 'constructor', '../../etc/passwd', "'; drop table seats; --"),
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
    '[' .repeat(5000) + ']'.repeat(5000),
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

  it.skipIf(!backend.available)('answers every write with a 4xx problem, never a 5xx, and writes nothing', async () => {
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
    expect((await api.post(WRITES[0]!, { seatIds: [seatIds[0]], userId: 'after-the-storm' })).status).toBe(201);
  }, 120_000);

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
