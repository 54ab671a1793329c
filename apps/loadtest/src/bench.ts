import { createShow, PostgresDatabase } from '@app/db';
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import pg from 'pg';
import { Redis } from 'ioredis';
import { io, type Socket } from 'socket.io-client';
import { freePort, waitFor } from '../../infra-local/src/redis-topology.js';
import { runContention, type ContentionResult } from './contention.js';
import { closedLoop, HttpClient, type LoadSummary, percentile, Recorder, round } from './load.js';
import { startCosting, watchMemory } from './proc.js';
import { markdown, stadiumMarkdown, type Throughput } from './report.js';
import { stadiumScenario } from './stadium.js';

/**
 * `npm run bench`: starts the built service against PostgreSQL and Redis and measures, in one
 * run, contention, hold and hold+book throughput, expiry delay, socket.io fan-out, and two bare
 * floors (one Redis SET NX, one PostgreSQL conditional UPDATE per request) loaded the same way.
 * Writes .bench/results.json and .bench/results.md. `-- --quick` shortens every phase.
 */
const quick = process.argv.includes('--quick');
const seconds = (full: number) => (quick ? Math.max(2, full / 5) : full) * 1000;
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = `${process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'}/14`;
const HOLD_TTL_SECONDS = 3;
const ADMIN_TOKEN = `bench-admin-${randomUUID()}`;
/** Fans of the stadium scenario: socket.io clients in 4 load processes of their own. */
const FANS = Number(process.env.BENCH_FANS ?? (quick ? 1000 : 5000));
const CONNECTIONS = 64;
const OUT_DIR = '.bench';
/** BENCH_ONLY=<scenario> runs one throughput scenario; BENCH_NODE_OPTIONS (e.g. --prof) go to the service's node. */
const only = process.env.BENCH_ONLY;
const serviceNodeOptions = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);

/** Updates of `seats` so far, and how many were HOT (statistics reach the view within a second or so). */
async function seatUpdates(database: PostgresDatabase): Promise<{ updates: number; hot: number }> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await database.pool.query(
    `select n_tup_upd::int as updates, n_tup_hot_upd::int as hot from pg_stat_user_tables where relname = 'seats'`,
  );
  return rows[0] ?? { updates: 0, hot: 0 };
}

/** The service's transaction counters, from its metrics. */
async function transactionCounts(baseUrl: string): Promise<{ transactions: number; retries: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { transactions: value('db_transactions_total'), retries: value('db_transaction_retries_total') };
}

async function main(): Promise<void> {
  mkdirSync(OUT_DIR, { recursive: true });
  const databaseName = `seat_bench_${Date.now().toString(36)}`;
  const databaseUrl = await createDatabase(databaseName);
  await flushRedis();
  const database = PostgresDatabase.connect(databaseUrl, 4);
  const children: ChildProcess[] = [];
  try {
    const port = await freePort();
    const api = await startApi(port, databaseUrl, children);
    const baseUrl = `http://127.0.0.1:${port}`;
    log(`service pid ${api.pid} on ${baseUrl} (PostgreSQL ${databaseName}, Redis ${REDIS_URL})`);
    servicePid = api.pid!;
    const redisInfo = new Redis(REDIS_URL);
    redisPid = Number(/process_id:(\d+)/.exec(await redisInfo.info('server'))?.[1]);
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
        lean: async (u: string, d: PostgresDatabase) =>
          leanComparison(
            { holdBook: await holdBookLoop(u, d, servicePid), holdsContended: await holdScenario(u, d, 'contended') },
            await leanFloorScenario(databaseUrl, d, children),
          ),
        expiry: expiryScenario,
        fanout: fanoutScenario,
      }[only];
      if (!scenario)
        throw new Error(`BENCH_ONLY must be stadium, contention, holds-distinct, holds-contended, hold-book, lean, expiry or fanout`);
      const result = await scenario(baseUrl, database);
      const figures = { ...result, peakRssMb: memory.stop() };
      console.log(JSON.stringify(figures, null, 2));
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
    const leanFloor = leanComparison({ holdBook: pairs, holdsContended }, await leanFloorScenario(databaseUrl, database, children));
    const pairsWithLiveHolds = await withLiveHolds(database, 20_000, () => holdBookScenario(baseUrl, database));
    const expiry = await expiryScenario(baseUrl, database);
    const fanout = await fanoutScenario(baseUrl, database);
    // The write-path scenarios' own peak, before the stadium's 5,000 sockets and 50,000-seat maps.
    const peakRssBeforeStadiumMb = memory.peak();
    const stadiumResult = await stadium(baseUrl, database);
    const peakRssMb = memory.stop();

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
      Object.keys(stadiumResult.buyers.answers).some((status) => Number(status) >= 500);
    process.exitCode = failed ? 1 : 0;
  } finally {
    for (const child of children) child.kill('SIGKILL');
    await database.close();
    await dropDatabase(databaseName);
  }
}

