import type { PostgresDatabase } from '@app/db';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { ADMIN_TOKEN, CONNECTIONS, log, pids, seconds } from './bench-setup.js';
import { closedLoop, HttpClient, Recorder, round } from './load.js';
import { cpuSeconds } from './proc.js';

/**
 * Selling like a venue: `hold-best` of 2 on a 50,000-seat show against `hold-bulk` of 2 given
 * adjacent seats on another, side by side in one run (each loop holds, then books, until a third
 * of the show is sold or the phase ends); then a standing floor of 20,000 places bought by 200
 * concurrent buyers of 1–4 places until it is sold out. Double sales and the floor's capacity are
 * checked in the database afterwards.
 */

const SECTIONS = 50;
const ROWS = 40;
const SEATS_PER_ROW = 25;
const SEATS = SECTIONS * ROWS * SEATS_PER_ROW;
const FLOOR_CAPACITY = 20_000;
const FLOOR_BUYERS = 200;

async function createShow(baseUrl: string, definition: Record<string, unknown>): Promise<string> {
  const id = `venue-${randomUUID().slice(0, 8)}`;
  const created = await request(`${baseUrl}/api/admin/shows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id, ...definition }),
  });
  if (created.statusCode !== 201) throw new Error(`creating a show answered ${created.statusCode}: ${await created.body.text()}`);
  await created.body.dump();
  return id;
}

const stadium = (baseUrl: string) =>
  createShow(baseUrl, {
    title: 'Venue',
    startsAt: '2030-07-01T19:00:00Z',
    salesOpenAt: '2020-01-01T00:00:00Z',
    categories: [{ key: 'std', price: { amount: 6500, currency: 'EUR' } }],
    sections: Array.from({ length: SECTIONS }, (_, s) => ({
      key: `s${s + 1}`,
      rows: Array.from({ length: ROWS }, (_, r) => ({ label: `R${r + 1}`, seats: SEATS_PER_ROW, category: 'std' })),
    })),
  });

interface Seat {
  id: string;
  row: string;
  number: number;
  section: string;
}

/** One phase: `CONNECTIONS` loops of "hold 2, then book them" until a third of the show is sold. */
async function pairsPhase(baseUrl: string, showId: string, hold: (worker: number) => { path: string; body: object }) {
  const client = new HttpClient(baseUrl, CONNECTIONS);
  const holds = new Recorder();
  const books = new Recorder();
  const held: string[][] = [];
  let apart = 0;
  let sold = 0;
  const cpuBefore = cpuSeconds(pids.service);
  await closedLoop(CONNECTIONS, seconds(30), async (worker) => {
    if (sold >= SEATS / 3) return false;
    const { path, body } = hold(worker);
    const userId = `buyer-${worker}`;
    const answer = await client.post(path, { ...body, userId }, { 'Idempotency-Key': randomUUID() }, holds);
    if (answer.status !== 201) return;
    const { seatIds, together } = JSON.parse(answer.body) as { seatIds: string[]; together?: boolean };
    held.push(seatIds);
    if (together === false) apart++;
    const booked = await client.post('/api/seats/book-bulk', { seatIds, userId }, { 'Idempotency-Key': randomUUID() }, books);
    if (booked.status === 201) sold += seatIds.length;
  });
  holds.endedAt = books.endedAt = performance.now();
  const cpu = cpuSeconds(pids.service) - cpuBefore;
  await client.close();
  const summary = holds.summary();
  return {
    ...summary,
    pairsPerSecond: round(held.length / summary.seconds),
    seatsSold: sold,
    apart,
    books: books.summary(),
    serviceCpuMsPerPair: round((1000 * cpu) / Math.max(held.length, 1), 2),
    held,
  };
}

/** Seats sold twice (live booking lines per seat above one), counted in the database. */
async function doubleSales(database: PostgresDatabase, showIds: string[]): Promise<number> {
  const { rows } = await database.pool.query(
    `select count(*)::int as n from (
       select b.seat_id from booking_seats b join seats s on s.id = b.seat_id
        where s.show_id = any($1) and b.cancelled_at is null group by b.seat_id having count(*) > 1) twice`,
    [showIds],
  );
  return rows[0].n;
}

export async function venueScenario(baseUrl: string, database: PostgresDatabase) {
  log(
    `8. venue: hold-best of 2 against hold-bulk of 2 on two ${SEATS}-seat shows, ${CONNECTIONS} connections; a ${FLOOR_CAPACITY}-place floor`,
  );
  const [givenShow, bestShow] = [await stadium(baseUrl), await stadium(baseUrl)];
  const layout = (await (await fetch(`${baseUrl}/api/seats/${givenShow}/layout`)).json()) as { seats: Seat[] };
  // hold-bulk: pairs of neighbours in layout order (rows of 25: the last seat of a row pairs with nothing).
  const pairs: string[][] = [];
  for (let i = 0; i + 1 < layout.seats.length; i++) {
    const [a, b] = [layout.seats[i], layout.seats[i + 1]];
    if (a.row === b.row && a.section === b.section) {
      pairs.push([a.id, b.id]);
      i++;
    }
  }
  let next = 0;
  const given = await pairsPhase(baseUrl, givenShow, () => ({
    path: '/api/seats/hold-bulk',
    body: { seatIds: pairs[next++ % pairs.length] },
  }));
  const best = await pairsPhase(baseUrl, bestShow, () => ({ path: '/api/seats/hold-best', body: { showId: bestShow, quantity: 2 } }));
  const bestLayout = (await (await fetch(`${baseUrl}/api/seats/${bestShow}/layout`)).json()) as { seats: Seat[] };
  const byId = new Map(bestLayout.seats.map((seat) => [seat.id, seat]));
  const notAdjacent = best.held.filter(([a, b]) => {
    const [x, y] = [byId.get(a)!, byId.get(b)!];
    return x.section !== y.section || x.row !== y.row || Math.abs(x.number - y.number) !== 1;
  }).length;
  const heldTwice = best.held.flat().length - new Set(best.held.flat()).size;

  log(`   floor: ${FLOOR_BUYERS} buyers of 1–4 places on ${FLOOR_CAPACITY} places`);
  const floorShow = await createShow(baseUrl, {
    title: 'Floor',
    startsAt: '2030-07-01T19:00:00Z',
    salesOpenAt: '2020-01-01T00:00:00Z',
    categories: [{ key: 'ga', price: { amount: 4000, currency: 'EUR' } }],
    sections: [{ key: 'tribune', rows: [{ label: 'A', seats: 10, category: 'ga' }] }],
    areas: [{ key: 'floor', label: 'Floor', category: 'ga', capacity: FLOOR_CAPACITY }],
  });
  const client = new HttpClient(baseUrl, FLOOR_BUYERS);
  const floorHolds = new Recorder();
  let placesSold = 0;
  let soldOut = false;
  const cpuBefore = cpuSeconds(pids.service);
  await closedLoop(FLOOR_BUYERS, seconds(60), async (worker) => {
    if (soldOut) return false;
    const userId = `fan-${worker}`;
    const quantity = 1 + ((worker + floorHolds.count) % 4);
    const body = { showId: floorShow, userId, quantity, sections: ['floor'] };
    const answer = await client.post('/api/seats/hold-best', body, { 'Idempotency-Key': randomUUID() }, floorHolds);
    if (answer.status === 409 && answer.body.includes('NOT_ENOUGH_SEATS')) {
      // Fewer places than asked for: the floor is (almost) sold out.
      if (quantity === 1) soldOut = true;
      return;
    }
    if (answer.status !== 201) return;
    const { seatIds } = JSON.parse(answer.body) as { seatIds: string[] };
    const booked = await client.post('/api/seats/book-bulk', { seatIds, userId }, { 'Idempotency-Key': randomUUID() });
    if (booked.status === 201) placesSold += seatIds.length;
  });
  floorHolds.endedAt = performance.now();
  const floorCpu = cpuSeconds(pids.service) - cpuBefore;
  await client.close();
  const { rows } = await database.pool.query(
    `select count(*) filter (where status in ('HELD', 'BOOKED'))::int as taken, count(*)::int as places,
            (select count(*)::int from booking_seats b join seats p on p.id = b.seat_id
              where p.show_id = $1 and p.section = 'floor' and b.cancelled_at is null) as sold
       from seats where show_id = $1 and section = 'floor'`,
    [floorShow],
  );
  const floorSummary = floorHolds.summary();
  const { held: _given, ...givenFigures } = given;
  const { held: _best, ...bestFigures } = best;
  return {
    seats: SEATS,
    holdBulk: givenFigures,
    holdBest: { ...bestFigures, notAdjacent, heldTwice },
    bestToBulk: round(best.pairsPerSecond / given.pairsPerSecond, 2),
    doubleSales: await doubleSales(database, [givenShow, bestShow, floorShow]),
    floor: {
      capacity: FLOOR_CAPACITY,
      buyers: FLOOR_BUYERS,
      holds: floorSummary,
      placesPerSecond: round(placesSold / floorSummary.seconds),
      placesSold,
      soldInDatabase: rows[0].sold,
      placesInDatabase: rows[0].places,
      takenInDatabase: rows[0].taken,
      overCapacity: rows[0].sold > FLOOR_CAPACITY,
      serviceCpuMsPerPlace: round((1000 * floorCpu) / Math.max(placesSold, 1), 2),
    },
  };
}
