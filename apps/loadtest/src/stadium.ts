import type { PostgresDatabase } from '@app/db';
import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { setPriority } from 'node:os';
import { Redis } from 'ioredis';
import { request } from 'undici';
import { percentile, round } from './load.js';
import { cpuSeconds, memoryMb, postgresCpu } from './proc.js';
import { ArrivalHistogram, type Command, type LoadRole } from './stadium-load.js';

/**
 * The stadium scenario of `npm run bench`: a 50,000-seat show created through the admin API, then
 * phases with the load in processes of their own (4 × fans on socket.io, counting and timing what
 * arrives; 200 buyers holding and booking; readers of the status part or the layout), each phase
 * reporting the CPU seconds that the service, PostgreSQL, Redis and every load process used (from
 * /proc), so that a figure reads as CPU per buyer pair or per delivery. Then the show list over a
 * million seats.
 */
export interface StadiumOptions {
  baseUrl: string;
  /** A second service process the fans connect to (the live feed apart from the buyers). */
  live?: { url: string; pid: number };
  adminToken: string;
  database: PostgresDatabase;
  redisUrl: string;
  servicePid: number;
  fans: number;
  phaseMs: number;
  log: (message: string) => void;
}

const ROWS = 125;
const SEATS_PER_ROW = 400;
const BUYERS = Number(process.env.BENCH_STADIUM_BUYERS ?? 200);
const FAN_PROCESSES = 4;
/**
 * The fans' processes run at this nice value: 5,000 fans are 5,000 devices elsewhere, and on a
 * machine shared with the service their reading (a kernel receive per event) would otherwise take
 * the cores the service and PostgreSQL need. BENCH_FAN_NICE=0 runs them as equals.
 */
const FAN_PRIORITY = Number(process.env.BENCH_FAN_NICE ?? 10);
const LAYOUT_READERS = 64;

/** A forked load process, driven by commands over IPC. */
class LoadProcess {
  private readonly child: ChildProcess;
  private readonly replies: ((message: any) => void)[] = [];