// --- scenarios ---

let servicePid = 0;
let redisPid = 0;
const stadium = (baseUrl: string, database: PostgresDatabase) =>
  stadiumScenario({ baseUrl, adminToken: ADMIN_TOKEN, database, redisUrl: REDIS_URL, servicePid, fans: FANS, phaseMs: seconds(10), log });

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

async function holdScenario(
  baseUrl: string,
  database: PostgresDatabase,
  kind: 'distinct' | 'contended',
  pid = servicePid,
): Promise<Throughput> {
  log(`2. hold throughput, ${kind} seats, ${CONNECTIONS} connections${pid === servicePid ? '' : ' (lean floor)'}`);
  const { seatIds } = await newShow(database, 100, 100);
  const client = new HttpClient(baseUrl, CONNECTIONS);
  const recorder = new Recorder();
  let next = 0;
  const costed = startCosting({ service: pid, redis: redisPid });
  await closedLoop(CONNECTIONS, seconds(10), async (worker) => {
    const seatId = kind === 'distinct' ? seatIds[next++ % seatIds.length] : seatIds[Math.floor(Math.random() * 10)];
    await client.post(
      '/api/seats/hold-bulk',
      { seatIds: [seatId], userId: `holder-${worker}` },
      { 'Idempotency-Key': randomUUID() },
      recorder,
    );
  });
  recorder.endedAt = performance.now();
  const cost = costed(recorder.count);
  await client.close();
  return { ...recorder.summary(), cpuMsPerRequest: cost.cpuMsPerUnit, writeSyscallsPerRequest: cost.writeSyscallsPerUnit };
}

async function holdBookScenario(baseUrl: string, database: PostgresDatabase): Promise<Throughput> {
  log(`3. hold + book throughput, distinct seats, ${CONNECTIONS} connections`);
  const before = await transactionCounts(baseUrl);
  const updatesBefore = await seatUpdates(database);
  const summary = await holdBookLoop(baseUrl, database, servicePid);
  const after = await transactionCounts(baseUrl);
  // Holds run at READ COMMITTED and are not retried on 40001: the retries are the bookings' (an upper bound).
  const retriesPerBooking = round((after.retries - before.retries) / Math.max(1, summary.statuses['201'] ?? 0), 3);
  const transactionsPerPair = round((after.transactions - before.transactions) / Math.max(1, summary.statuses['201'] ?? 0), 2);
  const updatesAfter = await seatUpdates(database);
  const hotUpdateShare = round((updatesAfter.hot - updatesBefore.hot) / Math.max(1, updatesAfter.updates - updatesBefore.updates), 2);
  return { ...summary, retriesPerBooking, transactionsPerPair, hotUpdateShare };
}

/** Holds then books 1 fresh seat per loop on 64 connections for 10 s; what each pair cost the process `pid`. */
async function holdBookLoop(baseUrl: string, database: PostgresDatabase, pid: number): Promise<Throughput> {
  const { seatIds } = await newShow(database, 100, 100);
  const client = new HttpClient(baseUrl, CONNECTIONS);
  const pairs = new Recorder();
  let next = 0;
  const costed = startCosting({ service: pid, redis: redisPid });
  await closedLoop(CONNECTIONS, seconds(10), async (worker) => {
    if (next >= seatIds.length) return false;
    const body = { seatIds: [seatIds[next++]], userId: `buyer-${worker}` };
    const started = performance.now();
    const hold = await client.post('/api/seats/hold-bulk', body, { 'Idempotency-Key': randomUUID() });
    const book = hold.status === 201 ? await client.post('/api/seats/book-bulk', body, { 'Idempotency-Key': randomUUID() }) : hold;
    pairs.record(book.status, performance.now() - started);
  });
  pairs.endedAt = performance.now();
  const summary = pairs.summary();
  const cost = costed(summary.statuses['201'] ?? 0);
  await client.close();
  return {
    ...summary,
    pairsPerSecond: round((summary.statuses['201'] ?? 0) / summary.seconds),
    cpuMsPerPair: cost.cpuMsPerUnit,
    writeSyscallsPerPair: cost.writeSyscallsPerUnit,
  };
}

