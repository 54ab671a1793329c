import { PostgresDatabase } from '@app/db';
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { Redis } from 'ioredis';
import type { Socket } from 'socket.io-client';
import { freePort, waitFor } from '../../infra-local/src/redis-topology.js';
import { runContention, type ContentionResult } from './contention.js';
import { closedLoop, HttpClient, percentile, Recorder, round } from './load.js';
import {
  ADMIN_TOKEN,
  CONNECTIONS,
  connect,
  createDatabase,
  dropDatabase,
  FANS,
  flushRedis,
  hasServerErrors,
  HOLD_TTL_SECONDS,
  log,
  machine,
  newShow,
  only,
  OUT_DIR,
  pids,
  quick,
  REDIS_URL,
  seconds,
  startApi,
} from './bench-setup.js';
import { watchMemory } from './proc.js';
import { markdown, redisMemoryLine, sellerRecordsLine, stadiumMarkdown, venueMarkdown } from './report.js';
import { redisMemoryScenario } from './redis-memory.js';
import { stadiumScenario } from './stadium.js';
import { venueScenario } from './venue.js';
import { webhooksScenario } from './webhooks.js';
import { sellerRecordsScenario } from './seller-records.js';
import { holdBookScenario, holdScenario, leanFloorScenario, withLiveHolds } from './write-path.js';

/**
 * `npm run bench`: starts the built service against PostgreSQL and Redis and measures, in one
 * run, contention, hold and hold+book throughput, expiry delay, socket.io fan-out, and two bare
 * floors (one Redis SET NX, one PostgreSQL conditional UPDATE per request) loaded the same way.
 * Writes .bench/results.json and .bench/results.md. `-- --quick` shortens every phase.
 */

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const databaseName = `seat_bench_${Date.now().toString(36)}`;
  const databaseUrl = await createDatabase(databaseName);
  await flushRedis();
  const database = PostgresDatabase.connect(databaseUrl, 4);
  const children: ChildProcess[] = [];
  apart.databaseUrl = databaseUrl;
  apart.children = children;
  try {
    const port = await freePort();
    const api = await startApi(port, databaseUrl, children);
    const baseUrl = `http://127.0.0.1:${port}`;
    log(`service pid ${api.pid} on ${baseUrl} (PostgreSQL ${databaseName}, Redis ${REDIS_URL})`);
    pids.service = api.pid!;
    const redisInfo = new Redis(REDIS_URL);
    pids.redis = Number(/process_id:(\d+)/.exec(await redisInfo.info('server'))?.[1]);
    redisInfo.disconnect();
    const memory = watchMemory(api.pid!);

    if (only) {
      // Profiling aid: one scenario against the service, nothing written.
      const scenario = {
        stadium: (u: string, d: PostgresDatabase) => stadium(u, d),
        contention: contentionScenario,
        'holds-distinct': (u: string, d: PostgresDatabase) => holdScenario(u, d, 'distinct'),
        'holds-contended': (u: string, d: PostgresDatabase) => holdScenario(u, d, 'contended'),
        'hold-book': holdBookScenario,
        lean: (u: string, d: PostgresDatabase) => leanFloorScenario({ baseUrl: u, pid: pids.service }, databaseUrl, d, children),
        expiry: expiryScenario,
        fanout: fanoutScenario,
        venue: venueScenario,
        webhooks: webhooksScenario,
        'seller-records': sellerRecordsScenario,
        'redis-memory': (_: string, d: PostgresDatabase) => redisMemoryScenario(databaseUrl, d, children),
      }[only];
      if (!scenario)
        throw new Error(
          `BENCH_ONLY must be stadium, contention, holds-distinct, holds-contended, hold-book, lean, expiry, fanout, venue, webhooks, seller-records or redis-memory`,
        );
      const result = await scenario(baseUrl, database);
      const figures = { ...result, peakRssMb: memory.stop() };
      console.log(JSON.stringify(figures, null, 2));
      if (only === 'venue') console.log(`\n${venueMarkdown(figures).join('\n')}`);
      if (only === 'redis-memory') console.log(`\n${redisMemoryLine(figures)}`);
      if (only === 'seller-records') console.log(`\n${sellerRecordsLine(figures)}`);
      if (only === 'stadium') {
        // The stadium's figures are kept (and shown) like a full run's, one object per run.
        writeFileSync(
          `${OUT_DIR}/results.json`,
          JSON.stringify({ date: new Date().toISOString(), machine: machine(), stadium: figures }, null, 2),
        );
        writeFileSync(`${OUT_DIR}/results.md`, stadiumMarkdown(figures).join('\n'));
        console.log(`\n${stadiumMarkdown(figures).join('\n')}`);
      }
      api.kill('SIGINT');
      await new Promise((resolve) => api.once('exit', resolve));
      return;
    }
    const contention = await contentionScenario(baseUrl, database);
    const holdsDistinct = await holdScenario(baseUrl, database, 'distinct');
    const holdsContended = await holdScenario(baseUrl, database, 'contended');
    const pairs = await holdBookScenario(baseUrl, database);
    const leanFloor = await leanFloorScenario({ baseUrl, pid: pids.service }, databaseUrl, database, children);
    const pairsWithLiveHolds = await withLiveHolds(database, 20_000, () => holdBookScenario(baseUrl, database));
    const expiry = await expiryScenario(baseUrl, database);
    const fanout = await fanoutScenario(baseUrl, database);
    const venue = await venueScenario(baseUrl, database);
    const webhooks = await webhooksScenario(baseUrl, database);
    const sellerRecords = await sellerRecordsScenario(baseUrl, database);
    // The write-path scenarios' own peak, before the stadium's 5,000 sockets and 50,000-seat maps.
    const peakRssBeforeStadiumMb = memory.peak();
    const stadiumResult = await stadium(baseUrl, database);
    const peakRssMb = memory.stop();
    const redisMemory = await redisMemoryScenario(databaseUrl, database, children);

    api.kill('SIGTERM');
    const floors = await floorScenarios(databaseUrl, children);

    const results = {
      date: new Date().toISOString(),
      machine: machine(),
      settings: { quick, connections: CONNECTIONS, holdTtlSeconds: HOLD_TTL_SECONDS },
      contention,
      holdsDistinct,
      holdsContended,
      holdBook: pairs,
      holdBookWithLiveHolds: pairsWithLiveHolds,
      leanFloor,
      expiry,
      fanout,
      venue,
      webhooks,
      sellerRecords,
      redisMemory,
      stadium: { ...stadiumResult, peakRssMb: peakRssMb },
      floors,
      ratios: {
        contendedHoldsToRedisFloor: round(holdsContended.perSecond / floors.redis.perSecond, 2),
        contendedHoldsToNestRedisFloor: round(holdsContended.perSecond / floors.nestRedis.perSecond, 2),
        nestRedisFloorToRedisFloor: round(floors.nestRedis.perSecond / floors.redis.perSecond, 2),
        distinctHoldsToRedisFloor: round(holdsDistinct.perSecond / floors.redis.perSecond, 2),
        distinctHoldsToPostgresFloor: round(holdsDistinct.perSecond / floors.postgres.perSecond, 2),
        holdBookPairsToPostgresFloor: round(pairs.pairsPerSecond! / floors.postgres.perSecond, 2),
        holdBookP50WithLiveHoldsToWithout: round(pairsWithLiveHolds.p50 / pairs.p50, 2),
      },
      peakRssMb,
      peakRssBeforeStadiumMb,
    };
    writeFileSync(`${OUT_DIR}/results.json`, JSON.stringify(results, null, 2));
    writeFileSync(`${OUT_DIR}/results.md`, markdown(results));
    console.log(`\n${markdown(results)}`);
    log(`wrote ${OUT_DIR}/results.json and ${OUT_DIR}/results.md`);
    const failed =
      contention.doubleSales > 0 ||
      contention.serverErrors > 0 ||
      [holdsDistinct, holdsContended, pairs].some(hasServerErrors) ||
      Object.keys(stadiumResult.buyers.answers).some((status) => Number(status) >= 500) ||
      venue.doubleSales > 0 ||
      venue.floor.overCapacity;
    process.exitCode = failed ? 1 : 0;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await database.close();
    await dropDatabase(databaseName);
  }
}

