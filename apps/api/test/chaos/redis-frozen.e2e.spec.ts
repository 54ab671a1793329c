import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTopology } from '../../../infra-local/src/redis-topology.js';
import { realBackend } from '../support/backends.js';
import { canRunChaos, sleep } from '../support/chaos.js';
import { Harness } from '../support/harness.js';
import { report } from '../support/report.js';

const HOLD = '/api/seats/hold-bulk';

/**
 * Redis frozen (SIGSTOP): the connection stays open but nothing answers, the worst case for a
 * client. Writes must still fail closed with a 503 quickly, and seat maps and the show list must
 * still be served (from the database) within 3 s; after SIGCONT everything works again.
 */
describe.skipIf(!canRunChaos)('Redis frozen with SIGSTOP', () => {
  let redis: RedisTopology;
  let api: Harness;

  beforeAll(async () => {
    redis = await RedisTopology.start({ standalone: true });
    api = await Harness.start(realBackend, { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    if (redis?.master.pid) process.kill(redis.master.pid, 'SIGCONT');
    await api?.close();
    await redis?.stop();
  });

  it('answers writes 503 and still serves seat maps and the list, then recovers', async () => {
    const { showId, seatIds } = await api.newShow(2, 5);
    expect((await api.post(HOLD, { seatIds: [seatIds[0]], userId: 'before' })).status).toBe(201);
    const before = (await api.get(`/api/seats/${showId}`)).body;

    process.kill(redis.master.pid!, 'SIGSTOP');
    try {
      const timings: string[] = [];
      for (let i = 0; i < 3; i++) {
        let started = performance.now();
        const write = await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'frozen' });
        const writeMs = performance.now() - started;
        expect(write.status).toBe(503);
        expect(writeMs).toBeLessThan(2000);
        started = performance.now();
        const map = await api.get(`/api/seats/${showId}`);
        const list = await api.get('/api/seats/shows');
        const readMs = performance.now() - started;
        expect(map.status).toBe(200);
        expect(map.body.seats.find((seat: { id: string }) => seat.id === seatIds[0]).status).toBe('HELD');
        expect(map.body.version).toBe(before.version);
        expect(list.status).toBe(200);
        expect(readMs).toBeLessThan(3000);
        timings.push(`write 503 in ${Math.round(writeMs)} ms, map + list in ${Math.round(readMs)} ms`);
      }
      report(`[redis frozen] ${timings.join('; ')}`);
    } finally {
      process.kill(redis.master.pid!, 'SIGCONT');
    }

    // Thawed: writes go through again, and a read reflects them.
    let hold = await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'after' });
    for (let i = 0; i < 50 && hold.status === 503; i++) {
      await sleep(100);
      hold = await api.post(HOLD, { seatIds: [seatIds[1]], userId: 'after' });
    }
    expect(hold.status).toBe(201);
    const after = (await api.get(`/api/seats/${showId}`)).body;
    expect(after.version).toBeGreaterThan(before.version);
    expect(after.seats.find((seat: { id: string }) => seat.id === seatIds[1]).status).toBe('HELD');
  }, 60_000);
});