/** The service and the lean floor side by side, as `.bench/results.json` has them (`leanFloor`). */
function leanComparison(
  service: { holdBook: Throughput; holdsContended: Throughput },
  lean: { holdBook: Throughput; holdsContended: Throughput },
) {
  const pairsOf = (t: Throughput) => ({
    pairsPerSecond: t.pairsPerSecond,
    cpuMsPerPair: t.cpuMsPerPair,
    writeSyscallsPerPair: t.writeSyscallsPerPair,
    statuses: t.statuses,
  });
  const requestsOf = (t: Throughput) => ({
    perSecond: t.perSecond,
    cpuMsPerRequest: t.cpuMsPerRequest,
    writeSyscallsPerRequest: t.writeSyscallsPerRequest,
    statuses: t.statuses,
  });
  return {
    holdBook: { service: pairsOf(service.holdBook), lean: pairsOf(lean.holdBook) },
    holdsContended: { service: requestsOf(service.holdsContended), lean: requestsOf(lean.holdsContended) },
    ratios: {
      serviceCpuPerPairToLean: round(service.holdBook.cpuMsPerPair!.service / lean.holdBook.cpuMsPerPair!.service, 2),
      pairsPerSecondToLean: round(service.holdBook.pairsPerSecond! / lean.holdBook.pairsPerSecond!, 2),
      serviceCpuPerRefusalToLean: round(service.holdsContended.cpuMsPerRequest!.service / lean.holdsContended.cpuMsPerRequest!.service, 2),
    },
  };
}

/**
 * The lean floor (`lean-server.ts`: the same Redis commands and statements on bare `node:http`)
 * loaded exactly as the service was, just after it: hold + book and contended holds.
 */
async function leanFloorScenario(databaseUrl: string, database: PostgresDatabase, children: ChildProcess[]) {
  log('8. lean floor: the write path on bare node:http, the same Redis commands and statements');
  const port = await freePort();
  const child = fork(new URL('./lean-server.js', import.meta.url), [String(port), databaseUrl, REDIS_URL, String(HOLD_TTL_SECONDS)], {
    stdio: 'inherit',
  });
  children.push(child);
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', reject);
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    return {
      holdBook: await holdBookLoop(baseUrl, database, child.pid!),
      holdsContended: await holdScenario(baseUrl, database, 'contended', child.pid),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

/** Runs `work` while another show has `count` live holds (set by SQL, an hour long), then frees them. */
async function withLiveHolds<T>(database: PostgresDatabase, count: number, work: () => Promise<T>): Promise<T> {
  log(`3b. the same with ${count} live holds of another show in the table`);
  const { showId } = await newShow(database, Math.ceil(count / 100), 100);
  await database.pool.query(
    `update seats set status = 'HELD', hold_owner = 'elsewhere', hold_id = 'bench', hold_expires_at = now() + interval '1 hour', hold_version = hold_version + 1 where show_id = $1`,
    [showId],
  );
  await database.pool.query('analyze seats');
  try {
    return await work();
  } finally {
    await database.pool.query(
      `update seats set status = 'AVAILABLE', hold_owner = null, hold_id = null, hold_expires_at = null where show_id = $1`,
      [showId],
    );
  }
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

// --- plumbing ---

async function startApi(port: number, databaseUrl: string, children: ChildProcess[]): Promise<ChildProcess> {
  const logFile = openSync(`${OUT_DIR}/api.log`, 'w');
  const child = spawn(process.execPath, [...serviceNodeOptions, 'dist/apps/api/src/main.js'], {
    cwd: process.cwd(),
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: databaseUrl,
      REDIS_URL,
      SEED_DEMO: 'false',
      HOLD_TTL_SECONDS: String(HOLD_TTL_SECONDS),
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN,
    },
    stdio: ['ignore', logFile, logFile],
  });
  children.push(child);
  await waitFor(
    'the service to be ready',
    async () => {
      if (child.exitCode !== null) throw new Error(`the service exited (${child.exitCode}); see ${OUT_DIR}/api.log`);
      const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      return response?.status === 200;
    },
    60_000,
    200,
  );
  return child;
}

async function newShow(database: PostgresDatabase, rows: number, seatsPerRow: number) {
  const showId = `bench-${randomUUID().slice(0, 8)}`;
  await createShow(database, { id: showId, title: showId, venue: 'Benchmark hall', startsAt: new Date(), rows, seatsPerRow });
  const { rows: seats } = await database.pool.query('select id from seats where show_id = $1 order by row, number', [showId]);
  return { showId, seatIds: seats.map((seat: { id: string }) => seat.id) };
}

function connect(baseUrl: string): Promise<Socket> {
  const socket = io(`${baseUrl}/seats`, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

async function createDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}

async function flushRedis(): Promise<void> {
  const redis = new Redis(REDIS_URL);
  await redis.flushdb();
  redis.disconnect();
}

const machine = () => ({ cpus: cpus().length, model: cpus()[0]?.model, memoryGb: round(totalmem() / 2 ** 30), node: process.version });
const hasServerErrors = (summary: LoadSummary) => Object.keys(summary.statuses).some((status) => Number(status) >= 500);
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

main().catch((error: Error) => {
  console.error(`bench failed: ${error.stack ?? error.message}`);
  process.exit(1);
});
