import { lockKey } from '@app/booking';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTopology, waitFor } from '../../../infra-local/src/redis-topology.js';
import { realBackend } from '../support/backends.js';
import { canRunChaos, sleep } from '../support/chaos.js';
import { Harness } from '../support/harness.js';
import { report } from '../support/report.js';

const HOLD = '/api/seats/hold-bulk';
const BOOK = '/api/seats/book-bulk';
const RELEASE = '/api/seats/release-bulk';

/**
 * One Redis started from docker/redis/redis-master.conf (AOF, fsync every second), killed with
 * SIGKILL and started again on the same data directory.
 */
describe.skipIf(!canRunChaos)('Redis crashed and restarted from its append-only file', () => {
  let redis: RedisTopology;
  let api: Harness;

  beforeAll(async () => {
    redis = await RedisTopology.start({ standalone: true });
    api = await Harness.start(realBackend, { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await api?.close();
    await redis?.stop();
  });

  it('fails writes fast while down, serves reads, and recovers holds and cached responses from the AOF', async () => {
    const { showId, seatIds } = await api.newShow(2, 10);
    const alice = { seatIds: seatIds.slice(0, 2), userId: 'alice' };
    const key = randomUUID();
    const hold = await api.post(HOLD, alice, { 'idempotency-key': key });
    expect(hold.status).toBe(201);
    await sleep(1500); // appendfsync everysec: anything older than a second is on disk
    await redis.master.kill('SIGKILL');

    // Fully down: every write is a quick 503 problem, reads still come from the database.
    const elapsed: number[] = [];
    for (const [path, body] of [
      [HOLD, { seatIds: [seatIds[5]], userId: 'carol' }],
      [BOOK, alice],
      [RELEASE, alice],
    ] as const) {
      const started = performance.now();
      const reply = await api.post(path, body);
      elapsed.push(performance.now() - started);
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(reply.headers.get('retry-after')).toBeTruthy();
    }
    report(`[redis down] writes answered 503 in ${elapsed.map((ms) => ms.toFixed(1)).join(', ')} ms`);
    expect(Math.max(...elapsed)).toBeLessThan(1000);
    const map = await api.get(`/api/seats/${showId}`);
    expect(map.status).toBe(200);
    expect(map.body.seats.slice(0, 3).map((seat: { status: string }) => seat.status)).toEqual(['HELD', 'HELD', 'AVAILABLE']);
    expect((await api.get('/health/ready')).status).toBe(503);

    // Back from the AOF: the service notices by itself.
    const restarted = performance.now();
    await redis.master.start();
    await waitFor('readiness after the restart', async () => (await api.get('/health/ready')).status === 200, 15_000);
    report(`[redis restart] ready ${(performance.now() - restarted).toFixed(0)} ms after redis-server was started again`);

    // The lock and the cached response came back from disk, not from the database.
    expect(await api.redis.exists(lockKey(showId, seatIds[0]))).toBe(1);
    const replay = await api.post(HOLD, alice, { 'idempotency-key': key });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.raw).toBe(hold.raw);
    expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'bob' })).status).toBe(409);

    const booking = await api.post(BOOK, alice);
    expect(booking.status).toBe(201);
    expect((await api.post(HOLD, { seatIds: [seatIds[5]], userId: 'carol' })).status).toBe(201);
  });
});
