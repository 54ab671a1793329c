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

  it('still lists shows, and reports not ready', async () => {
    expect((await api.get('/api/seats/shows')).status).toBe(200);
    const ready = await api.get('/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks).toMatchObject({ database: { status: 'up' }, redis: { status: 'down' } });
  });
});