  constructor(
    readonly name: string,
    priority = 0,
  ) {
    this.child = fork(new URL('./stadium-load.js', import.meta.url), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    setPriority(this.child.pid!, priority);
    this.child.on('message', (message: any) => {
      if (message?.error) console.error(`${name}: ${message.error}`);
      this.replies.shift()?.(message);
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  ask(command: Command): Promise<any> {
    return new Promise((resolve) => {
      this.replies.push(resolve);
      this.child.send(command);
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.child.once('exit', () => resolve());
      this.child.send({ cmd: 'stop' });
    });
  }
}

export async function stadiumScenario({ baseUrl, live, adminToken, database, redisUrl, servicePid, fans, phaseMs, log }: StadiumOptions) {
  log(`7. stadium: a ${ROWS * SEATS_PER_ROW}-seat show; ${fans} fans in ${FAN_PROCESSES} processes, ${BUYERS} buyers in another`);
  const showId = `stadium-${randomUUID().slice(0, 8)}`;
  const createdStarted = performance.now();
  const created = await request(`${baseUrl}/api/admin/shows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      id: showId,
      title: 'Stadium',
      startsAt: '2030-07-01T19:00:00Z',
      salesOpenAt: '2020-01-01T00:00:00Z',
      categories: [{ key: 'std', label: 'Standard', price: { amount: 6500, currency: 'EUR' } }],
      sections: [
        {
          key: 'bowl',
          label: 'Bowl',
          rows: Array.from({ length: ROWS }, (_, r) => ({ label: `R${r + 1}`, seats: SEATS_PER_ROW, category: 'std' })),
        },
      ],
    }),
  });
  if (created.statusCode !== 201) throw new Error(`creating the stadium answered ${created.statusCode}: ${await created.body.text()}`);
  await created.body.dump();
  const createMs = round(performance.now() - createdStarted);
  const sizes = await partSizes(baseUrl, showId);
  const memoryAfterCreate = { ...memoryMb(servicePid), ...(await heapMb(baseUrl)) };

  const redis = new Redis(redisUrl);
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]);
  redis.disconnect();
  const buyers = new LoadProcess('buyers');
  const readers = new LoadProcess('readers');
  const fanProcesses = Array.from({ length: FAN_PROCESSES }, (_, i) => new LoadProcess(`fans-${i + 1}`, FAN_PRIORITY));
  const loads = [buyers, readers, ...fanProcesses];
  await buyers.ask({ cmd: 'start', role: 'buyers' as LoadRole, baseUrl, showId, count: BUYERS });
  await readers.ask({ cmd: 'start', role: 'reads' as LoadRole, baseUrl, showId, count: LAYOUT_READERS });

  /** Runs `work` as one phase, with the CPU every process used meanwhile. */
  const phase = async <T extends object>(name: string, work: () => Promise<T>) => {
    log(`   ${name}…`);
    const postgres = postgresCpu();
    const before = {
      service: cpuSeconds(servicePid),
      live: live ? cpuSeconds(live.pid) : 0,
      redis: cpuSeconds(redisPid),
      load: loads.map((load) => cpuSeconds(load.pid)),
    };
    const started = performance.now();
    const result = await work();
    const seconds = (performance.now() - started) / 1000;
    const load = Object.fromEntries(loads.map((process, i) => [process.name, round(cpuSeconds(process.pid) - before.load[i], 2)]));
    const cpu = {
      service: round(cpuSeconds(servicePid) - before.service, 2),
      live: live ? round(cpuSeconds(live.pid) - before.live, 2) : undefined,
      postgres: round(postgres(), 2),
      redis: round(cpuSeconds(redisPid) - before.redis, 2),
      load: round(
        Object.values(load).reduce((sum, n) => sum + n, 0),
        2,
      ),
      loadByProcess: load,
    };
    return {
      name,
      seconds: round(seconds),
      cpuSeconds: cpu,
      serviceMemoryMb: { ...memoryMb(servicePid), ...(await heapMb(baseUrl)) },
      liveMemoryMb: live ? { ...memoryMb(live.pid), ...(await heapMb(live.url)) } : undefined,
      ...result,
    };
  };
  const buy = async () => (await buyers.ask({ cmd: 'run', durationMs: phaseMs })).result;
  const fansUrl = live?.url ?? baseUrl;
  const arrivals = async (writtenBefore: Map<number, number>) => {
    const writtenAfter = await batchWrittenBuckets(fansUrl);
    const histogram = new ArrivalHistogram();
    let events = 0;
    let changes = 0;
    let bytes = 0;
    for (const fan of fanProcesses) {
      const { result } = await fan.ask({ cmd: 'report' });
      histogram.merge(result.histogram);
      events += result.events;
      changes += result.changes;
      bytes += result.bytes;
    }
    return {
      deliveries: events,
      changesDelivered: changes,
      megabytesDelivered: round(bytes / 1e6),
      arrivalP50Ms: histogram.percentile(50),
      arrivalP99Ms: histogram.percentile(99),
      writtenP50Ms: bucketPercentile(writtenBefore, writtenAfter, 50),
      writtenP99Ms: bucketPercentile(writtenBefore, writtenAfter, 99),
    };
  };
  /** Starts counting anew in the fans' processes; what the service's batch-written histogram held then. */
  const mark = async () => {
    await Promise.all(fanProcesses.map((fan) => fan.ask({ cmd: 'mark' })));
    return batchWrittenBuckets(fansUrl);
  };

  const unavailableBefore = await unavailableCounts(baseUrl);
  try {
    const buyersWithoutFans = await phase('buyers, no fans', async () => ({ buyers: await buy() }));

    const version = JSON.parse(await (await request(`${baseUrl}/api/seats/${showId}/status`)).body.text()).version;
    const perProcess = Math.ceil(fans / FAN_PROCESSES);
    const subscribed = await Promise.all(
      fanProcesses.map((fan) =>
        fan.ask({ cmd: 'start', role: 'fans' as LoadRole, baseUrl: live?.url ?? baseUrl, showId, count: perProcess, version }),
      ),
    );
    log(
      `   ${subscribed.reduce((sum, s) => sum + s.connected, 0)} fans subscribed; service memory ${JSON.stringify(memoryMb(servicePid))} MiB`,
    );

    const fansOnly = await phase('fans, no buyers', async () => {
      const written = await mark();
      await new Promise((resolve) => setTimeout(resolve, phaseMs));
      return arrivals(written);
    });
    const fansAndBuyers = await phase('fans and buyers', async () => {
      const written = await mark();
      const result = await buy();
      return { buyers: result, ...(await arrivals(written)) };
    });
    const withStatusReads = await phase('fans, buyers and status reads', async () => {
      const written = await mark();
      const [buyersResult, statusReads] = await Promise.all([buy(), readers.ask({ cmd: 'run', durationMs: phaseMs, target: 'status' })]);
      return { buyers: buyersResult, statusReads: statusReads.result, ...(await arrivals(written)) };
    });
    const layoutRevalidations = await phase('layout with a current If-None-Match, fans watching', async () => ({
      layoutReads: (await readers.ask({ cmd: 'run', durationMs: phaseMs, target: 'layout' })).result,
    }));
    const phases = [buyersWithoutFans, fansOnly, fansAndBuyers, withStatusReads, layoutRevalidations];

    const answers: Record<string, number> = {};
    for (const { buyers: b } of [fansAndBuyers, withStatusReads])
      for (const [status, n] of Object.entries(b.answers as Record<string, number>)) answers[status] = (answers[status] ?? 0) + n;
    const unavailableAfter = await unavailableCounts(baseUrl);
    // Which dependency each 503 of the scenario was for (database: no pooled connection free in time).
    const unavailableBy = Object.fromEntries(
      Object.entries(unavailableAfter).map(([dependency, n]) => [dependency, n - (unavailableBefore[dependency] ?? 0)]),
    );
    const list = await showListOverAMillionSeats(baseUrl, database, log);
    return {
      node: process.version,
      seats: ROWS * SEATS_PER_ROW,
      createMs,
      serviceMemoryAfterCreateMb: memoryAfterCreate,
      bytes: sizes,
      fans: subscribed.reduce((sum, s) => sum + s.connected, 0),
      buyers: { answers, pairsPerSecond: fansAndBuyers.buyers.pairsPerSecond },
      buyersWithoutFans: { pairsPerSecond: buyersWithoutFans.buyers.pairsPerSecond },
      arrivalP99Ms: fansAndBuyers.arrivalP99Ms,
      writtenP99Ms: fansAndBuyers.writtenP99Ms,
      statusReads: { perSecond: withStatusReads.statusReads.perSecond, p99Ms: withStatusReads.statusReads.p99 },
      layoutNotModifiedPerSecond: round((layoutRevalidations.layoutReads.statuses['304'] ?? 0) / layoutRevalidations.layoutReads.seconds),
      cpuSeconds: fansAndBuyers.cpuSeconds,
      unavailableBy,
      phases,
      showList: list,
    };
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
  }
}

/** Bytes of the full map, the layout and the status part, plain and gzipped. */
async function partSizes(baseUrl: string, showId: string) {
  const size = async (path: string, gzip: boolean) => {
    const response = await request(`${baseUrl}${path}`, { headers: gzip ? { 'accept-encoding': 'gzip' } : {} });
    return (await response.body.arrayBuffer()).byteLength;
  };
  const sizes: Record<string, { json: number; gzip: number }> = {};
  for (const [name, path] of [
    ['map', `/api/seats/${showId}`],
    ['layout', `/api/seats/${showId}/layout`],
    ['status', `/api/seats/${showId}/status`],
  ] as const) {
    sizes[name] = { json: await size(path, false), gzip: await size(path, true) };
  }
  return sizes;
}

/** 19 more shows of 50,000 seats (by SQL, quickly), then the list read cold and warm. */
async function showListOverAMillionSeats(baseUrl: string, database: PostgresDatabase, log: (message: string) => void) {
  log('   show list: 19 more 50,000-seat shows by SQL, then GET /api/seats/shows');
  for (let s = 0; s < 19; s++) {
    const id = `bulk-${s}-${randomUUID().slice(0, 6)}`;
    await database.pool.query(
      `insert into shows (id, title, venue, starts_at, sales_open_at, sales_close_at, per_order) values ($1, $1, 'Bulk', now(), now(), now() + interval '1 day', 50)`,
      [id],
    );
    await database.pool.query(
      `insert into seats (id, show_id, label, row, number, section, position)
       select $1 || '_bowl_R' || (g / 400 + 1) || '_' || (g % 400 + 1), $1, 'R' || (g / 400 + 1) || (g % 400 + 1), 'R' || (g / 400 + 1), g % 400 + 1, 'bowl', g + 1
       from generate_series(0, 49999) g`,
      [id],
    );
  }
  const { rows } = await database.pool.query('select count(*)::int as n from seats');
  const timed = async () => {
    const started = performance.now();
    const response = await request(`${baseUrl}/api/seats/shows`);
    await response.body.dump();
    return performance.now() - started;
  };
  const coldMs = round(await timed());
  const warm: number[] = [];
  for (let i = 0; i < 200; i++) warm.push(await timed());
  return { seatsInDatabase: rows[0].n, coldMs, warmP50: round(percentile(warm, 50)), warmP99: round(percentile(warm, 99)) };
}

/** The service's V8 heap (used / total) and memory outside it, in MiB, from its metrics. */
async function heapMb(baseUrl: string) {
  const text = await (await request(`${baseUrl}/metrics`)).body.text();
  const read = (name: string) => round(Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20);
  return {
    heapUsed: read('nodejs_heap_size_used_bytes'),
    heapTotal: read('nodejs_heap_size_total_bytes'),
    external: read('nodejs_external_memory_bytes'),
  };
}

/**
 * The service's histogram of batches written to the last subscriber (`live_batch_written_seconds`):
 * cumulative counts by bucket bound, in seconds.
 */
async function batchWrittenBuckets(baseUrl: string): Promise<Map<number, number>> {
  const text = await (await request(`${baseUrl}/metrics`)).body.text();
  return new Map(
    [...text.matchAll(/^live_batch_written_seconds_bucket\{le="([^"]+)"\} (\S+)$/gm)].map(([, le, n]) => [
      le === '+Inf' ? Infinity : Number(le),
      Number(n),
    ]),
  );
}

/**
 * The p-th percentile of what a cumulative histogram observed between two reads, as the bound (in
 * ms) of the bucket that holds it: "at most this late". Null when nothing was observed.
 */
export function bucketPercentile(before: Map<number, number>, after: Map<number, number>, p: number): number | null {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (total <= 0) return null;
  for (const bound of bounds)
    if ((after.get(bound) ?? 0) - (before.get(bound) ?? 0) >= (total * p) / 100) return bound === Infinity ? Infinity : bound * 1000;
  return Infinity;
}

/** The service's 503 answers so far, by the dependency that was unavailable (from its metrics). */
async function unavailableCounts(baseUrl: string): Promise<Record<string, number>> {
  const response = await request(`${baseUrl}/metrics`);
  const text = await response.body.text();
  return Object.fromEntries(
    [...text.matchAll(/^http_unavailable_total\{dependency="([^"]+)"\} (\S+)$/gm)].map(([, dependency, n]) => [dependency, Number(n)]),
  );
}
