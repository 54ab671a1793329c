import { createServer, type Server } from 'node:http';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { realBackend, REDIS_TEST_URL, redisDbForWorker, TEST_ADMIN_TOKEN, testDatabase } from '../support/backends.js';
import { report } from '../support/report.js';
import { ServerProcess } from '../support/server-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The API killed with kill -9 while 20 bookings are in flight, then started again: every booking
 * the database committed has its booking.confirmed delivered (by the restarted process, from the
 * outbox), and no message names a booking that did not commit.
 */
describe.skipIf(!realBackend.available)('the API killed with kill -9 while bookings are in flight', () => {
  let database: { url: string; drop: () => Promise<void> };
  let receiver: Server;
  const received: { id: string; bookingId: string }[] = [];
  let server: ServerProcess | undefined;

  beforeAll(async () => {
    database = await testDatabase();
    const redis = new Redis(`${REDIS_TEST_URL}/${redisDbForWorker()}`);
    await redis.flushdb();
    redis.disconnect();
    receiver = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        received.push({
          id: String(request.headers['webhook-id']),
          bookingId: (JSON.parse(body) as { data: { bookingId: string } }).data.bookingId,
        });
        response.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  }, 60_000);
  afterAll(async () => {
    server?.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await database?.drop();
  });

  const env = () => ({
    DATABASE_URL: database.url,
    REDIS_URL: `${REDIS_TEST_URL}/${redisDbForWorker()}`,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_RETRY_SCHEDULE: '1',
  });

  it('delivers a message for every committed booking and none for the others', async () => {
    server = await ServerProcess.start(env());
    const admin = (path: string, body: unknown) =>
      fetch(`${server!.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const post = (path: string, body: unknown, key: string) =>
      fetch(`${server!.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
      });
    const port = (receiver.address() as { port: number }).port;
    expect((await admin('/api/admin/webhooks', { url: `http://127.0.0.1:${port}/hooks`, events: ['booking.confirmed'] })).status).toBe(201);
    const created = await admin('/api/admin/shows', {
      id: 'crash-show',
      title: 'Crash',
      startsAt: '2030-01-01T20:00:00Z',
      salesOpenAt: '2020-01-01T00:00:00Z',
      sections: [{ key: 'main', rows: [{ label: 'A', seats: 20 }] }],
    });
    expect(created.status).toBe(201);
    const seatIds = Array.from({ length: 20 }, (_, i) => `crash-show_main_A_${i + 1}`);
    const holds = await Promise.all(
      seatIds.map((seatId, i) => post('/api/seats/hold-bulk', { seatIds: [seatId], userId: `b${i}` }, `h${i}`)),
    );
    expect(holds.map((hold) => hold.status)).toEqual(seatIds.map(() => 201));

    // 20 bookings in flight when the process dies.
    const answered: string[] = [];
    const bookings = seatIds.map((seatId, i) =>
      post('/api/seats/book-bulk', { seatIds: [seatId], userId: `b${i}` }, `k${i}`)
        .then(async (reply) => {
          if (reply.status === 201) answered.push(((await reply.json()) as { bookingId: string }).bookingId);
        })
        .catch(() => undefined),
    );
    // Killed once a couple have been answered: the rest are cut off mid-transaction, or just committed.
    for (let i = 0; i < 500 && answered.length < 2; i++) await sleep(2);
    server.stop();
    await Promise.all(bookings);
    const before = received.length;

    server = await ServerProcess.start(env());
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const committed = (await client.query<{ id: string }>(`select id from bookings where show_id = 'crash-show'`)).rows.map(
      (row) => row.id,
    );
    await client.end();
    const deadline = Date.now() + 20_000;
    while (new Set(received.map((message) => message.bookingId)).size < committed.length && Date.now() < deadline) await sleep(50);
    await sleep(500); // anything more that was going to arrive

    const delivered = new Set(received.map((message) => message.bookingId));
    expect([...delivered].sort()).toEqual([...committed].sort());
    for (const bookingId of answered) expect(committed).toContain(bookingId);
    report(
      `[webhooks crash] kill -9 with 20 bookings in flight: ${answered.length} answered 201, ${committed.length} committed, ` +
        `${before} delivered before the kill, all ${delivered.size} delivered after the restart (${received.length} messages, ${received.length - new Set(received.map((m) => m.id)).size} repeated)`,
    );
  }, 90_000);
});