// --- scenarios ---

/** Where the stadium's second service process (BENCH_LIVE_APART) connects, set by `main`. */
const apart = { databaseUrl: '', children: [] as ChildProcess[] };
const stadium = async (baseUrl: string, database: PostgresDatabase) => {
  // BENCH_LIVE_APART=1: the fans connect to a second instance of the service (the live feed served
  // by a process of its own), the buyers and readers to the first.
  let live: { url: string; pid: number } | undefined;
  if (process.env.BENCH_LIVE_APART) {
    const port = await freePort();
    const child = await startApi(port, apart.databaseUrl, apart.children, {}, 'live.log');
    live = { url: `http://127.0.0.1:${port}`, pid: child.pid! };
  }
  return stadiumScenario({
    baseUrl,
    live,
    adminToken: ADMIN_TOKEN,
    database,
    redisUrl: REDIS_URL,
    servicePid: pids.service,
    fans: FANS,
    phaseMs: seconds(10),
    log,
  });
};

async function contentionScenario(baseUrl: string, database: PostgresDatabase) {
  log('1. contention: 500 users on 10 seats, hold then book');
  const { seatIds } = await newShow(database, 1, 10);
  const result: ContentionResult = await runContention({ baseUrl, seatIds, vus: 500, durationMs: seconds(20) });
  // Double sales are counted from the database, not only from the answers.
  const { rows } = await database.pool.query(
    'select seat_id, count(*)::int as n from booking_seats where seat_id = any($1) group by seat_id',
    [seatIds],
  );
  const soldInDb = Object.fromEntries(rows.map((row: { seat_id: string; n: number }) => [row.seat_id, row.n]));
  const answered = Object.values(result.bookings).flat();
  const mismatched = seatIds.filter((id) => (soldInDb[id] ?? 0) !== answered.filter((seat) => seat === id).length);
  return {
    vus: result.vus,
    holds: result.holds,
    books: result.books,
    seatsSold: Object.keys(soldInDb).length,
    doubleSales: result.soldTwice.length + mismatched.length,
    serverErrors: result.serverErrors,
    replays: result.replays,
  };
}

