import type { PostgresDatabase } from '@app/db';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { io, type Socket } from 'socket.io-client';
import { closedLoop, HttpClient, percentile, Recorder, round } from './load.js';

/**
 * The stadium scenario of `npm run bench`: a 50,000-seat show created through the admin API,
 * thousands of fans who GET the map once (through their browser cache: a 304 with its ETag) and
 * subscribe with its version, map reads with and without If-None-Match, 200 buyers holding and
 * booking all along, one socket flooding `subscribe`, and the show list over a million seats.
 */
export interface StadiumOptions {
  baseUrl: string;
  adminToken: string;
  database: PostgresDatabase;
  fans: number;
  phaseMs: number;
  log: (message: string) => void;
}

const ROWS = 125;
const SEATS_PER_ROW = 400;
const BUYERS = Number(process.env.BENCH_STADIUM_BUYERS ?? 200);

export async function stadiumScenario({ baseUrl, adminToken, database, fans, phaseMs, log }: StadiumOptions) {
  log(`7. stadium: a ${ROWS * SEATS_PER_ROW}-seat show, ${fans} fans subscribed, ${BUYERS} buyers`);
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
      sections: [{ key: 'bowl', label: 'Bowl', rows: Array.from({ length: ROWS }, (_, r) => ({ label: `R${r + 1}`, seats: SEATS_PER_ROW, category: 'std' })) }],
    }),
  });
  if (created.statusCode !== 201) throw new Error(`creating the stadium answered ${created.statusCode}: ${await created.body.text()}`);
  await created.body.dump();
  const createMs = round(performance.now() - createdStarted);

  // The first read builds the snapshot; every later read of this version is served from it.
  const firstStarted = performance.now();
  const first = await request(`${baseUrl}/api/seats/${showId}`, { headers: { 'accept-encoding': 'gzip' } });
  const gzipBytes = (await first.body.arrayBuffer()).byteLength;
  const firstReadMs = round(performance.now() - firstStarted);
  const plain = await request(`${baseUrl}/api/seats/${showId}`);
  const plainText = await plain.body.text();
  const map = JSON.parse(plainText) as { version: number; seats: { id: string }[] };
  const etag = first.headers.etag as string;
  const seatIds = map.seats.map((seat) => seat.id);

  // Fans: the map through the browser cache (If-None-Match → 304), then subscribe with its version.
  const sockets: Socket[] = [];
  const arrivals: number[] = [];
  let acksUpToDate = 0;
  for (let i = 0; i < fans; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, fans - i) }, () => connect(baseUrl)));
    await Promise.all(
      batch.map(async (socket) => {
        const revalidated = await request(`${baseUrl}/api/seats/${showId}`, { headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' } });
        await revalidated.body.dump();
        const ack = await socket.timeout(30_000).emitWithAck('subscribe', { showId, version: map.version });
        if (ack.upToDate) acksUpToDate++;
        socket.on('seats:changed', (event: { at: string }) => arrivals.push(Date.now() - Date.parse(event.at)));
      }),
    );
    sockets.push(...batch);
  }
  log(`   ${sockets.length} fans subscribed (${acksUpToDate} acknowledged upToDate, without the map)`);

  // Buyers all along: each holds two seats of its own stretch and books them.
  const unavailableBefore = await unavailableCounts(baseUrl);
  const buyers = new HttpClient(baseUrl, BUYERS);
  const holds = new Recorder();
  const books = new Recorder();
  holds.startedAt = books.startedAt = performance.now();
  let stopBuyers = false;
  let cursor = 0;
  const buying = closedLoop(BUYERS, phaseMs * 3 + 5000, async (worker) => {
    if (stopBuyers || cursor + 2 > seatIds.length) return false;
    const body = { seatIds: [seatIds[cursor++]!, seatIds[cursor++]!], userId: `buyer-${worker}` };
    const hold = await buyers.post('/api/seats/hold-bulk', body, { 'Idempotency-Key': randomUUID() }, holds);
    if (hold.status === 201) await buyers.post('/api/seats/book-bulk', body, { 'Idempotency-Key': randomUUID() }, books);
  });
  const phase = async <T>(name: string, work: () => Promise<T>) => {
    const holdsBefore = holds.latencies.length;
    const booksBefore = books.latencies.length;
    const result = await work();
    const holdLatencies = holds.latencies.slice(holdsBefore);
    const bookLatencies = books.latencies.slice(booksBefore);
    return { name, ...result, buyers: { holds: holdLatencies.length, holdP99: round(percentile(holdLatencies, 99)), books: bookLatencies.length, bookP99: round(percentile(bookLatencies, 99)) } };
  };

  const reads = (conditional: boolean) => async () => {
    const client = new HttpClient(baseUrl, 64);
    const recorder = new Recorder();
    let bytes = 0;
    await closedLoop(64, phaseMs, async () => {
      const started = performance.now();
      const response = await client.raw(`/api/seats/${showId}`, conditional ? { 'if-none-match': etagNow(), 'accept-encoding': 'gzip' } : { 'accept-encoding': 'gzip' });
      bytes += response.bytes;
      if (response.etag) latestEtag = response.etag;
      recorder.record(response.status, performance.now() - started);
    });
    recorder.endedAt = performance.now();
    await client.close();
    const summary = recorder.summary();
    return { reads: summary, bytesPerRead: round(bytes / Math.max(1, summary.requests)) };
  };
  let latestEtag = etag;
  const etagNow = () => latestEtag;

  const notModified = await phase('map reads with If-None-Match (fans whose map is current)', reads(true));
  const full = await phase('full map reads (gzip)', reads(false));
  const flood = await phase('one socket sends 300 subscribe of the stadium, without a version', async () => {
    const flooder = await connect(baseUrl);
    const started = performance.now();
    const replies = await Promise.all(Array.from({ length: 300 }, () => flooder.timeout(60_000).emitWithAck('subscribe', { showId }).catch(() => ({ error: { code: 'TIMEOUT' } }))));
    const floodMs = round(performance.now() - started);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, phaseMs - floodMs)));
    flooder.close();
    return {
      flood: { maps: replies.filter((reply: any) => reply.seats).length, rateLimited: replies.filter((reply: any) => reply.error?.code === 'RATE_LIMITED').length, answeredInMs: floodMs },
    };
  });
  stopBuyers = true;
  await buying;
  holds.endedAt = books.endedAt = performance.now();
  await buyers.close();
  const unavailableAfter = await unavailableCounts(baseUrl);
  // Which dependency each 503 of the scenario was for (database: mostly no pooled connection free in time).
  const unavailableBy = Object.fromEntries(Object.entries(unavailableAfter).map(([dependency, n]) => [dependency, n - (unavailableBefore[dependency] ?? 0)]));
  const arrivalsMs = { deliveries: arrivals.length, p50: round(percentile(arrivals, 50)), p99: round(percentile(arrivals, 99)) };
  for (const socket of sockets) socket.close();

  const list = await showListOverAMillionSeats(baseUrl, database, log);
  return {
    seats: seatIds.length,
    createMs,
    firstReadMs,
    bytes: { json: Buffer.byteLength(plainText), gzip: gzipBytes },
    fans: sockets.length,
    acksUpToDate,
    phases: [notModified, full, flood],
    changeToArrival: arrivalsMs,
    buyers: { holds: holds.summary(), books: books.summary() },
    unavailableBy,
    showList: list,
  };
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

/** The service's 503 answers so far, by the dependency that was unavailable (from its metrics). */
async function unavailableCounts(baseUrl: string): Promise<Record<string, number>> {
  const response = await request(`${baseUrl}/metrics`);
  const text = await response.body.text();
  return Object.fromEntries([...text.matchAll(/^http_unavailable_total\{dependency="([^"]+)"\} (\S+)$/gm)].map(([, dependency, n]) => [dependency!, Number(n)]));
}

function connect(baseUrl: string): Promise<Socket> {
  const socket = io(`${baseUrl}/seats`, { transports: ['websocket'], forceNew: true, reconnection: false });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}
