import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../infra-local/src/redis-topology.js';
import { realBackend, REDIS_TEST_URL, redisDbForWorker } from '../../api/test/support/backends.js';

/**
 * The bench's floor servers (built, as the bench runs them) hold a seat once and refuse it after,
 * each the way it is meant to: the bare server and the Nest controller answer the 409 themselves,
 * the pipeline floor throws it through its guards and interceptor to its exception filter.
 */
describe('the bench floor servers', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGTERM');
    child = undefined;
  });

  it.skipIf(!realBackend.available).each([
    ['redis', 'application/json'],
    ['nest-redis', 'application/json'],
    ['nest-pipeline', 'application/problem+json'],
  ])('%s: one SET NX PX per request, 201 once, then 409', async (kind, refusalType) => {
    const redisUrl = `${REDIS_TEST_URL}/${redisDbForWorker()}`;
    const port = await freePort();
    child = fork('dist/apps/loadtest/src/floor-server.js', [kind, String(port), redisUrl], { stdio: 'inherit' });
    await new Promise((resolve, reject) => {
      child!.once('message', resolve);
      child!.once('exit', (code) => reject(new Error(`floor server exited (${code})`)));
    });
    const seatId = `seat-${randomUUID()}`;
    const post = (userId: string) =>
      fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seatIds: [seatId], userId }),
      });

    const first = await post('ada');
    expect(first.status).toBe(201);
    expect(await first.json()).toMatchObject({ seatIds: [seatId], userId: 'ada', taken: true });

    const second = await post('bob');
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toContain(refusalType);

    const redis = new Redis(redisUrl);
    try {
      expect(await redis.get(`floor-${kind}:${seatId}`)).toBe('ada');
      expect(await redis.pttl(`floor-${kind}:${seatId}`)).toBeGreaterThan(50_000);
    } finally {
      redis.disconnect();
    }
  });
});
