import type { PostgresDatabase } from '@app/db';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { ADMIN_TOKEN, CONNECTIONS, log, REDIS_URL, seconds, startApi } from './bench-setup.js';
import { closedLoop, HttpClient, Recorder, round } from './load.js';
import { freePort } from '../../infra-local/src/redis-topology.js';

/**
 * What Redis keeps of a sale, and for how long: a show of 10,000 seats starting in a minute is
 * sold out by `CONNECTIONS` buyers (hold 4, book them), through an instance of its own whose show
 * keys outlive a show's start by 20 s (`REDIS_SHOW_GRACE_HOURS`). `INFO memory` and the show's
 * keys are read before, after the sale and once the grace has passed.
 */

const SEATS = 10_000;
const PER_HOLD = 4;
const GRACE_HOURS = 20 / 3600;

async function usedMemory(redis: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
}

async function countKeys(redis: Redis, pattern: string): Promise<number> {
  let count = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

const showKeys = (redis: Redis, showId: string) => countKeys(redis, `*{${showId}}*`);

export async function redisMemoryScenario(databaseUrl: string, _database: PostgresDatabase, children: ChildProcess[]) {
  log(`9. Redis memory: a ${SEATS}-seat show sold out, then its grace (20 s here) passes`);
  const port = await freePort();
  const api = await startApi(port, databaseUrl, children, {
    REDIS_SHOW_GRACE_HOURS: String(GRACE_HOURS),
    REDIS_RECONCILE_INTERVAL_MS: '5000',
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const redis = new Redis(REDIS_URL);
  try {
    const showId = `memory-${randomUUID().slice(0, 8)}`;
    const startsAt = new Date(Date.now() + 60_000);
    const created = await fetch(`${baseUrl}/api/admin/shows`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: showId,
        title: 'Memory',
        startsAt: startsAt.toISOString(),
        salesOpenAt: '2020-01-01T00:00:00Z',
        sections: Array.from({ length: 10 }, (_, s) => ({
          key: `s${s + 1}`,
          rows: Array.from({ length: 40 }, (_, r) => ({ label: `R${r + 1}`, seats: SEATS / 400 })),
        })),
      }),
    });
    if (created.status !== 201) throw new Error(`creating the show answered ${created.status}`);
    const layout = (await (await fetch(`${baseUrl}/api/seats/${showId}/layout`)).json()) as { seats: { id: string }[] };
    const before = await usedMemory(redis);
    const idempotencyBefore = await countKeys(redis, 'idem:*');

    const client = new HttpClient(baseUrl, CONNECTIONS);
    const holds = new Recorder();
    let next = 0;
    let sold = 0;
    await closedLoop(CONNECTIONS, Math.min(seconds(45), startsAt.getTime() - Date.now() - 5_000), async (worker) => {
      if (next >= layout.seats.length) return false;
      const seatIds = layout.seats.slice(next, next + PER_HOLD).map((seat) => seat.id);
      next += PER_HOLD;
      const userId = `buyer-${worker}`;
      const held = await client.post('/api/seats/hold-bulk', { seatIds, userId }, { 'Idempotency-Key': randomUUID() }, holds);
      if (held.status !== 201) return;
      const booked = await client.post('/api/seats/book-bulk', { seatIds, userId }, { 'Idempotency-Key': randomUUID() });
      if (booked.status === 201) sold += seatIds.length;
    });
    await client.close();
    const afterSale = await usedMemory(redis);
    const keysAfterSale = await showKeys(redis, showId);
    const idempotencyAfterSale = (await countKeys(redis, 'idem:*')) - idempotencyBefore;

    const endsAt = startsAt.getTime() + GRACE_HOURS * 3_600_000;
    log(`   ${sold} seats sold; waiting ${Math.round((endsAt - Date.now()) / 1000)} s for the show's start and grace to pass`);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, endsAt - Date.now()) + 6_000));
    const afterGrace = await usedMemory(redis);
    const keysAfterGrace = await showKeys(redis, showId);
    return {
      seats: SEATS,
      sold,
      usedMemoryBeforeMb: round(before / 2 ** 20, 2),
      usedMemoryAfterSaleMb: round(afterSale / 2 ** 20, 2),
      usedMemoryAfterGraceMb: round(afterGrace / 2 ** 20, 2),
      bytesPerSoldSeat: Math.round((afterSale - before) / Math.max(sold, 1)),
      bytesPerSoldSeatAfterGrace: Math.round((afterGrace - before) / Math.max(sold, 1)),
      showKeysAfterSale: keysAfterSale,
      showKeysAfterGrace: keysAfterGrace,
      /** Responses kept for retries (IDEMPOTENCY_TTL_SECONDS, a day by default): what remains after the grace. */
      idempotencyRecordsOfTheSale: idempotencyAfterSale,
    };
  } finally {
    redis.disconnect();
    api.kill('SIGTERM');
    await new Promise((resolve) => api.once('exit', resolve));
  }
}