async function expiryScenario(baseUrl: string, database: PostgresDatabase) {
  log(`4. expiry: 200 holds of ${HOLD_TTL_SECONDS} s lapse together`);
  const { showId, seatIds } = await newShow(database, 10, 20);
  const socket = await connect(baseUrl);
  await socket.timeout(5000).emitWithAck('subscribe', { showId });
  const freedAt = new Map<string, number>();
  socket.on('seats:changed', (event: { changes: { seatId: string; status: string }[] }) => {
    for (const change of event.changes) if (change.status === 'AVAILABLE') freedAt.set(change.seatId, Date.now());
  });
  const client = new HttpClient(baseUrl, 50);
  const holds = await Promise.all(
    seatIds.map((seatId, i) =>
      client.post('/api/seats/hold-bulk', { seatIds: [seatId], userId: `expiring-${i}` }, { 'Idempotency-Key': randomUUID() }),
    ),
  );
  await client.close();
  const expiresAt = new Map(holds.map((hold, i) => [seatIds[i], hold.status === 201 ? Date.parse(JSON.parse(hold.body).expiresAt) : NaN]));
  await waitFor('every hold to be freed', async () => freedAt.size === seatIds.length, HOLD_TTL_SECONDS * 1000 + 30_000, 20).catch(
    () => undefined,
  );
  socket.close();
  const delays = seatIds.filter((id) => freedAt.has(id)).map((id) => freedAt.get(id)! - expiresAt.get(id)!);
  return {
    holds: seatIds.length,
    freed: delays.length,
    medianMs: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    worstMs: Math.max(...delays),
  };
}

async function fanoutScenario(baseUrl: string, database: PostgresDatabase) {
  const clients = quick ? 500 : 2000;
  log(`5. fan-out: ${clients} socket.io clients on one show`);
  const { showId, seatIds } = await newShow(database, 1, 20);
  const sockets: Socket[] = [];
  const delays: number[] = [];
  for (let i = 0; i < clients; i += 100) {
    const batch = await Promise.all(Array.from({ length: Math.min(100, clients - i) }, () => connect(baseUrl)));
    await Promise.all(batch.map((socket) => socket.timeout(10_000).emitWithAck('subscribe', { showId })));
    sockets.push(...batch);
  }
  for (const socket of sockets) socket.on('seats:changed', (event: { at: string }) => delays.push(Date.now() - Date.parse(event.at)));
  const client = new HttpClient(baseUrl, 1);
  const changes = 10;
  for (let i = 0; i < changes; i++) {
    await client.post('/api/seats/hold-bulk', { seatIds: [seatIds[i]], userId: 'fan-out' }, { 'Idempotency-Key': randomUUID() });
    await waitFor('every client to hear the change', async () => delays.length >= (i + 1) * clients, 10_000, 5).catch(() => undefined);
  }
  await client.close();
  for (const socket of sockets) socket.close();
  return {
    clients,
    changes,
    deliveries: delays.length,
    expected: clients * changes,
    medianMs: percentile(delays, 50),
    p99Ms: percentile(delays, 99),
    worstMs: Math.max(...delays),
  };
}

async function floorScenarios(databaseUrl: string, children: ChildProcess[]) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  await pool.query('create table floor_seats (id text primary key, holder text)');
  await pool.query(`insert into floor_seats select 'floor-' || g, null from generate_series(0, 99999) g`);
  await pool.end();
  const run = async (kind: 'redis' | 'postgres' | 'nest-redis', url: string) => {
    log(
      `6. floor: ${kind === 'nest-redis' ? 'Nest (express) controller' : 'bare http server'}, one ${kind === 'postgres' ? 'PostgreSQL conditional UPDATE' : 'Redis SET NX PX'} per request`,
    );
    const port = await freePort();
    const child = fork(new URL('./floor-server.js', import.meta.url), [kind, String(port), url], { stdio: 'inherit' });
    children.push(child);
    await new Promise((resolve, reject) => {
      child.once('message', resolve);
      child.once('exit', reject);
    });
    const client = new HttpClient(`http://127.0.0.1:${port}`, CONNECTIONS);
    const recorder = new Recorder();
    let next = 0;
    await closedLoop(CONNECTIONS, seconds(10), async (worker) => {
      await client.post('/', { seatIds: [`floor-${next++ % 100_000}`], userId: `floor-${worker}` }, {}, recorder);
    });
    recorder.endedAt = performance.now();
    await client.close();
    child.kill('SIGTERM');
    return recorder.summary();
  };
  return {
    redis: await run('redis', REDIS_URL),
    nestRedis: await run('nest-redis', REDIS_URL),
    postgres: await run('postgres', databaseUrl),
  };
}

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
