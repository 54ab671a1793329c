import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realBackend } from './support/backends.js';
import { Harness } from './support/harness.js';

/**
 * Redis unreachable (a port nobody listens on): writes fail closed with a quick 503, reads still
 * answer from the database, readiness says not ready.
 */
describe.skipIf(!realBackend.available)('with Redis unreachable', () => {
  let api: Harness;

  beforeAll(async () => {
    api = await Harness.start(realBackend, { REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(async () => api?.close());

  it('refuses holds, bookings and releases with 503 problem within 2 seconds, writing nothing', async () => {
    const { showId, seatIds } = await api.newShow();
    for (const path of ['/api/seats/hold-bulk', '/api/seats/book-bulk', '/api/seats/release-bulk']) {
      const started = performance.now();
      const reply = await api.post(path, { seatIds: [seatIds[0]], userId: 'alice' });
      const elapsed = performance.now() - started;
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.headers.get('retry-after')).toBeTruthy();
      expect(elapsed).toBeLessThan(2000);
    }
    const map = await api.get(`/api/seats/${showId}`);
    expect(map.status).toBe(200);
    expect(map.body.seats[0].status).toBe('AVAILABLE');
  });

  it('logs each 503 as one warn line without a stack, and the outage once', async () => {
    const { seatIds } = await api.newShow();
    const before = api.logs.length;
    for (let i = 0; i < 5; i++)
      expect((await api.post('/api/seats/hold-bulk', { seatIds: [seatIds[0]], userId: 'alice' })).status).toBe(503);
    const lines = api.logs.slice(before);
    const requestLines = lines.filter((line) => line.req?.url === '/api/seats/hold-bulk');
    expect(requestLines).toHaveLength(5);
    for (const line of requestLines) {
      expect(line).toMatchObject({ level: 40, res: { statusCode: 503 } });
      expect(JSON.stringify(line)).not.toMatch(/\bat \S+ \(|stack/);
    }
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(api.logs.filter((line) => /Redis unreachable/.test(line.msg))).toHaveLength(1);
  });

  it('still lists shows, and reports not ready', async () => {
    expect((await api.get('/api/seats/shows')).status).toBe(200);
    const ready = await api.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ database: { status: 'up' }, redis: { status: 'down' } });
  });
});
