import type { PostgresDatabase } from '@app/db';
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { freePort } from '../../infra-local/src/redis-topology.js';
import { CONNECTIONS, HOLD_TTL_SECONDS, log, newShow, pids, quick, REDIS_URL, seconds } from './bench-setup.js';
import { closedLoop, HttpClient, percentile, Recorder, round } from './load.js';
import { startCosting } from './proc.js';
import type { Throughput } from './report.js';

// The write-path scenarios of the bench: holds, hold + book, and the lean floor doing the same work.

/** Updates of `seats` so far, and how many were HOT (statistics reach the view within a second or so). */
export async function seatUpdates(database: PostgresDatabase): Promise<{ updates: number; hot: number }> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const { rows } = await database.pool.query(
    `select n_tup_upd::int as updates, n_tup_hot_upd::int as hot from pg_stat_user_tables where relname = 'seats'`,
  );
  return rows[0] ?? { updates: 0, hot: 0 };
}

/** The service's transaction counters, from its metrics. */
export async function transactionCounts(baseUrl: string): Promise<{ transactions: number; retries: number }> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { transactions: value('db_transactions_total'), retries: value('db_transaction_retries_total') };
}

export async function holdScenario(
  baseUrl: string,
  database: PostgresDatabase,
  kind: 'distinct' | 'contended',
  pid = pids.service,
  ms = seconds(10),
): Promise<Throughput> {
  log(`2. hold throughput, ${kind} seats, ${CONNECTIONS} connections${pid === pids.service ? '' : ' (lean floor)'}`);
  const { seatIds } = await newShow(database, 100, 100);
  const client = new HttpClient(baseUrl, CONNECTIONS);
  const recorder = new Recorder();
  let next = 0;
  const costed = startCosting({ service: pid, redis: pids.redis });
  await closedLoop(CONNECTIONS, ms, async (worker) => {
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

export async function holdBookScenario(baseUrl: string, database: PostgresDatabase): Promise<Throughput> {
  log(`3. hold + book throughput, distinct seats, ${CONNECTIONS} connections`);
  const before = await transactionCounts(baseUrl);
  const updatesBefore = await seatUpdates(database);
  const summary = await holdBookLoop(baseUrl, database, pids.service);
  const after = await transactionCounts(baseUrl);
  // Holds run at READ COMMITTED and are not retried on 40001: the retries are the bookings' (an upper bound).
  const retriesPerBooking = round((after.retries - before.retries) / Math.max(1, summary.statuses['201'] ?? 0), 3);
  const transactionsPerPair = round((after.transactions - before.transactions) / Math.max(1, summary.statuses['201'] ?? 0), 2);
  const updatesAfter = await seatUpdates(database);
  const hotUpdateShare = round((updatesAfter.hot - updatesBefore.hot) / Math.max(1, updatesAfter.updates - updatesBefore.updates), 2);
  return { ...summary, retriesPerBooking, transactionsPerPair, hotUpdateShare };
}

/** Holds then books 1 fresh seat per loop on 64 connections for 10 s (or `ms`); what each pair cost the process `pid`. */
export async function holdBookLoop(baseUrl: string, database: PostgresDatabase, pid: number, ms = seconds(10)): Promise<Throughput> {
  const { seatIds } = await newShow(database, 100, 100);
  const client = new HttpClient(baseUrl, CONNECTIONS);
  const pairs = new Recorder();
  let next = 0;
  const costed = startCosting({ service: pid, redis: pids.redis });
  await closedLoop(CONNECTIONS, ms, async (worker) => {
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

/** Where one side of a comparison answers, and the process whose costs are counted. */
interface Side {
  name: string;
  baseUrl: string;
  pid: number;
}

/** Starts `lean-server.js` or `floor-server.js` with the arguments for its port, and waits until it listens. */
async function startSide(name: string, script: string, args: (port: string) => string[], children: ChildProcess[]): Promise<Side> {
  const port = await freePort();
  const child = fork(new URL(script, import.meta.url), args(String(port)), { stdio: 'inherit' });
  children.push(child);
  await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', reject);
  });
  return { name, baseUrl: `http://127.0.0.1:${port}`, pid: child.pid! };
}

/** Stops the sides' processes (the bench stops any left over when it ends). */
function stop(sides: Side[]): void {
  for (const side of sides) {
    try {
      process.kill(side.pid, 'SIGTERM');
    } catch {
      // It has exited already.
    }
  }
}

/**
 * The service and the lean floor (`lean-server.ts`: the same Redis commands and statements on bare
 * `node:http`) loaded the same way in turns, as `.bench/results.json` has them (`leanFloor`). The
 * machine's speed drifts over tens of seconds (CPU per request moved nearly 2× between consecutive
 * 25-second runs of one build here), so each side runs short turns, ABBA (service, lean, lean,
 * service, …), and the turns are added up: the drift falls on both sides alike.
 */
export async function leanFloorScenario(
  service: Omit<Side, 'name'>,
  databaseUrl: string,
  database: PostgresDatabase,
  children: ChildProcess[],
) {
  log('8. lean floor: the write path on bare node:http, the same Redis commands and statements, in turns with the service');
  const lean = await startSide(
    'lean floor',
    './lean-server.js',
    (port) => [port, databaseUrl, REDIS_URL, String(HOLD_TTL_SECONDS)],
    children,
  );
  const sides = [{ name: 'service', ...service }, lean];
  const turns = quick ? 1 : 3;
  try {
    // Warm-up, so that neither side pays for its first requests (compiling, connecting).
    for (const side of sides) await holdBookLoop(side.baseUrl, database, side.pid, seconds(2));
    const holdBook = await inTurns(
      sides,
      turns,
      (side) => holdBookLoop(side.baseUrl, database, side.pid, seconds(2)),
      (t) => t.statuses['201'] ?? 0,
    );
    const holdsContended = await inTurns(
      sides,
      turns,
      (side) => holdScenario(side.baseUrl, database, 'contended', side.pid, seconds(2)),
      (t) => t.requests,
    );
    return {
      ...leanComparison(
        { holdBook: holdBook[0], holdsContended: holdsContended[0] },
        { holdBook: holdBook[1], holdsContended: holdsContended[1] },
      ),
      frameworkFloor: await frameworkFloor(holdsContended[1], children, turns),
    };
  } finally {
    stop([lean]);
  }
}

/**
 * The least a refusal can cost in a Nest (express) endpoint, against the lean comparison's
 * allowance for it: the Redis floor (one `SET NX PX` per request) on bare `node:http`, as a Nest
 * controller, and behind the shape of the service's write pipeline with every part doing nothing
 * (`floor-server.js nest-pipeline`), each refusing holds of ten seats taken at its first requests,
 * in turns. The pipeline floor's CPU per refusal beyond the bare floor's is the framework's own
 * cost; the target (service ≤ 1.3 × lean per refusal) allows 0.3 × the lean floor's refusal for all
 * of it, the service's guards, validation, logging, metrics and problem documents included.
 */
async function frameworkFloor(leanRefusals: Throughput, children: ChildProcess[], turns: number) {
  log('9. framework floor: one Redis SET NX PX per refusal on bare node:http, a Nest controller and the pipeline, in turns');
  const sides: Side[] = [];
  try {
    for (const [name, kind] of [
      ['http floor', 'redis'],
      ['Nest floor', 'nest-redis'],
      ['Nest pipeline floor', 'nest-pipeline'],
    ])
      sides.push(await startSide(name, './floor-server.js', (port) => [kind, port, REDIS_URL], children));
    for (const side of sides) await floorRefusals(side, seconds(1));
    const [http, nest, pipeline] = await inTurns(
      sides,
      turns,
      (side) => floorRefusals(side, seconds(2)),
      (t) => t.requests,
    );
    const cpu = (t: Throughput) => t.cpuMsPerRequest!.service;
    const requestsOf = (t: Throughput) => ({ perSecond: t.perSecond, cpuMsPerRequest: cpu(t), statuses: t.statuses });
    return {
      http: requestsOf(http),
      nest: requestsOf(nest),
      nestPipeline: requestsOf(pipeline),
      /** CPU ms per refusal the framework alone adds (pipeline floor − bare floor). */
      leastFrameworkMsPerRefusal: round(cpu(pipeline) - cpu(http), 3),
      /** What the target leaves for it: 0.3 × the lean floor's CPU per refusal, measured in the same run. */
      refusalAllowanceMs: round(0.3 * cpu(leanRefusals), 3),
    };
  } finally {
    stop(sides);
  }
}

/** Closed-loop holds of ten seats on a floor server: after its first ten requests, each one a refusal. */
async function floorRefusals(side: Side, ms: number): Promise<Throughput> {
  const client = new HttpClient(side.baseUrl, CONNECTIONS);
  const recorder = new Recorder();
  const costed = startCosting({ service: side.pid, redis: pids.redis });
  await closedLoop(CONNECTIONS, ms, async (worker) => {
    await client.post('/', { seatIds: [`taken-${Math.floor(Math.random() * 10)}`], userId: `floor-${worker}` }, {}, recorder);
  });
  recorder.endedAt = performance.now();
  const cost = costed(recorder.count);
  await client.close();
  return { ...recorder.summary(), cpuMsPerRequest: cost.cpuMsPerUnit, writeSyscallsPerRequest: cost.writeSyscallsPerUnit };
}

/** `work` on every side, `turns` × ABC…CBA, each side's turns added up (costs weighted by `units`). */
async function inTurns(
  sides: Side[],
  turns: number,
  work: (side: Side) => Promise<Throughput>,
  units: (t: Throughput) => number,
): Promise<Throughput[]> {
  const done: Throughput[][] = sides.map(() => []);
  const order = [...sides.keys(), ...[...sides.keys()].reverse()];
  for (let turn = 0; turn < turns; turn++)
    for (const i of order) {
      log(`   turn ${turn + 1}/${turns}: ${sides[i].name}`);
      done[i].push(await work(sides[i]));
    }
  return done.map((runs) => addUp(runs, units));
}

/** Turns of one side as one run: counts and seconds summed, costs per unit weighted by each turn's units. */
function addUp(runs: Throughput[], units: (t: Throughput) => number): Throughput {
  const sum = (pick: (t: Throughput) => number) => runs.reduce((total, t) => total + pick(t), 0);
  const all = Math.max(1, sum(units));
  const perUnit = (pick: (t: Throughput) => number | undefined, digits = 3) => round(sum((t) => (pick(t) ?? 0) * units(t)) / all, digits);
  const cost = (pick: (t: Throughput) => Throughput['cpuMsPerPair']) =>
    pick(runs[0]) && {
      service: perUnit((t) => pick(t)!.service),
      postgres: perUnit((t) => pick(t)!.postgres),
      redis: perUnit((t) => pick(t)!.redis),
      load: perUnit((t) => pick(t)!.load),
    };
  // A turn's seconds from its count and rate (its own `seconds` is rounded to a tenth).
  const seconds = sum((t) => t.requests / Math.max(t.perSecond, 1e-9));
  const statuses: Record<string, number> = {};
  for (const t of runs) for (const [status, n] of Object.entries(t.statuses)) statuses[status] = (statuses[status] ?? 0) + n;
  const median = (pick: (t: Throughput) => number) => round(percentile(runs.map(pick), 50));
  return {
    requests: sum((t) => t.requests),
    seconds: round(seconds),
    perSecond: round(sum((t) => t.requests) / seconds),
    // Percentiles cannot be added up: the median turn's.
    p50: median((t) => t.p50),
    p95: median((t) => t.p95),
    p99: median((t) => t.p99),
    statuses,
    ...(runs[0].pairsPerSecond !== undefined && { pairsPerSecond: round((statuses['201'] ?? 0) / seconds) }),
    ...(runs[0].cpuMsPerPair && { cpuMsPerPair: cost((t) => t.cpuMsPerPair) }),
    ...(runs[0].cpuMsPerRequest && { cpuMsPerRequest: cost((t) => t.cpuMsPerRequest) }),
    ...(runs[0].writeSyscallsPerPair !== undefined && { writeSyscallsPerPair: perUnit((t) => t.writeSyscallsPerPair, 2) }),
    ...(runs[0].writeSyscallsPerRequest !== undefined && { writeSyscallsPerRequest: perUnit((t) => t.writeSyscallsPerRequest, 2) }),
  };
}

/** The two sides' figures and their ratios. */
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

/** Runs `work` while another show has `count` live holds (set by SQL, an hour long), then frees them. */
export async function withLiveHolds<T>(database: PostgresDatabase, count: number, work: () => Promise<T>): Promise<T> {
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
